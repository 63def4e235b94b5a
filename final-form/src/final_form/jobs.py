"""Job adapters: score questionnaire responses into ``measurement`` objects inside lorc.

One measurement per instrument per response (``{response idem_key}#measurement:<id>``),
so an edited response replaces its measurements instead of adding new ones. One invalid
measure never stops the other measures of the same response.
"""

from __future__ import annotations

from collections.abc import Callable

from lorchestra.jobs import JobResult
from lorchestra.stack_clients import CanonicalRow, InputRow, JobContext

from final_form.definitions import load_instrument
from final_form.scoring import score

MEASUREMENT_SCHEMA = "iglu:org.canonical/measurement/jsonschema/1-0-0"


def score_phq9(ctx: JobContext) -> JobResult:
    """questionnaire_response -> PHQ-9 measurement (total, severity, validity, item-9 flag)."""
    return _score_instrument(ctx, "phq9")


def score_gad7(ctx: JobContext) -> JobResult:
    """questionnaire_response -> GAD-7 measurement (total, severity, validity)."""
    return _score_instrument(ctx, "gad7")


def _score_instrument(ctx: JobContext, instrument_id: str) -> JobResult:
    definition = load_instrument(instrument_id)
    ref = f"final_form.{instrument_id}@{definition.version}"
    result = ctx.map_inputs(
        consumer=f"score_{instrument_id}:{ref}", table="canonical_objects", object_type="questionnaire_response",
        fn=_scorer(instrument_id, ref), event_type="measurement.scored",
    )
    return JobResult(counts=result.as_dict())


def _scorer(instrument_id: str, ref: str) -> Callable[[InputRow], list[CanonicalRow]]:
    def mapping(item: InputRow) -> list[CanonicalRow]:
        response = item.payload
        bound = (response.get("instruments") or {}).get(instrument_id)
        if bound is None:
            return []  # this form does not ask this instrument
        result = score(instrument_id, bound.get("answers") or [])
        measurement = {
            "instrument": result.instrument, "instrument_version": result.version,
            "response_id": response["response_id"], "client_id": response.get("client_id"),
            "measured_at": response["submitted_at"], "total": result.total, "severity": result.severity,
            "valid": result.valid, "prorated": result.prorated, "n_missing": result.n_missing,
            "items": list(result.items), "errors": list(result.errors),
            "item9_positive": result.item9_positive, "item9_answered": result.item9_answered,
            "difficulty": bound.get("difficulty"),
        }
        return [CanonicalRow(
            idem_key=f"{item.idem_key}#measurement:{instrument_id}", object_type="measurement",
            schema_ref=MEASUREMENT_SCHEMA, source_idem_key=item.idem_key, source_payload_hash=item.payload_hash,
            transform_ref=ref, payload=measurement,
        )]

    return mapping


TIMESERIES_PROJECTIONS = ("measurement_timeseries", "measurement_paired")
TIMESERIES_BUILD_VERSION = 1  # raise when the timeseries rules change what they compute


def build_measurement_timeseries(ctx: JobContext) -> JobResult:
    """Rebuild measurement_timeseries and measurement_paired from the measurements."""
    from lorchestra.projections.freshness import inputs_fingerprint, is_current, mark_current
    from lorchestra.stack_clients import Column

    from final_form.timeseries import PAIRED_COLUMNS, TIMESERIES_COLUMNS, build_paired_rows, build_timeseries_rows

    fingerprint = inputs_fingerprint(ctx.store, ("measurement",), TIMESERIES_BUILD_VERSION)
    if is_current(ctx.store, TIMESERIES_PROJECTIONS, fingerprint):
        ctx.logger.info("measurement_timeseries is current: no measurement changed since it was built")
        return JobResult(counts={"measurements": 0, "rows": 0, "rebuilt": 0})
    measurements = [payload for _, payload in ctx.store.read_objects("canonical_objects", "measurement")]
    series = build_timeseries_rows(measurements)
    paired = build_paired_rows(measurements)
    written = ctx.store.replace_table("measurement_timeseries", [Column(n, t) for n, t in TIMESERIES_COLUMNS], series)
    pairs = ctx.store.replace_table("measurement_paired", [Column(n, t) for n, t in PAIRED_COLUMNS], paired)
    mark_current(ctx.store, TIMESERIES_PROJECTIONS, fingerprint, run_id=ctx.run_id)
    counts = {"measurements": len(measurements), "rows": written, "clients_paired": pairs, "rebuilt": 1,
              "unlinked_measurements": sum(1 for m in measurements if not m.get("client_id")),
              "item9_positive": sum(1 for m in measurements if m.get("item9_positive"))}
    ctx.events.audit("projection.rebuilt", payload={"table": "measurement_timeseries", **counts})
    return JobResult(counts=counts)
