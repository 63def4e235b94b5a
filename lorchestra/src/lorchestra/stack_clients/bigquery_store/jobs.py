"""One logical BigQuery job, one job id: inserted once, waited on through that id.

A job's insert can be accepted while its answer is lost (a dropped connection, a timeout,
a 5xx). Inserting it again under a new id would run it twice (an audit event written
twice), so the id is made here, before the insert, and a transient failure is followed
by ``get_job(id)``: a job found is waited on; a job not found was never accepted and is
inserted again under the same id, which the service answers with 409 ``duplicate`` if the
first insert was accepted after all (then the job is fetched). A transient failure while
waiting fetches the job again, never inserts it again.

Only a job known to have failed with a retriable reason is submitted again, under a new
id: a backend error, or a transaction aborted by a concurrent update of its tables
(which wrote nothing), after a jittered backoff and a bounded number of times.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar, cast

from google.api_core import exceptions as gexc
from google.cloud import bigquery

from lorchestra.stack_clients.bigquery_store.retry import RETRIABLE_REASONS, call_with_retry, is_conflict, is_transient
from shared_schemas.errors import PhiSafeError

NO_RETRY: Any = None  # the client's annotations leave out None, which turns its retries off
RESUBMITS = 5  # submissions of one logical job after a retriable failure, beyond the first
BACKOFF_BASE, BACKOFF_CAP = 0.5, 8.0  # seconds: full jitter, doubling per attempt

JobT = TypeVar("JobT", bigquery.QueryJob, bigquery.LoadJob)


class JobFailed(PhiSafeError):
    """The job finished, or was refused, with ``reason``: known, not a lost answer.

    Carries BigQuery's reason only (``invalidQuery``, ``backendError``), never its
    message: those quote values of the records."""

    def __init__(self, reason: str, *, conflict: bool, attempts: int = 1) -> None:
        super().__init__(reason)
        self.reason = reason
        self.conflict = conflict
        self.attempts = attempts

    @property
    def retriable(self) -> bool:
        return self.conflict or self.reason in RETRIABLE_REASONS


def new_job_id(what: str) -> str:
    """A readable, unique job id: ``lorc_<what>_<uuid>``."""
    return f"lorc_{what}_{uuid.uuid4().hex}"


def run_job(
    client: bigquery.Client,
    begin: Callable[[str], JobT],
    *,
    what: str,
    location: str | None,
    sleep: Callable[[float], None] = time.sleep,
) -> JobT:
    """Insert the job ``begin(job_id)`` makes, wait for it and return it once it succeeded.

    Raises :class:`JobFailed` when it failed for good (after the resubmits a retriable
    reason earns), or the client's error when it could not be inserted or followed."""
    attempt = 0
    while True:
        job_id = new_job_id(what)
        try:
            job = _insert(client, begin, job_id, location)
            return _wait(job)
        except JobFailed as failed:
            if not failed.retriable or attempt >= RESUBMITS:
                failed.attempts = attempt + 1
                raise
        sleep(random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt)))
        attempt += 1


def _insert(client: bigquery.Client, begin: Callable[[str], JobT], job_id: str, location: str | None) -> JobT:
    def insert() -> JobT:
        try:
            return begin(job_id)
        except gexc.Conflict:  # an earlier insert under this id was accepted after all
            return cast(JobT, _get(client, job_id, location))
        except gexc.GoogleAPICallError as exc:
            if not is_transient(exc):
                raise _refused(exc) from None
            return cast(JobT, _found_or_raise(client, job_id, location, exc))
        except Exception as exc:
            if not is_transient(exc):
                raise
            return cast(JobT, _found_or_raise(client, job_id, location, exc))

    return call_with_retry(insert)


def _found_or_raise(client: bigquery.Client, job_id: str, location: str | None, exc: Exception) -> Any:
    """The job if the lost insert was accepted; otherwise ``exc`` again (inserted anew)."""
    try:
        return client.get_job(job_id, location=location, retry=NO_RETRY)
    except gexc.NotFound:
        raise exc from None
    except Exception:  # noqa: BLE001 - not known yet: the insert is tried again under the same id
        raise exc from None


def _get(client: bigquery.Client, job_id: str, location: str | None) -> Any:
    """The job a 409 says exists; right after the 409 the service may still answer 404."""
    return call_with_retry(
        lambda: client.get_job(job_id, location=location, retry=NO_RETRY),
        retry_on=lambda exc: is_transient(exc) or isinstance(exc, gexc.NotFound),
    )


def _wait(job: JobT) -> JobT:
    """Wait for the job; each attempt reloads it by its id (``jobs.get``), never inserts it."""

    def wait() -> JobT:
        try:
            job.result(retry=NO_RETRY)
        except Exception:
            if job.state == "DONE" and job.error_result is not None:
                raise _failed(job.error_result, job.errors) from None
            raise  # retried while transient: the job may still be running
        return job

    return call_with_retry(wait)


def _failed(error_result: dict[str, Any], errors: list[dict[str, Any]] | None) -> JobFailed:
    reason = str(error_result.get("reason"))
    messages = [str(e.get("message", "")) for e in [error_result, *(errors or [])] if isinstance(e, dict)]
    return JobFailed(reason, conflict=is_conflict(reason, messages))


def _refused(exc: gexc.GoogleAPICallError) -> Exception:
    """A refused insert is final; a transaction refused for a concurrent update is retriable."""
    details = [e for e in exc.errors or [] if isinstance(e, dict)]
    reasons = [str(e.get("reason")) for e in details]
    messages = [str(exc.message), *(str(e.get("message", "")) for e in details)]
    if reasons and is_conflict(reasons[0], messages):
        return JobFailed(reasons[0], conflict=True)
    return exc
