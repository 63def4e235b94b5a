"""The one definition of a storable record (json_rules): what every reader reads back."""

from __future__ import annotations

import orjson
import pytest

from lorchestra.stack_clients.json_rules import MAX_DEPTH, JsonFault, parse_record


def nested(depth: int) -> bytes:
    """A record ``depth`` levels deep (the record itself is level 1)."""
    return b'{"a":' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        (nested(MAX_DEPTH), None),
        (nested(MAX_DEPTH + 1), ("json_too_deep", "a")),
        (nested(2000), ("json_too_deep", "a")),  # beyond orjson's own limit too
        (b'{"n":18446744073709551615}', None),  # uint64 max
        (b'{"n":18446744073709551616}', ("number_out_of_range", "n")),
        (b'{"n":-9223372036854775808}', None),  # int64 min
        (b'{"n":-9223372036854775809}', ("number_out_of_range", "n")),
        (b'{"n":1.7976931348623157e308}', None),
        (b'{"n":1.8e308}', ("number_out_of_range", "n")),
        (b'{"n":1e-320}', None),  # a subnormal double, not zero
        (b'{"n":1e-400}', ("number_out_of_range", "n")),
        (b'{"n":0.0e-400}', None),
        (b'{"n":"123456789012345678901234567890 1e-999"}', None),  # text, not numbers
        (b'{"a":{"b\\"":[0,{"c":1e999}]}}', ("number_out_of_range", 'a.b"[1].c')),
        (b'{"n":NaN}', ("malformed_json", "$")),
        (b'{"a":1,}', ("malformed_json", "$")),
        (b'{"a":"\\ud800"}', ("malformed_json", "$")),
        (b'\xef\xbb\xbf{"a":1}', ("malformed_json", "$")),
        (b'{"a":"\xff"}', ("invalid_utf8", "$")),
        (b"[1]", ("not_an_object", "$")),
    ],
)
def test_a_record_is_an_object_every_reader_reads_back_as_the_same_values(
    text: bytes, fault: tuple[str, str] | None
) -> None:
    got = parse_record(text)
    if fault is None:
        assert got == orjson.loads(text)
    else:
        assert got == JsonFault(*fault)


def test_a_field_path_is_cut_short_and_never_holds_a_value() -> None:
    text = b'{"a":' + b'{"b":' * 30 + b"1e999" + b"}" * 31
    got = parse_record(text)
    assert isinstance(got, JsonFault) and got.rule == "number_out_of_range"
    assert got.field == "a" + ".b" * 9 + ".…" and "999" not in got.field
