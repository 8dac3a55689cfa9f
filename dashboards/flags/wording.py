"""Number formatting and words shared by the event reasons, so every flag reads the same way.

Reasons are phrases (feedback/phrases.py): English msgids marked with N_ and their values, so a
stored reason is read in each clinician's language. The helpers that return a `Num`, `Listed` or
`Phrase` are for reasons; `score`, `index` and `sessions` give the same text as English strings.
"""

from collections.abc import Sequence

from feedback.phrases import Listed, Num, Phrase
from feedback.translatable import N_

LABELS = {"bond": N_("bond"), "task": N_("task agreement"), "goal": N_("goal agreement"),
          "alliance": N_("overall alliance")}
#: The same with its article, to start a sentence ("The bond fell …"): the article agrees in Spanish.
THE_LABELS = {"bond": N_("the bond"), "task": N_("the task agreement"), "goal": N_("the goal agreement"),
              "alliance": N_("the overall alliance")}
COUNTS = (N_("zero"), N_("one"), N_("two"), N_("three"), N_("four"), N_("five"), N_("six"), N_("seven"),
          N_("eight"), N_("nine"))


def label(scale: str) -> str:
    return LABELS.get(scale, scale)


def scale_name(scale: str) -> Phrase:
    """"bond", "overall alliance", as a phrase (translated when shown)."""
    return Phrase(label(scale))


def the_scale(scale: str) -> Phrase:
    """"the bond", "the overall alliance"."""
    return Phrase(THE_LABELS[scale]) if scale in THE_LABELS else Phrase(N_("the %(scale)s"), {"scale": scale})


def score(x: float) -> str:
    """Scale scores: one decimal, Unicode minus."""
    return f"{x:.1f}".replace("-", "−")


def index(x: float) -> str:
    """Indices such as a z or a CUSUM: two decimals, Unicode minus."""
    return f"{x:.2f}".replace("-", "−")


def score_n(x: float) -> Num:
    return Num(x, 1)


def index_n(x: float) -> Num:
    return Num(x, 2)


def short_n(x: float) -> Num:
    """A threshold or total as short as it goes: "4", "1.5"."""
    return Num(x)


def sessions(numbers: Sequence[object]) -> str:
    """[5, 7, 8] -> "5, 7 and 8"; also for already formatted values ("3.1 and 3.0")."""
    text = [str(n) for n in numbers]
    return text[0] if len(text) == 1 else ", ".join(text[:-1]) + " and " + text[-1]


def listed(items: Sequence[object]) -> Listed:
    """The same list as a phrase's value ("5, 7 y 8" in Spanish)."""
    return Listed(tuple(items))


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def rounded(x: float) -> float:
    """Values in Event.numbers: enough precision to recompute, short enough to read."""
    return round(x, 3)


def count(n: int) -> Phrase | str:
    """Small counts in words ("three sessions"), larger ones in digits."""
    return Phrase(COUNTS[n]) if 0 <= n < len(COUNTS) else str(n)
