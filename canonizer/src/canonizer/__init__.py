"""canonizer package of the lorchestra suite."""

__all__: list[str] = []
