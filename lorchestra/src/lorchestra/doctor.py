"""``lorc doctor``: check everything a run needs and say exactly what to fix."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ingestor import MeltanoNotFoundError, find_meltano_sys_dir
from lorchestra.config import Config, load_config
from lorchestra.connect import verify_connection
from lorchestra.connect.errors import ConnectError
from lorchestra.connections import Connection, connections
from lorchestra.errors_safe import safe_error
from lorchestra.exceptions import (
    DatasetLocationError,
    DatasetMissingError,
    LorcError,
    StorageRefusedError,
    StorageUnreachableError,
    WarehouseLockedError,
)
from lorchestra.home import PhiHome
from lorchestra.jobs import JobRegistry, selected_entry_points
from lorchestra.processes import describe_process
from lorchestra.runlock import LockHolder, lock_holder, lock_path
from lorchestra.stack_clients import TABLE_NAMES, open_store
from lorchestra.stack_clients.views import views_dir

CHECKS_GROUP = "lorchestra.checks"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str | None = None


def diagnose(home: PhiHome, environ: Mapping[str, str] | None = None) -> list[Check]:
    checks: list[Check] = []
    if not home.exists():
        return [Check("phi home", False, f"{home.root} does not exist", "run `lorc init`")]
    checks.append(Check("phi home", True, str(home.root)))
    problems = home.permission_problems()
    if problems:
        shown = "; ".join(p.describe() for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        checks.append(
            Check(
                "permissions", False, f"{len(problems)} path(s) not private: {shown}{more}", home.fix_all(problems[:5])
            )
        )
    else:
        checks.append(Check("permissions", True, "directories 0700, files 0600, no link out of the home"))
    try:
        config = load_config(home, environ)
    except LorcError as exc:
        checks.append(Check("config", False, str(exc), f"edit {home.config_path}"))
        return checks
    checks.append(Check("config", True, f"{home.config_path} (profile {config.profile}, backend {config.backend})"))
    checks.append(check_storage(config))
    checks.append(_check_meltano())
    registry = JobRegistry.discover()
    checks.append(
        Check(
            "job plugins",
            not registry.warnings,
            "; ".join(registry.warnings) or f"{len(registry.jobs)} jobs: {', '.join(registry.jobs)}",
            "reinstall or remove the broken plugin package" if registry.warnings else None,
        )
    )
    checks.extend(connection_checks(config))
    checks.extend(plugin_checks(config))
    return checks


def connection_checks(config: Config) -> list[Check]:
    """Per connection on the production profile: its tap is installed, its secrets are set,
    a token can be obtained and the source answers one cheap call (a Dataverse session table
    exists under its configured names). Names and fixes only."""
    if config.profile == "sample":
        return []
    return [_check_connection(config, connection) for connection in connections(config)]


def _check_connection(config: Config, connection: Connection) -> Check:
    name = f"connection {connection.name}"
    try:
        installed = (find_meltano_sys_dir() / "extractors" / connection.tap / "venv" / "bin" / connection.tap).is_file()
    except MeltanoNotFoundError:
        installed = False
    if not installed:
        return Check(name, False, f"tap {connection.tap} is not installed", "run `./dev setup`")
    secrets, missing = connection.secrets(config.secrets)
    if missing:
        return Check(
            name,
            False,
            f"secrets missing: {', '.join(missing)}",
            f"run `{connection.connect_command}` (or set them in {config.home.dotenv_path})",
        )
    try:
        found = verify_connection(connection, secrets)
    except ConnectError as exc:
        return Check(name, False, exc.detail, exc.fix)
    return Check(name, True, found)


def plugin_checks(config: Config) -> list[Check]:
    """The checks packages register in the ``lorchestra.checks`` entry-point group: a
    function of the config that returns what it found, or raises an error whose message
    says what to fix (e.g. reporter's: recipients, allowlist, TLS); LORC_LOAD_PLUGINS chooses
    them as it chooses job plugins."""
    found = []
    for ep in sorted(selected_entry_points(CHECKS_GROUP)[0], key=lambda e: e.name):
        name = ep.name.replace("_", " ")
        try:
            found.append(Check(name, True, str(ep.load()(config))))
        except Exception as exc:  # noqa: BLE001 - a broken plugin is a failed check, never a crashed doctor
            found.append(Check(name, False, safe_error(exc), f"edit {config.home.config_path}"))
    return found


def check_storage(config: Config) -> Check:
    """Reachable, and holding the suite's tables (read-only: doctor never writes). A DuckDB
    warehouse held by a lorc run is fine (its tables are checked once the run is over);
    held by any other program, it blocks every run, so that program is named."""
    if config.backend == "duckdb" and not config.duckdb_path.exists():
        return Check("storage", False, f"no warehouse at {config.duckdb_path}", "run `lorc init`")
    lock = lock_path(config.home)
    if config.backend == "duckdb":
        from lorchestra.stack_clients.duckdb_store.holders import processes_holding

        if (live := lock_holder(lock)) is not None:
            return _in_use_by_run(config, live)
        if others := processes_holding(config.duckdb_path):  # even read-only, it keeps every run out
            return _in_use_by_other(config, ", ".join(describe_process(pid) for pid in others))
    try:
        store = open_store(config, read_only=True)
        try:
            bigquery_store = None
            if config.backend == "bigquery":
                from lorchestra.stack_clients.bigquery_store.store import BigQueryStore

                bigquery_store = store if isinstance(store, BigQueryStore) else None
            if bigquery_store is not None:
                bigquery_store.check_ready()
            missing = [t for t in TABLE_NAMES if not store.has_table(t)]
            if bigquery_store is not None and not missing:
                bigquery_store.check_layout()  # a dataset of an earlier version: every run stops at it
        finally:
            store.close()
    except WarehouseLockedError as exc:
        if (live := lock_holder(lock)) is not None:
            return _in_use_by_run(config, live)
        return _in_use_by_other(config, exc.holder)
    except LorcError as exc:
        return Check("storage", False, _storage_problem(exc), _storage_fix(config, exc))
    except Exception as exc:  # noqa: BLE001 - doctor reports any failure as a check
        return Check("storage", False, safe_error(exc), _storage_fix(config))
    if missing:
        return Check("storage", False, f"tables missing: {', '.join(missing)}", "run `lorc init`")
    where = config.duckdb_path if config.backend == "duckdb" else config.section("storage", "bigquery").get("dataset")
    return Check("storage", True, f"{config.backend} at {where}: all tables present")


def _in_use_by_run(config: Config, live: LockHolder) -> Check:
    since = f" since {live.since:%Y-%m-%d %H:%M:%S} UTC" if live.since else ""
    return Check(
        "storage",
        True,
        f"{config.duckdb_path} is in use by {live.describe()}{since}; its tables are checked when the run has finished",
    )


def _in_use_by_other(config: Config, holders: str) -> Check:
    return Check(
        "storage",
        False,
        f"{config.duckdb_path} is in use by {holders}; no run can start meanwhile",
        f"close that program's connection to the warehouse; to read beside lorc, use the views "
        f"in {views_dir(config.home)} (README, `Reading the views`)",
    )


def _storage_problem(exc: LorcError) -> str:
    if isinstance(exc, StorageRefusedError) and exc.about_billing:
        return f"billing is not enabled: {exc}"
    if isinstance(exc, StorageRefusedError) and exc.status == 403:
        return f"access denied: {exc}"
    return str(exc)


def _storage_fix(config: Config, exc: LorcError | None = None) -> str:
    if config.backend != "bigquery":
        return "check the warehouse file's owner and permissions"
    section = config.section("storage", "bigquery")
    project, dataset, location = section.get("project"), section.get("dataset"), section.get("location")
    if isinstance(exc, DatasetMissingError):
        return (
            f"run `lorc init --create-dataset` (creates {dataset} in {location}; needs bigquery.datasets.create), "
            f"or create dataset {dataset} in location {location} in the Google Cloud console"
        )
    if isinstance(exc, DatasetLocationError):
        return (
            "set storage.bigquery.location to where the dataset is, if the practice's data may live there; "
            f"else set storage.bigquery.dataset to a dataset in {location}"
        )
    if isinstance(exc, StorageRefusedError) and exc.about_billing:
        return (
            f"enable billing for project {project} (Google Cloud console, Billing): without it BigQuery runs "
            "only within the sandbox's limits, which exclude the DML (MERGE, INSERT) every run uses and "
            "delete tables after 60 days"
        )
    if isinstance(exc, StorageRefusedError) and exc.status == 403:
        return (
            f"grant the account lorc uses BigQuery Data Editor (roles/bigquery.dataEditor) on dataset "
            f"{project}.{dataset} and BigQuery Job User (roles/bigquery.jobUser) on project {project}"
        )
    if isinstance(exc, StorageRefusedError) and exc.status == 401:
        return "the credentials were not accepted: check GOOGLE_APPLICATION_CREDENTIALS (docs/bigquery.md)"
    if isinstance(exc, StorageUnreachableError):
        return "check the network (and storage.bigquery.api_endpoint if set), then run `lorc doctor` again"
    return (
        "check storage.bigquery (project, dataset, location, api_endpoint) in config and the "
        "credentials (GOOGLE_APPLICATION_CREDENTIALS or application default credentials; docs/bigquery.md)"
    )


def _check_meltano() -> Check:
    from ingestor import MeltanoNotFoundError, meltano_version

    try:
        return Check("meltano", True, meltano_version())
    except MeltanoNotFoundError as exc:
        return Check("meltano", False, str(exc), "run `./dev setup`")
    except Exception as exc:  # noqa: BLE001 - doctor reports any failure as a check
        return Check("meltano", False, safe_error(exc), "run `./dev setup`")
