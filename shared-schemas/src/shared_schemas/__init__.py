"""Every JSON Schema of the lorchestra suite, addressed by ``iglu:`` URIs.

Schemas live under ``schemas/<vendor>/<name>/jsonschema/<M-R-A>.json``. Validation
errors are reported as :class:`Violation` (rule + field path) and never carry the
offending value, so they are safe to log and to store in ``rejects``.
"""

from shared_schemas.resolver import (
    IgluUri,
    SchemaNotFoundError,
    list_schemas,
    load_schema,
    parse_iglu,
    schema_path,
)
from shared_schemas.validation import Violation, compile_validator

__all__ = [
    "IgluUri",
    "SchemaNotFoundError",
    "Violation",
    "compile_validator",
    "list_schemas",
    "load_schema",
    "parse_iglu",
    "schema_path",
]
