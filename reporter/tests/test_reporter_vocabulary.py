"""The reports have a German word for every value of the closed vocabularies they show,
and no word for a value the schemas do not have."""

from __future__ import annotations

from typing import get_args

from reporter.instruments import CHANGE_DE
from reporter.render import ITEM9_DE, STATUS_DE
from shared_schemas.types import InboxStatus, Item9State, PairedClassification


def test_every_change_category_status_and_item9_state_has_its_german_label() -> None:
    assert set(CHANGE_DE) == set(get_args(PairedClassification))
    assert set(STATUS_DE) == set(get_args(InboxStatus))
    assert set(ITEM9_DE) == set(get_args(Item9State))
