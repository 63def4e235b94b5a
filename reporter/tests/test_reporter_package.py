from __future__ import annotations

from importlib import resources

import reporter


def test_reporter_ships_type_information_and_a_public_api() -> None:
    assert resources.files("reporter").joinpath("py.typed").is_file()
    assert all(hasattr(reporter, name) for name in reporter.__all__)
