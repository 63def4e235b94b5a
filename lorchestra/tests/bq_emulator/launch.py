"""Start bqemulator (a local BigQuery REST API server) for tests.

Run with the emulator's own virtualenv python (see .ci/setup-bqemulator.sh);
never imported by lorchestra code. Applies two small patches so the emulator
works offline and with the official google-cloud-bigquery client (and two that keep
what the service keeps: a load upload's job id, a table's expiration), then serves
until SIGTERM/SIGINT.

    .venvs/bqemulator/bin/python launch.py --host 127.0.0.1 --port 9050 \
        --project test-project [--data-dir DIR] [--upload-dir DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path


def _patch_spatial() -> None:
    # The engine insists on INSTALL/LOAD of DuckDB's `spatial` extension at
    # start, which downloads from the network and fails (after a delay)
    # offline. We use no GEOGRAPHY, so skip it. Also stop DuckDB from trying
    # to auto-download any other extension at query time: offline that only
    # turns a clear "unknown function" error into a slow network failure.
    from bqemulator.storage.engine import DuckDBEngine

    def _load_spatial(self: DuckDBEngine) -> None:
        self.connection.execute("SET autoinstall_known_extensions = false")

    DuckDBEngine._load_spatial = _load_spatial  # type: ignore[method-assign]


def _patch_multipart_media_type() -> None:
    # google-cloud-bigquery sends the media part of a multipart load upload
    # (load_table_from_file / load_table_from_json) as `Content-Type: */*`;
    # real BigQuery accepts that, the emulator's whitelist does not.
    from bqemulator.api.routes import upload

    original = upload._is_permitted_media_type

    def _is_permitted_media_type(media_ct: str) -> bool:
        return media_ct == "*/*" or original(media_ct)

    upload._is_permitted_media_type = _is_permitted_media_type


def _patch_upload_job_ids() -> None:
    # The service keeps the job id a client chooses for a load upload (a client that lost
    # the answer finds the job by it, and a second insert under it is refused with 409);
    # the emulator mints its own. The chosen id follows the upload's configuration (kept
    # by a resumable session until its last chunk) to the load, which mints no other.
    from bqemulator.api.routes import upload

    chosen: dict[int, str] = {}  # id(configuration) -> the client's job id
    minting: list[str | None] = [None]
    read_configuration, mint, run_load = upload._load_configuration_from_envelope, upload._new_job_id, upload._run_load

    def _load_configuration_from_envelope(envelope: dict) -> dict:  # type: ignore[type-arg]
        configuration = read_configuration(envelope)
        job_id = (envelope.get("jobReference") or {}).get("jobId")
        if job_id:
            chosen[id(configuration)] = job_id
        return configuration

    async def _run_load(*, configuration: dict, **kwargs: object) -> object:  # type: ignore[type-arg]
        minting[0] = chosen.pop(id(configuration), None)  # read by _new_job_id before any await
        return await run_load(configuration=configuration, **kwargs)

    def _new_job_id() -> str:
        job_id, minting[0] = minting[0], None
        return job_id or mint()

    upload._load_configuration_from_envelope = _load_configuration_from_envelope
    upload._run_load = _run_load
    upload._new_job_id = _new_job_id


def _patch_table_expiration() -> None:
    # The service keeps a table's expirationTime and reports it on tables.get and
    # tables.list; the emulator drops it (it never deletes expired tables either).
    from datetime import UTC, datetime

    from bqemulator.api.routes import tables

    to_meta, to_rest, to_item = tables._rest_to_table_meta, tables._table_to_rest, tables._table_to_list_item

    def _rest_to_table_meta(project_id, dataset_id, body, clock, existing=None):  # type: ignore[no-untyped-def]
        meta = to_meta(project_id, dataset_id, body, clock, existing)
        if body.get("expirationTime"):
            expires = datetime.fromtimestamp(int(body["expirationTime"]) / 1000, UTC)
        else:
            expires = existing.expiration_time if existing is not None else None
        return meta.model_copy(update={"expiration_time": expires})

    def with_expiration(render):  # type: ignore[no-untyped-def]
        def rendered(t):  # type: ignore[no-untyped-def]
            body = render(t)
            if t.expiration_time is not None:
                body["expirationTime"] = str(int(t.expiration_time.timestamp() * 1000))
            return body

        return rendered

    tables._rest_to_table_meta = _rest_to_table_meta
    tables._table_to_rest = with_expiration(to_rest)
    tables._table_to_list_item = with_expiration(to_item)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--project", default="test-project")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="file-backed catalog + tables in this dir (default: in-memory)",
    )
    parser.add_argument(
        "--upload-dir",
        type=Path,
        default=None,
        help="where load-job uploads are staged (default: <tmp>/bqemu_uploads)",
    )
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args()

    _patch_spatial()
    _patch_multipart_media_type()
    _patch_upload_job_ids()
    _patch_table_expiration()

    from bqemulator.config import LogFormat, LogLevel, PersistenceMode, Settings
    from bqemulator.server import run_forever

    settings = Settings(
        rest_host=args.host,
        rest_port=args.port,
        grpc_host=args.host,
        grpc_port=0,  # unused by the REST client; 0 avoids clashes between emulators
        default_project_id=args.project,
        persistence_mode=(PersistenceMode.PERSISTENT if args.data_dir else PersistenceMode.EPHEMERAL),
        data_dir=args.data_dir,
        # The avro extension is another network download; we never load Avro.
        enable_format_extensions=False,
        upload_staging_dir=args.upload_dir,
        log_level=LogLevel(args.log_level.lower()),
        log_format=LogFormat.JSON,
    )
    run_forever(settings)


if __name__ == "__main__":
    main()
