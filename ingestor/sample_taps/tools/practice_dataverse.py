"""The Dataverse side of the practice fixtures (contacts and sessions), built by
``make_practice_fixtures.py``: one contact per client, revision 2 edits one phone number."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from practice_ids_clock import berlin, digest, formatted, guid, local, z_seconds
from practice_story import CLIENTS, SESSION_TYPES, WINDOW, Client

CONTACT_REVISION_2 = ("richter", "+49 761 7712034", datetime(2026, 11, 13, 9, 14, 3, tzinfo=UTC))


def contact_record(client: Client, created: datetime, modified: datetime, version: int) -> dict[str, Any]:
    owner_id, owner_name = client.therapist
    contact_id = "5d4a5c1e-8f0b-ef11-9f89-000d3a4b2c11" if client.key == "gross" else guid("contact", client.key)
    return {
        "contactid": contact_id,
        "firstname": client.first,
        "lastname": client.last,
        "fullname": client.name,
        "emailaddress1": client.contact_email,
        "telephone1": client.telephone,
        "mobilephone": client.mobile,
        "createdon": z_seconds(created),
        "createdon@OData.Community.Display.V1.FormattedValue": formatted(created),
        "modifiedon": z_seconds(modified),
        "modifiedon@OData.Community.Display.V1.FormattedValue": formatted(modified),
        "statecode": 0,
        "statecode@OData.Community.Display.V1.FormattedValue": "Active",
        "statuscode": 1,
        "statuscode@OData.Community.Display.V1.FormattedValue": "Active",
        "_parentcustomerid_value": None,
        "_ownerid_value": owner_id,
        "_ownerid_value@OData.Community.Display.V1.FormattedValue": owner_name,
        "_ownerid_value@Microsoft.Dynamics.CRM.associatednavigationproperty": "ownerid",
        "_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "systemuser",
        "versionnumber": version,
    }


def session_record(
    client: Client, contact_id: str, kind: str, when: datetime, minutes: int, created: datetime, version: int
) -> dict[str, Any]:
    session_id = (
        "b1f0e7d2-3c4a-ef11-a81c-6045bd8c1f07"
        if client.key == "gross"
        else guid("session", client.key, z_seconds(when))
    )
    return {
        "cr7a2_sessionid": session_id,
        "cr7a2_name": f"{kind} {client.last} {berlin(when):%Y-%m-%d}",
        "cr7a2_sessiondate": z_seconds(when),
        "cr7a2_sessiondate@OData.Community.Display.V1.FormattedValue": formatted(when),
        "cr7a2_sessiontype": SESSION_TYPES[kind],
        "cr7a2_sessiontype@OData.Community.Display.V1.FormattedValue": kind,
        "cr7a2_durationminutes": minutes,
        "_cr7a2_contact_value": contact_id,
        "_cr7a2_contact_value@OData.Community.Display.V1.FormattedValue": client.name,
        "_cr7a2_contact_value@Microsoft.Dynamics.CRM.associatednavigationproperty": "cr7a2_Contact",
        "_cr7a2_contact_value@Microsoft.Dynamics.CRM.lookuplogicalname": "contact",
        "statecode": 0,
        "statuscode": 1,
        "createdon": z_seconds(created),
        "modifiedon": z_seconds(created),
        "versionnumber": version,
    }


def dataverse(first_response: dict[str, datetime]) -> dict[str, Any]:
    rows: list[tuple[datetime, str, Client, dict[str, Any]]] = []  # (modifiedon, stream, client, args)
    for client in CLIENTS:
        if client.contact_email is None:
            continue
        rng = random.Random(f"contact:{client.key}")
        if client.key == "mueller":  # after the practice's reply of Mon 9 Nov (e-mail fixtures)
            created = local(2026, 11, 9, 11, 58, 41)
        elif client.key == "gross":  # after the reply of Tue 10 Nov
            created = local(2026, 11, 10, 8, 49, 11)
        else:  # the morning of the intake day
            day = berlin(first_response[client.key])
            created = local(day.year, day.month, day.day, 8, rng.randint(0, 40), rng.randint(0, 59))
        sessions = [(k, local(*w), m) for k, w, m in client.sessions]
        past = [w for _, w, _ in sessions if w < WINDOW[1] - timedelta(days=1)]
        modified = (
            past[0] + timedelta(hours=2, minutes=rng.randint(0, 50), seconds=rng.randint(0, 59))
            if past
            else created + timedelta(hours=23, minutes=rng.randint(0, 50))
        )
        rows.append((modified, "contact", client, {"created": created, "modified": modified}))
        for n, (kind, when, minutes) in enumerate(sessions):
            made = max(created + timedelta(minutes=3 + n), when - timedelta(days=6, hours=rng.randint(0, 5)))
            rows.append((made, "session", client, {"kind": kind, "when": when, "minutes": minutes, "created": made}))
    rows.sort(key=lambda row: (row[0], row[1]))
    contacts, sessions_out, ids = [], [], {}
    for rank, (_, stream, client, args) in enumerate(rows):
        version = 4_571_000 + rank * 113 + digest("version", rank)[0] % 97
        if stream == "contact":
            record = contact_record(client, args["created"], args["modified"], version)
            ids[client.key] = record["contactid"]
            contacts.append(record)
    for rank, (_, stream, client, args) in enumerate(rows):
        version = 4_571_000 + rank * 113 + digest("version", rank)[0] % 97
        if stream == "session":
            sessions_out.append(
                session_record(
                    client, ids[client.key], args["kind"], args["when"], args["minutes"], args["created"], version
                )
            )
    contacts.sort(key=lambda r: r["contactid"])
    sessions_out.sort(key=lambda r: r["cr7a2_sessionid"])
    key, phone, when = CONTACT_REVISION_2
    old = next(r for r in contacts if r["contactid"] == ids[key])
    new = {
        **old,
        "telephone1": phone,
        "modifiedon": z_seconds(when),
        "modifiedon@OData.Community.Display.V1.FormattedValue": formatted(when),
        "versionnumber": 4_571_000 + len(rows) * 113 + 41,
    }
    return {
        "source": "dataverse",
        "streams": {"contact": contacts, "cr7a2_session": sessions_out},
        "revision_2": {"contact": [{"replaces": old["contactid"], "record": new}], "cr7a2_session": []},
    }
