from __future__ import annotations

from importlib import resources

import canonizer


def test_canonizer_ships_type_information_and_a_public_api() -> None:
    assert resources.files("canonizer").joinpath("py.typed").is_file()
    assert all(hasattr(canonizer, name) for name in canonizer.__all__)
