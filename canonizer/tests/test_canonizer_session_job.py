"""Sessions by configuration (issue 13, item 5): the session table's publisher prefix and
logical name come from the CRM connection, never from code."""

from __future__ import annotations

from typing import Any

from canonizer.jobs_clinical import canonicalize_contacts
from lorchestra.home import PhiHome
from sample_taps import practice
from warehouse_support import Warehouse, home  # noqa: F401  (home: the fixture)


def sessions_of(prefix: str, table: str) -> list[dict[str, Any]]:
    """The story's 26 sessions as a table ``table`` of a publisher ``prefix`` would send them."""
    found = []
    for row in practice.dataverse_records("cr7a2_session"):
        renamed = {key.replace("cr7a2_", prefix): value for key, value in row.items()}
        renamed[f"{table}id"] = renamed.pop(f"{prefix}sessionid")
        found.append(renamed)
    return found


def run(warehouse: Warehouse) -> dict[str, int]:
    warehouse.store.ensure_schema()
    return warehouse.run(canonicalize_contacts)


def test_sessions_of_a_table_with_another_prefix_arrive_by_configuration_alone(home: PhiHome) -> None:  # noqa: F811
    crm = [
        {"name": "dataverse", "system": "dataverse", "publisher_prefix": "pw7_"},
        {"name": "dataverse-old", "system": "dataverse"},
        {"name": "dataverse-renamed", "system": "dataverse", "publisher_prefix": "pw7_", "session_table": "pw7_termin"},
    ]
    warehouse = Warehouse(home, crm, kind="crm")
    try:
        warehouse.emit("dataverse", "dataverse", "contact", "contactid", practice.dataverse_records("contact"))
        warehouse.emit("dataverse", "dataverse", "session", "pw7_sessionid", sessions_of("pw7_", "pw7_session"))
        warehouse.emit(
            "dataverse", "dataverse-old", "session", "cr7a2_sessionid", practice.dataverse_records("cr7a2_session")[:2]
        )
        warehouse.emit(
            "dataverse", "dataverse-renamed", "session", "pw7_terminid", sessions_of("pw7_", "pw7_termin")[:3]
        )
        warehouse.emit(
            "dataverse",
            "dataverse-unknown",
            "session",
            "cr7a2_sessionid",
            practice.dataverse_records("cr7a2_session")[:1],
        )
        counts = run(warehouse)
        assert (counts["inputs"], counts["rejected"]) == (13 + 26 + 2 + 3 + 1, 1)
        sessions = [p for _, p in warehouse.store.read_objects("canonical_objects", "clinical_session")]
        contacts = {p["contact_id"] for _, p in warehouse.store.read_objects("canonical_objects", "contact")}
        assert len(sessions) == 26 + 2 + 3
        assert all(s["session_id"] and s["contact_id"] in contacts and s["session_at"] for s in sessions)
        assert {s["session_type"] for s in sessions} == {"Erstgespräch", "Probatorische Sitzung", "Einzeltherapie"}
        assert sorted(s["duration_minutes"] for s in sessions).count(100) == 1
        rejects = warehouse.rows("SELECT rule, field, connection_name FROM rejects")
        assert rejects == [
            {"rule": "connection_not_configured", "field": "connection_name", "connection_name": "dataverse-unknown"}
        ]
    finally:
        warehouse.store.close()


def test_a_session_table_configured_under_another_name_rejects_each_row_naming_the_id_column(
    home: PhiHome,  # noqa: F811
) -> None:
    warehouse = Warehouse(home, [{"name": "dataverse", "system": "dataverse", "publisher_prefix": "pw7_"}], kind="crm")
    try:
        warehouse.emit(
            "dataverse", "dataverse", "session", "cr7a2_sessionid", practice.dataverse_records("cr7a2_session")
        )
        counts = run(warehouse)
        assert (counts["inputs"], counts["rejected"]) == (26, 26)
        rules = warehouse.rows("SELECT DISTINCT rule, field FROM rejects")
        assert rules == [{"rule": "input.required", "field": "pw7_sessionid"}]
        assert list(warehouse.store.read_objects("canonical_objects", "clinical_session")) == []
        # fixed in the configuration: the next run reads them again
        warehouse.configure("crm", [{"name": "dataverse", "system": "dataverse"}])
        fixed = run(warehouse)
        assert (fixed["inputs"], fixed["rejected"], fixed["outputs_inserted"]) == (26, 0, 26)
    finally:
        warehouse.store.close()
