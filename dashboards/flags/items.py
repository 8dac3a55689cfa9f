"""The patient form's rupture and marker items the rules read, and how to read them safely."""

from collections.abc import Mapping

from dashboards.flags.history import Answers

# Patient indicator items and the rupture kind they point to (docs/clinical-model.md, "Ruptures").
INDICATORS = {"held_back": "withdrawal", "went_along": "withdrawal", "frustrated": "confrontation"}
INDICATOR_WORDS = {"held_back": "held back", "went_along": "went along",
                   "frustrated": "frustrated"}
# The withdrawal items as the patient read them (post-session-patient.yaml), for reasons.
WITHDRAWAL_ITEMS = {"held_back": "I held back something I wanted to say",
                    "went_along": "I went along with something I didn't really agree with"}


def reports_rupture(answers: Answers) -> bool:
    return answers.answered and answers.items.get("rupture") is True


def likert(items: Mapping[str, object], item: str) -> int | None:
    value = items.get(item)
    return value if isinstance(value, int) and not isinstance(value, bool) else None
