"""The fast paths of the mail functions give exactly what the general paths give.

The references here are the straightforward implementations (the standard library's
``HTMLParser``, ``getaddresses`` for every value, its comments removed); the suite's functions must agree with
them on every fixture body and on generated input.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from canonizer import mail_bodies
from canonizer.mail_bodies import html_to_text
from canonizer.mail_headers import (
    _WS,
    _date_header_time,
    _iso,
    _without_comments,
    address_list,
    collapse_blanks,
    decode_words,
    first_header,
    header_map,
)

FIXTURES = Path(__file__).resolve().parents[2] / "ingestor" / "sample_taps" / "src" / "sample_taps" / "fixtures"


class _ReferenceExtractor(HTMLParser):
    block = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "blockquote"})
    skip = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.skip:
            self.skipping += 1
        elif tag in self.block:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.skip:
            self.skipping = max(0, self.skipping - 1)
        elif tag in ("p", "div", "tr", "blockquote"):
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.chunks.append(data.replace("\r", "").replace("\n", " "))


def reference_html_to_text(markup: str) -> str:
    parser = _ReferenceExtractor()
    parser.feed(markup)
    parser.close()
    lines = [_WS.sub(" ", line).strip() for line in "".join(parser.chunks).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def reference_address_list(value: str) -> list[dict[str, Any]]:
    found = []
    for name, address in getaddresses([_without_comments(value)]):
        address = address.strip()
        if "@" in address and " " not in address:
            found.append({"name": decode_words(name) or None, "email": address.lower()})
    return found


def _html_parts(part: dict[str, Any]) -> list[str]:
    found = []
    if part.get("mimeType") == "text/html" and part.get("body", {}).get("data"):
        data = part["body"]["data"]
        found.append(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)).decode("utf-8", "replace"))
    for child in part.get("parts") or []:
        found += _html_parts(child)
    return found


def fixture_html_bodies() -> list[str]:
    bodies = []
    for path in sorted(FIXTURES.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        for message in document["messages"] + [c["record"] for c in document.get("revision_2", [])]:
            if isinstance(message.get("body"), dict) and message["body"].get("contentType") == "html":
                bodies.append(message["body"]["content"])
            if isinstance(message.get("payload"), dict):
                bodies += _html_parts(message["payload"])
    return bodies


def test_html_to_text_agrees_with_the_reference_on_every_fixture_body() -> None:
    bodies = fixture_html_bodies()
    assert len(bodies) >= 20
    for body in bodies:
        assert html_to_text(body) == reference_html_to_text(body)


def test_html_to_text_gives_the_same_text_with_its_tag_cache_cold_warm_and_full(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bodies = fixture_html_bodies() + ["<DIV>a</Div><br/><BR>b<p class='x'>c</P><span>d</span>"]
    monkeypatch.setattr(mail_bodies, "_TOKEN_MEANINGS", {})
    cold = [html_to_text(body) for body in bodies]
    assert mail_bodies._TOKEN_MEANINGS  # the tags without attributes were kept
    assert all(not attrs for attrs in (key.strip("</>").partition(" ")[2] for key in mail_bodies._TOKEN_MEANINGS))
    assert [html_to_text(body) for body in bodies] == cold
    monkeypatch.setattr(mail_bodies, "_TOKEN_MEANINGS_MAX", 0)
    monkeypatch.setattr(mail_bodies, "_TOKEN_MEANINGS", {})
    assert [html_to_text(body) for body in bodies] == cold
    assert not mail_bodies._TOKEN_MEANINGS


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=" \t\r\f\v\nab\u00a0\u2003", max_size=40))
def test_collapse_blanks_is_the_whitespace_pattern_on_generated_text(text: str) -> None:
    assert collapse_blanks(text) == _WS.sub(" ", text)


_TAGS = ["p", "div", "br", "li", "tr", "td", "span", "b", "h1", "blockquote", "script", "style", "head", "title"]
_html_piece = st.one_of(
    st.text(alphabet="abc äö \r\n\t\f\v", max_size=12),
    st.sampled_from(["&amp;", "&lt;", "&nbsp;", "&#228;", "&uuml;", "<!-- note -->", "<!DOCTYPE html>"]),
    st.sampled_from(["&am", "p;", "&", "#228", "&#22", "&#x9;", "&#12;", "   ", "\n\n\n\n"]),
    st.builds(
        lambda t, a: f"<{t}{a}>",
        st.sampled_from(_TAGS + [t.upper() for t in _TAGS]),
        st.sampled_from(["", ' class="x"', " style='a:b'", "/", ' data-x="a>b"']),
    ),
    st.builds(lambda t: f"</{t}>", st.sampled_from(_TAGS)),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_html_piece, max_size=30).map("".join))
def test_html_to_text_agrees_with_the_reference_on_generated_markup(markup: str) -> None:
    assert html_to_text(markup) == reference_html_to_text(markup)


_address_piece = st.one_of(
    st.sampled_from(
        [
            "Anna",
            "Müller",
            "O'Brien",
            "Dr.",
            "Weber,",
            '"Weber, Julia"',
            "=?utf-8?q?J=C3=BCrgen?=",
            "(Kommentar)",
            "  ",
            " ",
            "-",
            "Anna-Lena",
        ]
    ),
    st.sampled_from(
        [
            "<anna@example.org>",
            "anna@example.org",
            "<ANNA.M+tag@Example.ORG>",
            "<a..b@x.de>",
            "<a@b>",
            "<@x.de>",
            "a@",
            "<>",
            ",",
            ";",
            "undisclosed-recipients:;",
            "<a b@c.de>",
        ]
    ),
)


@settings(max_examples=600, deadline=None)
@given(st.lists(_address_piece, min_size=1, max_size=6).map(" ".join))
def test_address_list_agrees_with_the_reference(value: str) -> None:
    assert address_list(value) == reference_address_list(value)


def test_address_list_common_shapes() -> None:
    assert address_list("Anna  Müller <Anna.Mueller@Example.org>") == [
        {"name": "Anna Müller", "email": "anna.mueller@example.org"}
    ]
    assert address_list("anna@example.org") == [{"name": None, "email": "anna@example.org"}]
    assert address_list('"Weber, Julia" <j.weber@praxis.example>, b@x.de') == [
        {"name": "Weber, Julia", "email": "j.weber@praxis.example"},
        {"name": None, "email": "b@x.de"},
    ]


@given(st.text(max_size=40).filter(lambda v: "=?" not in v))
def test_decode_words_without_encoded_words_only_normalises_whitespace(value: str) -> None:
    assert decode_words(value) == _WS.sub(" ", value.replace("\r\n", " ").replace("\n", " ")).strip()


def _reference_iso(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    if moment.microsecond:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@settings(max_examples=400, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(2, 1, 1),
        timezones=st.builds(timezone, st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23))),
    )
)
def test_utc_text_is_what_strftime_writes_in_every_century(moment: datetime) -> None:
    assert _iso(moment) == _reference_iso(moment)


def _outcome(parse: Any, value: str) -> Any:
    try:
        return parse(value)
    except (TypeError, ValueError, IndexError) as exc:
        return type(exc)


_date_text = st.builds(
    "{}{}{} {} {} {}:{}:{} {}{}".format,
    st.sampled_from(["Mon", "Sun", "mon", "Fre", ""]),
    st.sampled_from([",", "", ", "]),
    st.sampled_from([" ", "  ", ""]),
    st.sampled_from(["1", "09", "9", "31", "00", "29", "٣"]),
    st.sampled_from(["Jan", "Feb", "Nov", "nov", "NOV", "Foo"]),
    st.sampled_from(["2026", "1999", "0999", "1000", "99", "26", "9999", "20266"]),
    st.sampled_from(["00", "23", "24", "7"]),
    st.sampled_from(["00", "59", "60"]),
    st.sampled_from(["00", "56", "60", "5"]),
    st.sampled_from(["+0100", "-0000", "+0000", "-0130", "+0099", "+2400", "-2359", "EST", "GMT", "+01:00", "+100"]),
    st.sampled_from(["", " (CET)", "  ", " extra"]),
)


@settings(max_examples=600, deadline=None)
@given(_date_text)
def test_date_header_times_are_what_parsedate_to_datetime_reads(value: str) -> None:
    assert _outcome(_date_header_time, value) == _outcome(parsedate_to_datetime, value)


def _reference_disposition(part: dict[str, Any]) -> str | None:
    for item in part.get("headers") or ():
        if isinstance(item, dict) and str(item.get("name", "")).lower() == "content-disposition":
            return str(item.get("value", "")).split(";", 1)[0].split("(", 1)[0].strip().lower()
    return None


_header_name = st.sampled_from(
    ["Content-Disposition", "CONTENT-DISPOSITION", " content-disposition", "Content-Dİsposition", "Content-Type"]
    + ["content-type ", "CONTENT-TYPE", "X", 19, None, True, ["Content-Disposition"]]
)
_header_value = st.sampled_from(["attachment; filename=a", "Inline (x)", "text/plain; charset=latin1", 7, None, ""])
_header_item = st.one_of(
    st.builds(lambda n, v: {"name": n, "value": v}, _header_name, _header_value),
    st.builds(lambda n: {"name": n}, _header_name),
    st.sampled_from(["Content-Disposition", None, 3, []]),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_header_item, max_size=6))
def test_header_lookups_agree_with_the_general_forms(headers: list[Any]) -> None:
    assert mail_bodies._disposition({"headers": headers}) == _reference_disposition({"headers": headers})
    for name in ("content-type", "content-disposition"):
        assert first_header(headers, name) == header_map(headers).get(name)


def test_the_tag_cache_remembers_markup_never_text_in_angle_brackets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mail_bodies, "_TOKEN_MEANINGS", {})
    text = html_to_text("<div>Write to <jane.doe@example.org> or <Smith></div><span>x</span>")
    assert "x" in text
    assert set(mail_bodies._TOKEN_MEANINGS) == {"<div>", "</div>", "<span>", "</span>"}
