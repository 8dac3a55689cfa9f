"""A Bundle written piece by piece: the entries come from streamed queries and leave as JSON text
one at a time, so memory does not grow with the clinic."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from dashboards.fhir.responses import utc

MEDIA_TYPE = "application/fhir+json"
#: (fullUrl, resource) as the mapping functions return them.
Entry = tuple[str, dict[str, Any]]


def bundle_chunks(
    entries: Iterable[Entry], *, kind: str = "collection", now: datetime, search: bool = False
) -> Iterator[str]:
    """The Bundle as JSON text. `search`: a search result (type searchset, each entry a match)."""
    head = {"resourceType": "Bundle", "type": "searchset" if search else kind, "timestamp": utc(now)}
    yield json.dumps(head, ensure_ascii=False)[:-1]
    opened = False  # FHIR JSON has no empty arrays: "entry" appears with the first entry
    for url, resource in entries:
        entry: dict[str, Any] = {"fullUrl": url, "resource": resource}
        if search:
            entry["search"] = {"mode": "match"}
        yield (',\n' if opened else ', "entry": [\n') + json.dumps(entry, ensure_ascii=False)
        opened = True
    yield "]}\n" if opened else "}\n"


def to_json(resource: dict[str, Any]) -> str:
    return json.dumps(resource, ensure_ascii=False)
