"""Apply a transform: validate the input, evaluate the JSONata spec, validate the output.

Each spec is compiled once per process with jsonatapy (the fastest of the Python JSONata
engines on these machines, ~12k records/s) and gets the extension functions its meta
names. Errors become :class:`TransformError` with a rule and a field, never a value.

An extension function rejects a record by raising :class:`TransformError`. jsonatapy turns
any exception a host function raises into a ``ValueError`` that keeps only its text, so
the error itself is handed over beside the call (per thread, like the evaluation) and
raised again, rule and field intact, once the evaluation has stopped. Handing over takes a
Python wrapper around every call (about 4 µs of a Gmail message's fourteen calls), so a
record is first evaluated with the functions as they are, and only one whose evaluation
fails is evaluated again with the wrappers to learn why: the functions are pure, so the
second evaluation fails where the first did.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from functools import cache, wraps
from typing import Any

import jsonatapy

from canonizer.exceptions import CanonizerError, TransformError
from canonizer.form_functions import FORM_EXTENSIONS
from canonizer.mail_functions import EXTENSIONS as MAIL_EXTENSIONS
from canonizer.registry import Transform
from canonizer.sheet_functions import SHEET_EXTENSIONS
from shared_schemas import compile_validator

EVALUATION_TIMEOUT_MS = 5000
EXTENSIONS: dict[str, Callable[..., Any]] = {**MAIL_EXTENSIONS, **FORM_EXTENSIONS, **SHEET_EXTENSIONS}

_rejected = threading.local()  # .error: the TransformError an extension raised in this thread


def _handing_over_rejects(function: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(function)
    def call(*args: Any) -> Any:
        try:
            return function(*args)
        except TransformError as exc:
            _rejected.error = exc
            raise

    return call


@cache
def _compiled(transform: Transform, handing_over_rejects: bool = False) -> Any:
    expression = jsonatapy.compile(transform.spec, timeout=EVALUATION_TIMEOUT_MS)
    for name in transform.extensions:
        if name not in EXTENSIONS:
            raise CanonizerError(f"{transform.ref} names unknown extension function {name!r}")
        function = EXTENSIONS[name]
        expression.register(name, _handing_over_rejects(function) if handing_over_rejects else function)
    return expression


def apply_transform(
    transform: Transform, record: Any, bindings: Mapping[str, Any] | None = None, *, checked_against: str | None = None
) -> dict[str, Any]:
    """The canonical output for ``record``. ``checked_against`` names a schema the record is
    known to satisfy (the warehouse validated it on the way in): when it is the transform's
    input schema, the input is not validated again."""
    bindings = dict(bindings or {})
    missing = [name for name in transform.bindings if name not in bindings]
    if missing:
        raise CanonizerError(f"{transform.ref} needs bindings {', '.join(missing)}")
    if checked_against != transform.input_schema:
        violation = compile_validator(transform.input_schema)(record)
        if violation is not None:
            raise TransformError(f"input.{violation.rule}", violation.field)
    try:
        output = _compiled(transform).evaluate(record, bindings)
    except ValueError as failure:
        raise _why_rejected(transform, record, bindings, failure) from None
    violation = compile_validator(transform.output_schema)(output)
    if violation is not None:
        raise TransformError(f"output.{violation.rule}", violation.field)
    return output  # type: ignore[no-any-return]


_TIMEOUT = "D1012"  # jsonatapy's code for an evaluation stopped by the timeout


def _why_rejected(transform: Transform, record: Any, bindings: dict[str, Any], failure: ValueError) -> TransformError:
    """The rule and field of an evaluation that failed: an extension function's own
    rejection, learnt by evaluating again with the rejections handed over (not after a
    timeout, which would only take as long again), else ``transform.evaluation_failed``."""
    if not str(failure).startswith(_TIMEOUT):
        _rejected.error = None
        try:
            _compiled(transform, handing_over_rejects=True).evaluate(record, bindings)
        except ValueError:
            rejected: TransformError | None = _rejected.error
            _rejected.error = None
            if rejected is not None:
                return rejected
    # jsonatapy's message may quote the record; only the fact is kept.
    return TransformError("transform.evaluation_failed", "$")
