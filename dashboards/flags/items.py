"""The patient form's rupture and marker items the rules read, and how to read them safely."""

from collections.abc import Mapping

from dashboards.flags.history import Answers
from feedback.translatable import N_

# The patient form's indicator items (post-session-patient.yaml): the rupture kind each points to
# (docs/clinical-model.md, "Ruptures"), the item as the patient read it, and a short word.
INDICATORS = {"held_back": "withdrawal", "went_along": "withdrawal", "frustrated": "confrontation"}
ITEM_TEXT = {"held_back": N_("I held back something I wanted to say"),
             "went_along": N_("I went along with something I didn't really agree with"),
             "frustrated": N_("I felt frustrated or annoyed with my therapist or with the way we work")}
INDICATOR_WORDS = {"held_back": N_("held back"), "went_along": N_("went along"), "frustrated": N_("frustrated")}
#: The rupture kinds in words.
KIND_WORDS = {"withdrawal": N_("withdrawal"), "confrontation": N_("confrontation")}
WITHDRAWAL_ITEMS = {item: ITEM_TEXT[item] for item, kind in INDICATORS.items() if kind == "withdrawal"}


def reports_rupture(answers: Answers) -> bool:
    return answers.answered and answers.items.get("rupture") is True


def likert(items: Mapping[str, object], item: str) -> int | None:
    value = items.get(item)
    return value if isinstance(value, int) and not isinstance(value, bool) else None
