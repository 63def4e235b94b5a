"""Fault points cost nothing in production: the environment is read once, not at each point."""

from __future__ import annotations

import pytest

from lorchestra import faults


def test_a_checkpoint_reads_the_environment_only_after_a_reset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(faults.FAULT_AT_ENV, raising=False)
    faults.reset()
    monkeypatch.setenv(faults.FAULT_AT_ENV, "map.before_mark")
    faults.checkpoint("map.before_mark")  # armed only in the environment: not read again, so no fault
    assert faults.sql_fault("map.before_mark") == ""
    faults.reset()
    with pytest.raises(faults.InjectedFault, match="map.before_mark"):
        faults.checkpoint("map.before_mark")
    monkeypatch.setenv(faults.FAULT_AT_ENV, "map.before_mark:score_phq9")
    faults.reset()
    faults.checkpoint("map.before_mark", "other_job")  # scoped to another job: passes
    with pytest.raises(faults.InjectedFault):
        faults.checkpoint("map.before_mark", "score_phq9")
