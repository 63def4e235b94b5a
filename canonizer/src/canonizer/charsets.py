"""Bytes to text under a charset label, as the WHATWG Encoding Standard reads labels.

Mail clients label windows-1252 text ``iso-8859-1``, ``latin1``, ``ascii`` or
``us-ascii``; WHATWG (what browsers and mail readers do) reads all of these as
windows-1252, so ``€`` and ``–`` survive. ``webencodings`` holds the label table. A part
with no label, or one WHATWG does not know, is UTF-8 when its bytes are UTF-8, else
windows-1252 (the RFC 2045 default us-ascii, read as WHATWG reads it).
"""

from __future__ import annotations

import codecs
from functools import lru_cache

import webencodings

_BYTE_ORDER_MARKS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# WHATWG's windows-1252 maps the five bytes Python's cp1252 leaves undefined to U+0081 etc.
_WINDOWS_1252 = "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256))


def decode(data: bytes, label: str | None) -> str:
    """``data`` as text; bytes the encoding cannot read become U+FFFD. A byte order mark
    overrides the label (WHATWG's decode)."""
    if data[:1] in (b"\xef", b"\xff", b"\xfe"):
        for mark, name in _BYTE_ORDER_MARKS:
            if data.startswith(mark):
                return data[len(mark) :].decode(name, errors="replace")
    encoding = _encoding(label) if label else None
    if encoding is None:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return _windows_1252(data)
    if encoding.name == "windows-1252":
        return _windows_1252(data)
    return str(encoding.codec_info.decode(data, "replace")[0])


def _windows_1252(data: bytes) -> str:
    return codecs.charmap_decode(data, "strict", _WINDOWS_1252)[0]


@lru_cache(maxsize=256)  # a handful of labels cover nearly all mail
def _encoding(label: str) -> webencodings.Encoding | None:
    return webencodings.lookup(label)
