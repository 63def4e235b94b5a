"""A real SMTP server on loopback (aiosmtpd) that records what it gets, and misbehaves
on request: temporary or permanent replies, refused recipients, a connection dropped
right after a message was accepted."""

from __future__ import annotations

import asyncio
from typing import Any


class Sink:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.replies: list[str] = []  # replies to give before accepting, e.g. "451 try later"
        self.refuse: dict[str, str] = {}  # recipient -> reply to RCPT TO, e.g. "550 5.1.1 no such user"
        self.drop_after_accept = 0  # close the connection after this many more accepted messages
        self.data_calls = 0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_calls += 1
        if self.replies:
            return self.replies.pop(0)
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        if self.drop_after_accept:
            self.drop_after_accept -= 1
            # the 250 goes out first; then the connection is gone before the client's next command
            asyncio.get_running_loop().call_later(0.05, server.transport.close)
        return "250 OK"
