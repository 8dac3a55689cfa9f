"""The instruments an app knows: the built-in ones plus any a clinic configures."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, current_app

from feedback.instruments.loader import BUILTIN_DIR, load_directories
from feedback.instruments.model import Instrument


class Registry:
    def __init__(self, instruments: dict[tuple[str, str], Instrument]):
        self._instruments = instruments

    def all(self) -> list[Instrument]:
        return sorted(self._instruments.values(), key=lambda i: (i.id, _version_key(i.version)))

    def get(self, instrument_id: str, version: str | None = None) -> Instrument:
        if version is not None:
            try:
                return self._instruments[(instrument_id, str(version))]
            except KeyError:
                raise LookupError(f"no instrument {instrument_id} version {version}") from None
        versions = [i for (iid, _), i in self._instruments.items() if iid == instrument_id]
        if not versions:
            raise LookupError(f"no instrument {instrument_id}")
        return max(versions, key=lambda i: _version_key(i.version))


def _version_key(version: str) -> tuple[int | str, ...]:
    return tuple(int(p) if p.isdigit() else p for p in version.split("."))


def configured_dirs(setting: str) -> list[Path]:
    """INSTRUMENT_DIRS: extra folders separated by the OS path separator (':' on Linux)."""
    return [Path(p) for p in setting.split(os.pathsep) if p.strip()]


def init_app(app: Flask) -> None:
    dirs = [BUILTIN_DIR, *configured_dirs(app.config.get("INSTRUMENT_DIRS", ""))]
    app.extensions["instruments"] = Registry(load_directories(dirs))


def registry() -> Registry:
    return current_app.extensions["instruments"]
