"""The one root of every error the suite shows to the user as it is."""

from __future__ import annotations


class PhiSafeError(Exception):
    """An error whose message names ids, counts, rules, fields, settings and paths only:
    never a record's content. lorchestra shows these as they are and withholds the
    message of any other exception (``lorchestra.errors_safe``)."""
