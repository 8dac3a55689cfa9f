"""`flask --app app instruments ...`: print the loaded instruments for people and tools."""

from __future__ import annotations

import json
from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup

from feedback.catalogs import translations_cli
from feedback.instruments.model import Instrument, Item, OutcomeRules, Scale
from feedback.instruments.registry import registry

instruments_cli = AppGroup("instruments", help="List and show the loaded questionnaires.")


def item_summary(instrument: Instrument, item: Item) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "id": item.id,
        "type": item.type,
        "text": instrument.text(item.text, instrument.languages[0]),
        "required": item.required,
        "condition": _condition(item),
        "risk": item.risk,
    }
    if item.type == "likert":
        summary["range"] = [item.min, item.max]
        summary["anchors"] = {str(k): instrument.text(v, instrument.languages[0]) for k, v in item.anchors.items()}
    elif item.type == "yes_no":
        summary["values"] = ["yes", "no"]
    elif item.type in ("single_choice", "multiple_choice"):
        summary["values"] = list(item.option_ids)
    else:
        summary["max_length"] = item.max_length
    return summary


def _condition(item: Item) -> dict[str, Any] | None:
    if item.show_if is None:
        return None
    # yes/no values are written "yes"/"no", as in forms and CSV files.
    values = [("yes" if v else "no") if isinstance(v, bool) else v for v in item.show_if.values]
    return {"item": item.show_if.item, "in": values}


def scale_summary(scale: Scale) -> dict[str, Any]:
    norms = scale.norms
    return {
        "id": scale.id,
        "items": list(scale.items),
        "reverse": sorted(scale.reverse),
        "scoring": scale.scoring,
        "min_answered": scale.min_answered,
        "norms": None
        if norms is None
        else {
            "sd": norms.sd,
            "reliability": norms.reliability,
            "low_cutoff": norms.low_cutoff,
            "source": norms.source,
        },
        "outcome": None if scale.outcome is None else _outcome(scale.outcome),
    }


def _outcome(rules: OutcomeRules) -> dict[str, Any]:
    return {
        "higher_is": rules.higher_is,
        "bands": [{"from": b.start, "label": b.label} for b in rules.bands],
        "caseness": rules.caseness,
        "reliable_change": rules.reliable_change,
        "source": rules.source,
    }


def instrument_summary(instrument: Instrument, *, full: bool) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "id": instrument.id,
        "version": instrument.version,
        "title": instrument.text(instrument.title, instrument.languages[0]),
        "respondent": instrument.respondent,
        "purpose": instrument.purpose,
        "languages": list(instrument.languages),
        # "original", "validated" or "not validated" per language: read a score from an
        # unvalidated translation with more care (docs/instruments.md, "Languages").
        "translations": {lang: instrument.translation_status(lang) for lang in instrument.languages},
        "status": instrument.status,
        "source_file": instrument.source_file,
    }
    if full:
        summary["items"] = [item_summary(instrument, item) for item in instrument.items]
        summary["scales"] = [scale_summary(scale) for scale in instrument.scales.values()]
    else:
        summary["item_count"] = len(instrument.items)
        summary["scales"] = list(instrument.scales)
    return summary


FORMAT = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)


@instruments_cli.command("list")
@FORMAT
def list_command(fmt: str) -> None:
    """List every loaded instrument."""
    found = registry().all()
    if fmt == "json":
        click.echo(json.dumps([instrument_summary(i, full=True) for i in found], indent=2))
        return
    for i in found:
        click.echo(
            f"{i.id} v{i.version}  [{i.respondent}]  {len(i.items)} items, "
            f"scales: {', '.join(i.scales)}  languages: {_languages(i)}  ({i.status or 'no status'})"
        )


def _languages(instrument: Instrument) -> str:
    return ", ".join(f"{lang} ({instrument.translation_status(lang)})" for lang in instrument.languages)


@instruments_cli.command("show")
@click.argument("instrument_id")
@click.option("--version", default=None, help="A specific version (default: the newest).")
@FORMAT
def show_command(instrument_id: str, version: str | None, fmt: str) -> None:
    """Show one instrument's items and scales."""
    try:
        instrument = registry().get(instrument_id, version)
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    summary = instrument_summary(instrument, full=True)
    if fmt == "json":
        click.echo(json.dumps(summary, indent=2))
        return
    click.echo(f"{summary['id']} v{summary['version']}: {summary['title']} [{summary['respondent']}]")
    click.echo(f"  languages: {_languages(instrument)}")
    for item in summary["items"]:
        cond = f"  (if {item['condition']['item']} in {item['condition']['in']})" if item["condition"] else ""
        allowed = item.get("range") or item.get("values") or f"text ≤ {item.get('max_length')}"
        click.echo(f"  {item['id']:<18} {item['type']:<16} {allowed}{'' if item['required'] else '  optional'}{cond}")
    for scale in summary["scales"]:
        norms = scale["norms"]
        n = f"  SD {norms['sd']}, r {norms['reliability']}, low < {norms['low_cutoff']}" if norms else ""
        rev = f" reverse {scale['reverse']}" if scale["reverse"] else ""
        click.echo(f"  scale {scale['id']}: {scale['scoring']} of {scale['items']}{rev}{n}")


def register(app: Flask) -> None:
    from feedback.delivery import cli as delivery_cli

    app.cli.add_command(instruments_cli)
    app.cli.add_command(translations_cli)
    delivery_cli.register(app)  # `worker` and `delivery ...`
