"""Who a row is about, as the reports name them: ``clients`` is ``{client_id: {"name":
..., "email": ...}}`` from the canonical contacts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

Clients = Mapping[str, Mapping[str, Any]]

UNLINKED = "(keinem Kontakt zugeordnet)"


def client_name(clients: Clients, client_id: Any) -> str:
    entry = clients.get(str(client_id)) if client_id is not None else None
    name = entry.get("name") if entry else None
    return str(name) if name else f"(kein Kontakt zu {client_id})"


def clients_from_contacts(contacts: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """``{contact_id: {"name", "email"}}`` of canonical ``contact`` payloads."""
    return {c["contact_id"]: {"name": c.get("full_name") or "", "email": c.get("email") or ""} for c in contacts}
