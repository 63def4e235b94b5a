"""The one shape of every production stream schema: each top-level property the API
returns declared as "any JSON value", no ``required``, extra properties allowed.

Why so open: the Singer SDK drops properties a schema does not declare, so every field is
declared; but ``target-jsonl`` validates each record against the schema and stops the whole
run at the first mismatch (the same item fetched again on every run, its content in the
error). Whether a record is usable is decided by the warehouse, which rejects it with a
reason and keeps the rest.

"Any JSON value" is spelled as the list of every JSON type, not as the empty schema ``{}``:
the SDK's record conformance raises ``EmptySchemaTypeError`` on a list value whose schema
has no ``type``. With every type and no ``properties``/``items``, the SDK passes the value
on unchanged (nested content included) and Draft 4 validation accepts anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

ANY_JSON_VALUE: dict[str, Any] = {"type": ["null", "boolean", "number", "string", "array", "object"]}


def permissive_schema(properties: Iterable[str]) -> dict[str, Any]:
    """A stream schema that declares ``properties`` and lets any value of them through."""
    return {
        "type": "object",
        "properties": {name: dict(ANY_JSON_VALUE) for name in properties},
        "additionalProperties": True,
    }
