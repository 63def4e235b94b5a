"""The BigQuery dataset: checked on every run, created only when ``lorc init`` is asked to.

BigQuery checks ``bigquery.datasets.create`` before it checks whether the dataset exists,
so a run that "creates it if missing" needs that permission every time, and a
least-privilege account (BigQuery Data Editor on the dataset, Job User on the project)
has it not. A run therefore only reads the dataset (``bigquery.datasets.get``, part of
Data Editor) and checks that it lives where the config says the patient data must.
"""

from __future__ import annotations

import contextlib

from google.api_core import exceptions as gexc
from google.cloud import bigquery

from lorchestra.exceptions import DatasetLocationError, DatasetMissingError
from lorchestra.stack_clients.bigquery_store.jobs import NO_RETRY
from lorchestra.stack_clients.bigquery_store.plumbing import Plumbing


def check_dataset(store: Plumbing) -> None:
    """Raise :class:`DatasetMissingError` or :class:`DatasetLocationError` unless the
    dataset exists in the configured location."""
    name = dataset_id(store)

    def look_up() -> bigquery.Dataset | None:
        try:
            return store.client.get_dataset(name, retry=NO_RETRY)
        except gexc.NotFound:
            return None

    found = store.call(f"look up dataset {name}", look_up)
    if found is None:
        raise DatasetMissingError(
            f"BigQuery dataset {name} does not exist: run `lorc init --create-dataset` (it is created in "
            f"location {store.location}), or create it in the Google Cloud console in that location"
        )
    if not same_location(found.location, store.location):
        raise DatasetLocationError(
            f"BigQuery dataset {name} is in location {found.location}, but storage.bigquery.location is "
            f"{store.location}: set storage.bigquery.location to the dataset's location if that is where the "
            "practice's data may live, else point storage.bigquery.dataset at a dataset in the right location"
        )


def check_ready(store: Plumbing) -> None:
    """What a run needs before it writes, read-only (``lorc doctor``): the dataset in its
    location, and the right to run a query job (BigQuery Job User; billing enabled)."""
    check_dataset(store)
    store.run_query("SELECT 1")
    _probe_dml(store)


def _probe_dml(store: Plumbing) -> None:
    """The BigQuery sandbox (no billing) runs a SELECT but refuses DML, which every run
    needs: a dry run (free, nothing written) of a DELETE that matches nothing asks."""
    config = bigquery.QueryJobConfig(dry_run=True, use_query_cache=False)

    def probe() -> None:
        # no tables yet: `lorc init` makes them, and the doctor says they are missing
        with contextlib.suppress(gexc.NotFound):
            store.client.query(
                f"DELETE FROM {store.table('event_log')} WHERE FALSE",
                job_config=config,
                location=store.location,
                retry=NO_RETRY,
                job_retry=None,
            )

    store.call("dry run of a DML statement", probe)


def create_dataset(store: Plumbing) -> bool:
    """Create the dataset in the configured location unless it exists (an existing one is
    only checked, so a second ``lorc init --create-dataset`` needs no create permission; one
    in another location is an error, never silently used). Whether it was created."""
    try:
        check_dataset(store)
        return False
    except DatasetMissingError:
        pass
    dataset = bigquery.Dataset(dataset_id(store))
    dataset.location = store.location
    store.call(
        f"create dataset {dataset_id(store)}",
        lambda: store.client.create_dataset(dataset, exists_ok=True, retry=NO_RETRY),
    )
    check_dataset(store)
    return True


def dataset_id(store: Plumbing) -> str:
    return f"{store.client.project}.{store.dataset}"


def same_location(found: str | None, wanted: str | None) -> bool:
    """BigQuery location names compare without case (``EU`` is ``eu``)."""
    return (found or "").lower() == (wanted or "").lower()
