"""A real SMTP server on loopback (aiosmtpd) that records what it gets."""

from __future__ import annotations

from typing import Any


class Sink:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.replies: list[str] = []  # replies to give before accepting, e.g. "451 try later"
        self.data_calls = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_calls += 1
        if self.replies:
            return self.replies.pop(0)
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 OK"
