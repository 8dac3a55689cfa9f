"""Instruments as plain, immutable data: what the survey shows and how it scores."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ITEM_TYPES = ("likert", "yes_no", "single_choice", "multiple_choice", "text")


@dataclass(frozen=True)
class Condition:
    """Show an item only when an earlier item's answer matches."""

    item: str
    values: tuple[Any, ...]

    def holds(self, answers: Mapping[str, Any]) -> bool:
        return self.item in answers and answers[self.item] in self.values


@dataclass(frozen=True)
class Option:
    id: str
    label: Mapping[str, str]


@dataclass(frozen=True)
class Item:
    id: str
    type: str
    text: Mapping[str, str]  # language -> wording
    required: bool = True
    show_if: Condition | None = None
    min: int | None = None
    max: int | None = None
    anchors: Mapping[int, Mapping[str, str]] = field(default_factory=dict)
    options: tuple[Option, ...] = ()
    max_length: int = 500
    help: Mapping[str, str] = field(default_factory=dict)
    #: Any answer above the item's minimum starts the safety pathway (e.g. PHQ-9 item 9).
    risk: bool = False

    @property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options)

    def shown(self, answers: Mapping[str, Any]) -> bool:
        return self.show_if is None or self.show_if.holds(answers)


@dataclass(frozen=True)
class Norms:
    """Per-scale reference values the risk rules need (week-to-week noise, low alliance)."""

    sd: float  # SD of session scores across patients and sessions
    reliability: float  # session-to-session test–retest (not internal consistency)
    low_cutoff: float | None
    source: str


@dataclass(frozen=True)
class Band:
    start: float  # the lowest total in the band
    label: Mapping[str, str]


@dataclass(frozen=True)
class OutcomeRules:
    """How an outcome scale's total is read, as the instrument's published rules say."""

    higher_is: str  # "worse" (PHQ-9, GAD-7) or "better"
    bands: tuple[Band, ...]  # ascending by start
    caseness: float | None  # a total at or above it counts as a clinical case
    reliable_change: float | None  # a change of at least this many points is beyond measurement error
    source: str


@dataclass(frozen=True)
class Scale:
    id: str
    items: tuple[str, ...]
    reverse: frozenset[str] = frozenset()
    scoring: str = "mean"
    min_answered: int = 1
    norms: Norms | None = None
    label: Mapping[str, str] = field(default_factory=dict)
    outcome: OutcomeRules | None = None


@dataclass(frozen=True)
class Translation:
    """One language of an instrument beyond its first: whether it is validated, and by whom."""

    validated: bool
    source: str


@dataclass(frozen=True)
class Instrument:
    id: str
    version: str
    title: Mapping[str, str]
    respondent: str
    languages: tuple[str, ...]
    items: tuple[Item, ...]
    scales: Mapping[str, Scale]
    status: str = ""
    licence: str = ""
    intro: Mapping[str, str] = field(default_factory=dict)
    privacy_notice: Mapping[str, str] = field(default_factory=dict)
    source_file: str = ""
    purpose: str = "alliance"  # "alliance" (the post-session forms) or "outcome" (PHQ-9, GAD-7, ...)
    #: Every language but the first (the original): validated or not, and the source.
    translations: Mapping[str, Translation] = field(default_factory=dict)

    @property
    def risk_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.risk)

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def language_for(self, wanted: str | None) -> str:
        """The language a form asked for in `wanted` is shown in: that one if the file has it,
        else its first (the language an answer is stored as given in)."""
        return wanted if wanted in self.languages else self.languages[0]

    def translation_status(self, language: str) -> str:
        """"original" (the instrument's own language), "validated" or "not validated" (a
        translation, as its file marks it), for staff: a score from an unvalidated translation
        is read with more care."""
        if language == self.languages[0]:
            return "original"
        translation = self.translations.get(language)
        return "validated" if translation is not None and translation.validated else "not validated"

    def text(self, mapping: Mapping[str, str], language: str) -> str:
        """Wording in the wanted language, falling back to the instrument's first one."""
        return mapping.get(language) or mapping.get(self.languages[0]) or next(iter(mapping.values()), "")
