"""Deterministic ids and the practice's clock for the practice fixtures: ids derived from
what they name, Europe/Berlin wall-clock times in the fixture window (the offset rule is exact
for 2026, no time-zone database) and the timestamp formats the sources use."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

DST_END = datetime(2026, 10, 25, 1, 0, tzinfo=UTC)  # 03:00 CEST -> 02:00 CET


def digest(*parts: object) -> bytes:
    return hashlib.sha256("|".join(map(str, parts)).encode()).digest()


def hex8(*parts: object) -> str:
    return digest(*parts).hex()[:8]


def token(*parts: object, length: int) -> str:
    text = base64.urlsafe_b64encode(digest(*parts) + digest("more", *parts)).decode("ascii")
    return text.replace("=", "")[:length]


def guid(kind: str, *parts: object) -> str:
    h = digest(kind, *parts).hex()
    tail = "9f89-000d3a4b" if kind == "contact" else "a81c-6045bd8c"
    return f"{h[:8]}-{h[8:12]}-ef11-{tail}{h[12:16]}"


def berlin_offset(utc: datetime) -> timedelta:
    return timedelta(hours=2 if utc < DST_END else 1)


def local(y: int, mo: int, d: int, h: int, mi: int, s: int = 0, us: int = 0) -> datetime:
    """A Europe/Berlin wall-clock time (daytime only, so never ambiguous) as UTC."""
    return from_berlin(datetime(y, mo, d, h, mi, s, us))


def from_berlin(wall: datetime) -> datetime:
    assert wall.year == 2026 and 7 <= wall.hour <= 21, "2026, daytime only"
    offset = timedelta(hours=2) if (wall.month, wall.day) < (10, 25) else timedelta(hours=1)
    return wall.replace(tzinfo=UTC) - offset


def berlin(utc: datetime) -> datetime:
    return (utc + berlin_offset(utc)).replace(tzinfo=None)


def z_seconds(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def z_millis(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def z_micros(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def formatted(utc: datetime) -> str:
    """Dataverse FormattedValue of a date-time, German UI: local time, no seconds."""
    return berlin(utc).strftime("%d.%m.%Y %H:%M")
