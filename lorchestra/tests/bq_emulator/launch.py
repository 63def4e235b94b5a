"""Start bqemulator (a local BigQuery REST API server) for tests.

Run with the emulator's own virtualenv python (see .ci/setup-bqemulator.sh);
never imported by lorchestra code. Applies two small patches so the emulator
works offline and with the official google-cloud-bigquery client, then serves
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
