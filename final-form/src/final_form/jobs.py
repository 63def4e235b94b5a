"""Job adapters: score questionnaire responses into ``measurement`` objects inside lorc.

One measurement per instrument per response (``{response idem_key}#measurement:<id>``),
so an edited response replaces its measurements instead of adding new ones. One invalid
measure never stops the other measures of the same response. Beside it, one
``safety_flag`` object per flag the score raises (``...#safety_flag:<flag>``): an edit
updates it but never removes it, so a flag once seen is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, cast

from final_form.answers import InvalidAnswer
from final_form.definitions import Instrument, all_instruments, load_instrument
from final_form.measurement import measurement_payload
from final_form.safety import safety_flags
from final_form.scoring import score
from lorchestra.jobkit import CanonicalRow, InputRow, JobContext, JobResult
from shared_schemas.types import SafetyFlag, SafetyFlagName

MEASUREMENT_SCHEMA = "iglu:org.canonical/measurement/jsonschema/1-0-0"
SAFETY_FLAG_SCHEMA = "iglu:org.canonical/safety_flag/jsonschema/1-0-0"
# Raise when what a scorer writes changes (2: invalid_items, n_missing counts only
# unanswered items; 3: safety_flag objects): the new consumer name re-scores every
# stored response once.
SCORER_REVISION = 3


def score_phq9(ctx: JobContext) -> JobResult:
    """questionnaire_response -> PHQ-9 measurement (total, severity, validity, item-9 flag)."""
    return _score_instrument(ctx, "phq9")


def score_gad7(ctx: JobContext) -> JobResult:
    """questionnaire_response -> GAD-7 measurement (total, severity, validity)."""
    return _score_instrument(ctx, "gad7")


def _score_instrument(ctx: JobContext, instrument_id: str) -> JobResult:
    definition = load_instrument(instrument_id)
    ref = f"final_form.{instrument_id}@{definition.version}+r{SCORER_REVISION}"
    consumer = f"score_{instrument_id}:{ref}"
    # A definition edited in place (same version) must still re-score what it scored.
    ctx.state.start_over_unless(consumer, definition.digest, "definition")
    result = ctx.map_inputs(
        consumer=consumer,
        table="canonical_objects",
        object_type="questionnaire_response",
        fn=_scorer(definition, ref),
        event_type="measurement.scored",
    )
    return JobResult(counts=result.as_dict())


def _scorer(definition: Instrument, ref: str) -> Callable[[InputRow], list[CanonicalRow]]:
    """The mapping of one job run: the definition is the one the run's consumer names,
    resolved once, not looked up again for every response."""
    instrument_id = definition.id

    def mapping(item: InputRow) -> list[CanonicalRow]:
        response = item.payload
        bound = (response.get("instruments") or {}).get(instrument_id)
        if bound is None:
            return []  # this form does not ask this instrument
        result = score(definition, answers_to_score(bound))
        measurement = measurement_payload(
            result,
            response_id=response["response_id"],
            client_id=response.get("client_id"),
            measured_at=response["submitted_at"],
            difficulty=bound.get("difficulty"),
        )
        rows = [
            CanonicalRow(
                idem_key=f"{item.idem_key}#measurement:{instrument_id}",
                object_type="measurement",
                schema_ref=MEASUREMENT_SCHEMA,
                source_idem_key=item.idem_key,
                source_payload_hash=item.payload_hash,
                transform_ref=ref,
                payload=measurement,
            )
        ]
        for flag in safety_flags(result):
            payload: SafetyFlag = {
                # a definition may raise only the safety_flag schema's flags (shared_schemas.instruments)
                "flag": cast(SafetyFlagName, flag),
                "instrument": result.instrument,
                "response_id": measurement["response_id"],
                "client_id": measurement["client_id"],
                "respondent_email": response.get("respondent_email"),
                "measured_at": measurement["measured_at"],
                "total": result.total,
                "severity": result.severity,
            }
            rows.append(
                CanonicalRow(
                    idem_key=f"{item.idem_key}#safety_flag:{flag}",
                    object_type="safety_flag",
                    schema_ref=SAFETY_FLAG_SCHEMA,
                    source_idem_key=item.idem_key,
                    source_payload_hash=item.payload_hash,
                    transform_ref=ref,
                    payload=payload,
                )
            )
        return rows

    return mapping


def answers_to_score(bound: Mapping[str, Any]) -> list[Any]:
    """The answers of one instrument of a questionnaire_response, with each item the
    response names as answered invalidly handed to ``score`` as an ``InvalidAnswer``."""
    answers: list[Any] = list(bound.get("answers") or [])
    for entry in bound.get("invalid_items") or []:
        number = entry["item"]
        if 1 <= number <= len(answers):
            answers[number - 1] = InvalidAnswer(entry["rule"])
    return answers


SERIES, PAIRED = "measurement_timeseries", "measurement_paired"
TIMESERIES_BUILD_VERSION = 3  # raise when the timeseries rules or columns change: the next build is a full one


def build_measurement_timeseries(ctx: JobContext) -> JobResult:
    """Build measurement_timeseries and measurement_paired (only the clients new measurements touch)."""
    from lorchestra.jobkit import basis_fingerprint, build_projection

    return build_projection(
        ctx,
        (SERIES, PAIRED),
        views=(SERIES, PAIRED),
        basis=basis_fingerprint(
            ctx.store, (), TIMESERIES_BUILD_VERSION, [(d.id, d.version, d.digest) for d in all_instruments()]
        ),
        object_type="measurement",
        rebuild=lambda: _rebuild_series(ctx),
        update=lambda since: _update_series(ctx, since),
        idle_counts={"measurements": 0, "rows": 0, "full_rebuild": 0},
    )


def _rebuild_series(ctx: JobContext) -> dict[str, int]:
    from final_form.timeseries import build_paired_rows, timeseries_rows

    measurements = [payload for _, payload in ctx.read_objects("canonical_objects", "measurement")]
    # the series rows are streamed to the table, not held beside the measurements
    written = ctx.store.replace_table(SERIES, _columns(SERIES), timeseries_rows(measurements))
    pairs = ctx.store.replace_table(PAIRED, _columns(PAIRED), build_paired_rows(measurements))
    return {
        "measurements": len(measurements),
        "rows": written,
        "clients_paired": pairs,
        "full_rebuild": 1,
        "unlinked_measurements": sum(1 for m in measurements if not m.get("client_id")),
        "item9_positive": sum(1 for m in measurements if m.get("item9_positive")),
    }


def _update_series(ctx: JobContext, since: datetime | None) -> dict[str, int]:
    """Rebuild the series of the clients whose measurements were written since ``since``
    (a client's course depends only on its own measurements)."""
    from final_form.timeseries import build_paired_rows, build_timeseries_rows
    from lorchestra.jobkit import RowsChange

    changed = [m for _, m in ctx.read_objects("canonical_objects", "measurement", updated_after=since)]
    clients = {str(m["client_id"]) for m in changed if m.get("client_id")}
    # a relinked response leaves the series it was in before
    clients |= {
        str(r["client_id"])
        for r in ctx.store.lookup_rows(
            SERIES, "response_id", sorted({str(m["response_id"]) for m in changed}), ["client_id"]
        )
    }
    affected = sorted(clients)
    measurements = (
        [m for _, m in ctx.read_objects("canonical_objects", "measurement", field_in=("client_id", affected))]
        if affected
        else []
    )
    series, paired = build_timeseries_rows(measurements), build_paired_rows(measurements)
    ctx.store.replace_rows(
        [
            RowsChange(SERIES, _columns(SERIES), "client_id", affected, series),
            RowsChange(PAIRED, _columns(PAIRED), "client_id", affected, paired),
        ]
    )
    return {
        "measurements": len(measurements),
        "rows": len(series),
        "clients_paired": len(paired),
        "full_rebuild": 0,
        "clients_updated": len(affected),
        "unlinked_measurements": sum(1 for m in changed if not m.get("client_id")),
    }


def _columns(table: str) -> list[Any]:
    from final_form.timeseries import PAIRED_COLUMNS, TIMESERIES_COLUMNS
    from lorchestra.jobkit import Column

    return [Column(n, t) for n, t in (TIMESERIES_COLUMNS if table == SERIES else PAIRED_COLUMNS)]
