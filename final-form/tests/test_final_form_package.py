from __future__ import annotations

from importlib import resources

import final_form


def test_final_form_ships_type_information_and_a_public_api() -> None:
    assert resources.files("final_form").joinpath("py.typed").is_file()
    assert all(hasattr(final_form, name) for name in final_form.__all__)
