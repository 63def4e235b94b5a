from __future__ import annotations

from importlib import resources

import ingestor


def test_ingestor_ships_type_information_and_a_public_api() -> None:
    assert resources.files("ingestor").joinpath("py.typed").is_file()
    assert all(hasattr(ingestor, name) for name in ingestor.__all__)
