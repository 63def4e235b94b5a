"""tap-sample-dataverse through the real `meltano run` (extractions shared via conftest.py)."""

from __future__ import annotations

import re

from ingestor_practice_support import Extraction, practice_fixture, same

FV = "@OData.Community.Display.V1.FormattedValue"
NAV = "@Microsoft.Dynamics.CRM.associatednavigationproperty"
LOOKUP = "@Microsoft.Dynamics.CRM.lookuplogicalname"
# source-payloads.md §4, in order
CONTACT_KEYS = [
    "contactid",
    "firstname",
    "lastname",
    "fullname",
    "emailaddress1",
    "telephone1",
    "mobilephone",
    "createdon",
    "createdon" + FV,
    "modifiedon",
    "modifiedon" + FV,
    "statecode",
    "statecode" + FV,
    "statuscode",
    "statuscode" + FV,
    "_parentcustomerid_value",
    "_ownerid_value",
    "_ownerid_value" + FV,
    "_ownerid_value" + NAV,
    "_ownerid_value" + LOOKUP,
    "versionnumber",
]
SESSION_KEYS = [
    "cr7a2_sessionid",
    "cr7a2_name",
    "cr7a2_sessiondate",
    "cr7a2_sessiondate" + FV,
    "cr7a2_sessiontype",
    "cr7a2_sessiontype" + FV,
    "cr7a2_durationminutes",
    "_cr7a2_contact_value",
    "_cr7a2_contact_value" + FV,
    "_cr7a2_contact_value" + NAV,
    "_cr7a2_contact_value" + LOOKUP,
    "statecode",
    "statuscode",
    "createdon",
    "modifiedon",
    "versionnumber",
]
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
UTC_Z = re.compile(r"2026-\d\d-\d\dT\d\d:\d\d:\d\dZ")
RICHTER = "74ae7566-c52b-ef11-9f89-000d3a4b219c"  # CLIENTS.md "Revision 2"


def test_contacts_and_sessions_equal_the_fixtures(dataverse_rev1: Extraction) -> None:
    streams = practice_fixture("dataverse")["streams"]
    assert sorted(dataverse_rev1.paths) == ["contact", "cr7a2_session"]
    assert len(dataverse_rev1.records("contact")) == 13
    assert len(dataverse_rev1.records("cr7a2_session")) == 26
    assert same(dataverse_rev1.records("contact"), streams["contact"])
    assert same(dataverse_rev1.records("cr7a2_session"), streams["cr7a2_session"])
    assert "not found in catalog schema" not in dataverse_rev1.log.read_text(encoding="utf-8")


def test_annotations_and_shapes_as_in_source_payloads(dataverse_rev1: Extraction) -> None:
    contacts = dataverse_rev1.records("contact")
    sessions = dataverse_rev1.records("cr7a2_session")
    assert all(list(c) == CONTACT_KEYS for c in contacts)
    assert all(list(s) == SESSION_KEYS for s in sessions)
    for record in contacts + sessions:
        guids = [v for k, v in record.items() if k.endswith(("id", "_value")) and v is not None]
        assert guids and all(GUID.fullmatch(g) for g in guids)
        assert UTC_Z.fullmatch(record["createdon"]) and UTC_Z.fullmatch(record["modifiedon"])
        assert isinstance(record["versionnumber"], int) and isinstance(record["statecode"], int)
    assert all(isinstance(s["cr7a2_sessiontype"], int) and s["cr7a2_sessiontype"] >= 100000000 for s in sessions)
    emails = [c["emailaddress1"] for c in contacts]
    assert any(e != e.strip() for e in emails) and any(e != e.lower() for e in emails)
    joerg = next(c for c in contacts if c["contactid"] == "5d4a5c1e-8f0b-ef11-9f89-000d3a4b2c11")
    assert (joerg["fullname"], joerg["emailaddress1"], joerg["_ownerid_value" + FV]) == (
        "Jörg Groß",
        "Joerg.Gross@Web.de",
        "Julia Weber",
    )


def test_every_session_references_a_contact(dataverse_rev1: Extraction) -> None:
    contacts = {c["contactid"]: c for c in dataverse_rev1.records("contact")}
    per_contact: dict[str, int] = {}
    for session in dataverse_rev1.records("cr7a2_session"):
        contact = contacts[session["_cr7a2_contact_value"]]
        assert session["_cr7a2_contact_value" + FV] == contact["fullname"]
        assert session["_cr7a2_contact_value" + LOOKUP] == "contact"
        per_contact[contact["contactid"]] = per_contact.get(contact["contactid"], 0) + 1
    assert set(per_contact) == set(contacts) and set(per_contact.values()) <= {1, 2, 3}


def test_revision_2_changes_exactly_one_contact(dataverse_rev1: Extraction, dataverse_rev2: Extraction) -> None:
    assert same(dataverse_rev2.records("cr7a2_session"), dataverse_rev1.records("cr7a2_session"))
    old_all, new_all = dataverse_rev1.records("contact"), dataverse_rev2.records("contact")
    changed = [(o, n) for o, n in zip(old_all, new_all, strict=True) if o != n]
    assert len(changed) == 1
    old, new = changed[0]
    assert old["contactid"] == new["contactid"] == RICHTER
    assert {k for k in old if old[k] != new[k]} == {"telephone1", "modifiedon", "modifiedon" + FV, "versionnumber"}
    assert (old["telephone1"], new["telephone1"]) == ("+49 761 3849205", "+49 761 7712034")
    assert (new["modifiedon"], new["modifiedon" + FV]) == ("2026-11-13T09:14:03Z", "13.11.2026 10:14")
    every_version = [r["versionnumber"] for r in old_all + dataverse_rev1.records("cr7a2_session")]
    assert new["versionnumber"] == 4575448 > max(every_version)
    assert new["modifiedon"] > max(r["modifiedon"] for r in old_all)
