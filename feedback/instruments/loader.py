"""Load instrument files (YAML or JSON), validate them, and keep a registry.

A malformed file is refused with a message naming the file, the item and the problem,
so a clinic adding a licensed instrument sees exactly what to fix.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from feedback.instruments.languages import check_languages
from feedback.instruments.model import (
    Band,
    Condition,
    Instrument,
    Item,
    Norms,
    Option,
    OutcomeRules,
    Scale,
    Translation,
)
from feedback.instruments.schema import INSTRUMENT

BUILTIN_DIR = Path(__file__).parent / "data"
SUFFIXES = (".yaml", ".yml", ".json")
#: libyaml's parser when PyYAML has it (its wheels do): the pure-Python one took 0.2 s for our
#: instruments, on every app start. Both are safe loaders: plain data, no Python objects.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class InstrumentError(ValueError):
    def __init__(self, source: str, where: str, problem: str):
        self.source, self.where, self.problem = source, where, problem
        super().__init__(f"{source}: {where}: {problem}")


def _texts(value: Any, languages: Iterable[str]) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, str):
        return {lang: value for lang in languages}
    return dict(value)


def _where(path: Iterable[Any], raw: Mapping[str, Any]) -> str:
    """Turn a JSON-Schema error path into 'item "rupture", field "max"'."""
    parts = list(path)
    if len(parts) >= 2 and parts[0] == "items" and isinstance(parts[1], int):
        items = raw.get("items") or []
        item_id = items[parts[1]].get("id") if parts[1] < len(items) and isinstance(items[parts[1]], dict) else None
        label = f'item "{item_id}"' if item_id else f"item #{parts[1] + 1}"
        rest = ".".join(str(p) for p in parts[2:])
        return f"{label}, field {rest!r}" if rest else label
    if len(parts) >= 2 and parts[0] == "scales":
        rest = ".".join(str(p) for p in parts[2:])
        return f'scale "{parts[1]}"' + (f", field {rest!r}" if rest else "")
    return "field " + repr(".".join(str(p) for p in parts)) if parts else "top level"


def parse_instrument(raw: Any, source: str) -> Instrument:
    if not isinstance(raw, dict):
        raise InstrumentError(source, "top level", "expected a mapping of instrument fields")
    errors = sorted(jsonschema.Draft202012Validator(INSTRUMENT).iter_errors(raw), key=lambda e: list(e.path))
    if errors:
        best = jsonschema.exceptions.best_match(errors)
        raise InstrumentError(source, _where(best.absolute_path, raw), best.message)

    languages = tuple(raw["languages"])
    items: list[Item] = []
    seen: dict[str, Item] = {}
    for entry in raw["items"]:
        item = _parse_item(entry, languages, seen, source)
        items.append(item)
        seen[item.id] = item

    scales = {sid: _parse_scale(sid, spec, seen, languages, source) for sid, spec in raw["scales"].items()}
    translations = {lang: Translation(t["validated"], t["source"]) for lang, t in raw.get("translations", {}).items()}
    instrument = Instrument(
        id=raw["id"],
        version=str(raw["version"]),
        title=_texts(raw["title"], languages),
        respondent=raw["respondent"],
        languages=languages,
        items=tuple(items),
        scales=scales,
        status=raw.get("status", ""),
        licence=raw.get("licence", ""),
        intro=_texts(raw.get("intro"), languages),
        privacy_notice=_texts(raw.get("privacy_notice"), languages),
        source_file=source,
        purpose=raw.get("purpose", "alliance"),
        translations=translations,
    )
    problem = check_languages(instrument)
    if problem:
        raise InstrumentError(source, *problem)
    return instrument


def _parse_item(entry: dict[str, Any], languages: tuple[str, ...], earlier: Mapping[str, Item], source: str) -> Item:
    item_id, kind = entry["id"], entry["type"]
    where = f'item "{item_id}"'
    if item_id in earlier:
        raise InstrumentError(source, where, "duplicate item id")
    lo, hi = entry.get("min"), entry.get("max")
    anchors: dict[int, dict[str, str]] = {}
    if kind == "likert":
        if lo >= hi:
            raise InstrumentError(source, where, f"min ({lo}) must be below max ({hi})")
        for key, text in entry["anchors"].items():
            point = int(key)
            if not lo <= point <= hi:
                raise InstrumentError(source, where, f"anchor {point} is outside {lo}..{hi}")
            anchors[point] = _texts(text, languages)
    elif lo is not None or hi is not None or "anchors" in entry:
        raise InstrumentError(source, where, f"min/max/anchors only apply to likert items, not {kind}")
    options = tuple(Option(o["id"], _texts(o["label"], languages)) for o in entry.get("options", ()))
    if len({o.id for o in options}) != len(options):
        raise InstrumentError(source, where, "duplicate option id")
    if options and kind not in ("single_choice", "multiple_choice"):
        raise InstrumentError(source, where, f"options only apply to choice items, not {kind}")
    condition = _parse_condition(entry.get("show_if"), earlier, where, source)
    return Item(
        id=item_id,
        type=kind,
        text=_texts(entry["text"], languages),
        required=entry.get("required", True),
        show_if=condition,
        min=lo,
        max=hi,
        anchors=anchors,
        options=options,
        max_length=entry.get("max_length", 500),
        help=_texts(entry.get("help"), languages),
        risk=_risk(entry, kind, where, source),
    )


def _risk(entry: dict[str, Any], kind: str, where: str, source: str) -> bool:
    if entry.get("risk") and kind != "likert":
        raise InstrumentError(source, where, "only a likert item can be a risk item (any answer above its minimum)")
    return bool(entry.get("risk"))


def _parse_condition(
    spec: dict[str, Any] | None, earlier: Mapping[str, Item], where: str, source: str
) -> Condition | None:
    if spec is None:
        return None
    target = earlier.get(spec["item"])
    if target is None:
        raise InstrumentError(source, where, f'show_if refers to "{spec["item"]}", which is not an earlier item')
    values = tuple(spec["in"]) if "in" in spec else (spec["equals"],)
    for value in values:
        ok = (
            (target.type == "yes_no" and isinstance(value, bool))
            or (
                target.type == "likert"
                and isinstance(value, int)
                and not isinstance(value, bool)
                and target.min <= value <= target.max
            )
            or (target.type == "single_choice" and value in target.option_ids)
        )
        if not ok:
            raise InstrumentError(source, where, f'show_if value {value!r} can never be an answer to "{target.id}"')
    return Condition(target.id, values)


def _parse_scale(
    scale_id: str, spec: dict[str, Any], items: Mapping[str, Item], languages: tuple[str, ...], source: str
) -> Scale:
    where = f'scale "{scale_id}"'
    for item_id in spec["items"]:
        if item_id not in items:
            raise InstrumentError(source, where, f'unknown item "{item_id}"')
        if items[item_id].type != "likert":
            raise InstrumentError(
                source, where, f'item "{item_id}" is {items[item_id].type}; only likert items can be scored'
            )
    reverse = frozenset(spec.get("reverse", ()))
    if not reverse <= set(spec["items"]):
        raise InstrumentError(source, where, "reverse-keyed items must be among the scale's items")
    min_answered = spec.get("min_answered", len(spec["items"]))
    if min_answered > len(spec["items"]):
        raise InstrumentError(source, where, f"min_answered ({min_answered}) exceeds its {len(spec['items'])} items")
    norms = spec.get("norms")
    outcome = _parse_outcome(spec.get("outcome"), languages, where, source)
    return Scale(
        id=scale_id,
        items=tuple(spec["items"]),
        reverse=reverse,
        scoring=spec["scoring"],
        min_answered=min_answered,
        norms=Norms(norms["sd"], norms["reliability"], norms.get("low_cutoff"), norms["source"]) if norms else None,
        label=_texts(spec.get("label", scale_id), languages),
        outcome=outcome,
    )


def _parse_outcome(
    spec: dict[str, Any] | None, languages: tuple[str, ...], where: str, source: str
) -> OutcomeRules | None:
    if spec is None:
        return None
    starts = [band["from"] for band in spec["bands"]]
    if starts != sorted(set(starts)):
        raise InstrumentError(source, where, "outcome bands must go from the lowest total up, each starting higher")
    return OutcomeRules(
        higher_is=spec["higher_is"],
        bands=tuple(Band(band["from"], _texts(band["label"], languages)) for band in spec["bands"]),
        caseness=spec.get("caseness"),
        reliable_change=spec.get("reliable_change"),
        source=spec["source"],
    )


def load_file(path: Path) -> Instrument:
    """The instrument in `path`. Parsed once per version of the file and process: an app is made
    per worker, per CLI call and per test, and the instruments are (frozen) data."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise InstrumentError(str(path), "file", f"cannot be read ({exc})") from exc
    return _load_file(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _load_file(path: Path, mtime_ns: int, size: int) -> Instrument:  # the stat is part of the cache key
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        raw = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=YAML_LOADER)  # noqa: S506  (a safe loader)
    except (OSError, UnicodeDecodeError) as exc:
        raise InstrumentError(source, "file", f"cannot be read ({exc})") from exc
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise InstrumentError(source, "file", f"is not valid YAML/JSON ({exc})") from exc
    return parse_instrument(raw, source)


def load_directories(directories: Iterable[Path]) -> dict[tuple[str, str], Instrument]:
    """All instruments found in the directories, keyed by (id, version)."""
    found: dict[tuple[str, str], Instrument] = {}
    for directory in directories:
        if not directory.is_dir():
            raise InstrumentError(str(directory), "directory", "does not exist")
        for path in sorted(p for p in directory.iterdir() if p.suffix in SUFFIXES):
            instrument = load_file(path)
            key = (instrument.id, instrument.version)
            if key in found:
                raise InstrumentError(
                    str(path),
                    "id",
                    f"{instrument.id} version {instrument.version} is already defined in {found[key].source_file}",
                )
            found[key] = instrument
    return found
