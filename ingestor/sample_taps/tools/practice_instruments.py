"""The instruments of the practice fixtures: the PHQ-9 and GAD-7 texts as the forms show
them (shared/reference/clinical-rules.md §1, §2) and their scoring, used to check the story
(the tests have their own)."""

from __future__ import annotations

PHQ_STEM = "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
GAD_STEM = "Over the last 2 weeks, how often have you been bothered by the following problems?"
PHQ_ITEMS = [
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety or "
    "restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
]
PHQ_10 = (
    "If you checked off any problems, how difficult have these problems made it for you to do your work, "
    "take care of things at home, or get along with other people?"
)
GAD_ITEMS = [
    "Feeling nervous, anxious, or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid, as if something awful might happen",
]
OPTIONS = ["Not at all", "Several days", "More than half the days", "Nearly every day"]
OPTIONS_OVER_HALF = ["Not at all", "Several days", "Over half the days", "Nearly every day"]  # intake GAD-7 grid
DIFFICULTY = ["Not difficult at all", "Somewhat difficult", "Very difficult", "Extremely difficult"]


def score(values: list[int | None], n_items: int, max_missing: int) -> tuple[int | None, bool]:
    answered = [v for v in values if v is not None]
    if len(values) != n_items or len(answered) < n_items - max_missing or any(v == -1 for v in answered):
        return None, False
    total = sum(answered)
    if len(answered) == n_items:
        return total, False
    return (2 * total * n_items + len(answered)) // (2 * len(answered)), True  # half up
