"""The one-time start token and the sessions it opens (as Jupyter's token, but spent once).

The token printed by ``lorc serve`` is exchanged once for a session: a random id kept
in an HttpOnly cookie, with its own CSRF token, valid for ``console.session_hours``.
Everything lives in the server's memory: a restart ends every session and prints a new
token, which is the way to sign in again.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

COOKIE = "lorc_console_session"
DEFAULT_SESSION_HOURS = 8.0


@dataclass(frozen=True)
class Session:
    session_id: str
    csrf_token: str
    expires_at: float  # on the clock of :class:`Sessions`: wall time, which runs on while the machine sleeps


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8")).digest()


class Sessions:
    """The start token (kept only as a digest) and the live sessions; thread-safe."""

    def __init__(
        self, token: str, *, session_hours: float = DEFAULT_SESSION_HOURS, clock: Callable[[], float] = time.time
    ) -> None:
        self._clock = clock
        self._token: bytes | None = _digest(token)
        self._lifetime = session_hours * 3600
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    @property
    def lifetime_seconds(self) -> int:
        return int(self._lifetime)

    def exchange(self, token: str) -> Session | None:
        """A new session for the start token, once; None for a wrong or spent token."""
        with self._lock:
            if self._token is None or not secrets.compare_digest(self._token, _digest(token)):
                return None
            self._token = None
            session = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), self._clock() + self._lifetime)
            self._sessions[session.session_id] = session
            return session

    def get(self, session_id: str | None) -> Session | None:
        """The live session of a cookie's value; an expired one is dropped."""
        if not session_id:
            return None
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                return None
            if self._clock() >= session.expires_at:
                del self._sessions[session_id]
                return None
            return session


def new_token() -> str:
    return secrets.token_urlsafe(32)
