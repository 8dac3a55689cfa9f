"""Number formatting shared by the event reasons, so every flag reads the same way."""

from collections.abc import Sequence

LABELS = {"bond": "bond", "task": "task agreement", "goal": "goal agreement",
          "alliance": "overall alliance"}


def label(scale: str) -> str:
    return LABELS.get(scale, scale)


def score(x: float) -> str:
    """Scale scores: one decimal, Unicode minus."""
    return f"{x:.1f}".replace("-", "−")


def index(x: float) -> str:
    """Indices such as a z or a CUSUM: two decimals, Unicode minus."""
    return f"{x:.2f}".replace("-", "−")


def sessions(numbers: Sequence[object]) -> str:
    """[5, 7, 8] -> "5, 7 and 8"; also for already formatted values ("3.1 and 3.0")."""
    text = [str(n) for n in numbers]
    return text[0] if len(text) == 1 else ", ".join(text[:-1]) + " and " + text[-1]


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def rounded(x: float) -> float:
    """Values in Event.numbers: enough precision to recompute, short enough to read."""
    return round(x, 3)


def count(n: int) -> str:
    """Small counts in words ("three sessions"), larger ones in digits."""
    words = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    return words[n] if 0 <= n < len(words) else str(n)
