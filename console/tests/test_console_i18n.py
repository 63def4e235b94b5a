"""Every text of the console exists in both languages, on every page and in the frame."""

from __future__ import annotations

from types import ModuleType

import pytest

from lorc_console import i18n
from lorc_console.pages import PAGE_MODULES


@pytest.mark.parametrize("module", PAGE_MODULES, ids=lambda m: m.__name__)
def test_every_page_has_every_text_in_both_languages(module: ModuleType) -> None:
    texts = module.TEXTS
    assert set(texts) == set(i18n.LOCALES)
    assert i18n.missing_keys(texts) == {}


def test_the_frame_has_every_text_in_both_languages() -> None:
    assert i18n.missing_keys(i18n.TEXTS) == {}


def test_a_missing_key_is_an_error_not_a_shown_key() -> None:
    assert i18n.missing_keys({"de": {"a": "A", "b": "B"}, "en": {"a": "A"}}) == {"en": ["b"]}
    with pytest.raises(KeyError):
        i18n.translator("en")("no.such.key")
