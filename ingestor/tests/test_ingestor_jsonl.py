from __future__ import annotations

from pathlib import Path

import pytest

from ingestor import JsonlFormatError, iter_jsonl_records

SECRET = "Anna Müller"


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "messages.jsonl"
    path.write_bytes(data)
    return path


def test_records_stream_back_and_blank_lines_are_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, b'{"id": "1", "n": "J\\u00f6rg"}\r\n\n   \n{"id":"2","nested":{"a":[1,2]}}')
    assert list(iter_jsonl_records(path)) == [{"id": "1", "n": "Jörg"}, {"id": "2", "nested": {"a": [1, 2]}}]
    assert list(iter_jsonl_records(write(tmp_path, b""))) == []


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        (b'{"from": "Anna M\xfcller"}', "invalid UTF-8"),
        ('{"from": "Anna Müller"'.encode(), "malformed JSON"),
        ('{"from": "Anna Müller"} trailing'.encode(), "malformed JSON"),
        ('["Anna Müller"]'.encode(), "not a JSON object"),
        ('"Anna Müller"'.encode(), "not a JSON object"),
        (b"42", "not a JSON object"),
        (b"null", "not a JSON object"),
    ],
)
def test_a_bad_line_names_file_line_and_kind_but_not_the_content(tmp_path: Path, line: bytes, kind: str) -> None:
    path = write(tmp_path, b'{"id": "1"}\n\n' + line + b'\n{"id": "4"}\n')
    records = iter_jsonl_records(path)
    assert next(records) == {"id": "1"}  # streaming: the good lines before the fault come out
    with pytest.raises(JsonlFormatError) as caught:
        next(records)
    error = caught.value
    assert (error.path, error.line_number, error.kind) == (path, 3, kind)
    assert str(error) == f"{path}: line 3: {kind}"
    assert "Anna" not in str(error) and "Anna" not in repr(error.args)
    # The parser's exception (which holds the line) is neither chained nor kept as context.
    assert error.__cause__ is None and error.__context__ is None
    assert isinstance(error, ValueError)
