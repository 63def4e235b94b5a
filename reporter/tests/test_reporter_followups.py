"""A follow-up of an item-9 flag reaches a weekly report (issue 17): beside the flag in the
report that carries it, or, for a flag an earlier report carried, in the section
"Nachverfolgt seit dem letzten Bericht" of the next report prepared after it was recorded,
and in no later one.

The pure rule on hand-made follow-ups; then through lorc's runner on a real DuckDB
warehouse, with the marks written by ``lorchestra.followups.mark_followed_up`` (the
console's path) and reports delivered to the outbox."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lorchestra.config import load_config
from lorchestra.followups import mark_followed_up
from lorchestra.home import PhiHome
from report_support import SCORING, SEVERAL, at, emit, new_home, query, report, response, run
from reporter.safety import ITEM9_POSITIVE, SafetyFlag
from reporter.safety_list import FollowUp, followed_up_since

T0 = datetime(2026, 11, 9, 7, tzinfo=UTC)  # a Monday, when a weekly report was prepared
HEADING = "Nachverfolgt seit dem letzten Bericht"


def flag(key: str) -> SafetyFlag:
    return SafetyFlag(key, ITEM9_POSITIVE, "c1", f"r-{key}", "2026-11-03T10:00:00Z")


def done(at_hours: float, recorded_hours: float, by: str = "JW") -> FollowUp:
    return FollowUp(
        by=by,
        at=(T0 + timedelta(hours=at_hours)).isoformat(),
        recorded_at=(T0 + timedelta(hours=recorded_hours)).isoformat(),
    )


def test_a_report_lists_the_follow_ups_of_earlier_reported_flags_recorded_since_the_last_report() -> None:
    flags = [flag(k) for k in ("early", "inside", "first", "unreported", "open", "later")]
    followups = {
        "early": done(-2, -1),  # recorded before the last report: that one showed it
        "inside": done(20, 30),
        "first": done(5, 40),  # followed up before "inside", recorded later (a journaled mark)
        "unreported": done(10, 10),  # its flag is carried by this report: shown beside it
        "later": done(200, 200),  # after this report was prepared: the next one shows it
    }
    reported = {"early", "inside", "first", "open", "later"}
    shown = followed_up_since(flags, followups, reported, after=T0, until=T0 + timedelta(days=7))
    assert [f.flag_key for f in shown] == ["first", "inside"]  # in the order they were followed up
    everything = followed_up_since(flags, followups, reported, after=None, until=T0 + timedelta(days=7))
    assert [f.flag_key for f in everything] == ["early", "first", "inside"]  # no report yet


def test_the_windows_of_consecutive_reports_meet_so_each_follow_up_is_listed_once() -> None:
    flags = [flag(str(h)) for h in range(0, 30)]
    followups = {f.flag_key: done(0, float(f.flag_key)) for f in flags}  # one recorded every hour
    cuts = [T0 + timedelta(hours=h) for h in (4, 4.5, 10, 17, 29)]  # recorded exactly at a cut: 4, 10, 17, 29
    reported = set(followups)
    windows = [(None, cuts[0]), *zip(cuts, cuts[1:], strict=False)]
    listed = [f.flag_key for a, b in windows for f in followed_up_since(flags, followups, reported, after=a, until=b)]
    assert sorted(listed, key=int) == [str(h) for h in range(0, 30)]  # every one, once


def flag_key_of(home: PhiHome, response_id: str) -> str:
    [row] = query(
        home,
        "SELECT idem_key FROM canonical_objects WHERE object_type = 'safety_flag' "
        f"AND payload->>'response_id' = '{response_id}'",
    )
    return str(row["idem_key"])


def practice_html(home: PhiHome, week: str) -> str:
    return (home.root / "reports" / week / f"praxisbericht-{week}.html").read_text()


def followed_up_rows(html: str) -> list[str]:
    if HEADING not in html:
        return []
    section = html.split('<section class="followed-up">', 1)[1].split("</section>", 1)[0]
    return re.findall(r"<tr><td.*?</tr>", section, flags=re.DOTALL)


def test_a_follow_up_marked_after_its_flag_was_reported_reaches_the_next_delivered_report_once(
    tmp_path: Path,
) -> None:
    home = new_home(tmp_path, **{"  clinicians: []": "  clinicians: [J. Weber, M. Klein]"})
    emit(home, "form_response", "responseId", [response("R1", at("2026-W44"), SEVERAL)])
    assert run(home, *SCORING).ok
    assert report(home, "2026-W44")["safety_flags"] == 1
    emit(home, "form_response", "responseId", [response("R2", at("2026-W45"), SEVERAL, email="r2@unlinked.example")])
    assert run(home, *SCORING).ok
    config = load_config(home)
    # followed up in W45, recorded now: after W45 ended, before its report is prepared
    assert mark_followed_up(config, flag_key_of(home, "R1"), "M. Klein", now=datetime(2026, 11, 4, 9, tzinfo=UTC))
    assert mark_followed_up(config, flag_key_of(home, "R2"), "J. Weber", now=datetime(2026, 11, 5, 9, tzinfo=UTC))

    assert report(home, "2026-W45")["delivered"] == 1
    html = practice_html(home, "2026-W45")
    [row] = followed_up_rows(html)  # R1, carried by the W44 report
    assert "(keinem Kontakt zugeordnet)" in row and "M. Klein" in row and "04.11.2026" in row
    assert "positiv – Risiko abklären" in row and "27.10.2026" in row  # the flag's answer and date
    assert "nachverfolgt von J. Weber am 05.11.2026" in html  # R2 is carried here: beside it
    assert html.count("J. Weber") == 1

    assert report(home, "2026-W46")["delivered"] == 1
    assert followed_up_rows(practice_html(home, "2026-W46")) == []  # shown once
    mark_followed_up(config, flag_key_of(home, "R2"), "M. Klein")  # the first mark stands
    assert report(home, "2026-W47")["delivered"] == 1
    assert followed_up_rows(practice_html(home, "2026-W47")) == []
