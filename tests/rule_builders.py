"""URL rules' builder functions kept for the whole run: every test builds its own app, and Werkzeug
compiles two builder functions for each of the app's ~450 rules (generated Python, compiled with
`compile`): about 50 ms of each test's set-up (88 -> 39 ms for a test that takes only `app`).

A builder's code depends only on what the key below holds (the rule's parsed parts, its defaults
and whether unknown arguments are appended); it takes the rule as its first argument and reads the
converters from it when called, so one compiled function serves the same rule of every app. A
Werkzeug without `Rule._compile_builder` is left alone: the suite is slower, not wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing import Rule

_BUILDERS: dict[tuple[Any, ...], Callable[..., tuple[str, str]]] = {}


def install() -> None:
    compile_builder = getattr(Rule, "_compile_builder", None)
    if compile_builder is None or getattr(compile_builder, "shared", False):
        return

    def shared(rule: Rule, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        defaults = rule.defaults or {}
        key = (
            rule.rule, append_unknown, tuple(rule._trace),
            tuple(sorted((name, repr(value)) for name, value in defaults.items())),
            tuple(sorted((name, type(converter)) for name, converter in rule._converters.items())),
        )
        builder = _BUILDERS.get(key)
        if builder is None:
            builder = _BUILDERS[key] = compile_builder(rule, append_unknown)
        return builder

    shared.shared = True  # type: ignore[attr-defined]
    Rule._compile_builder = shared  # type: ignore[method-assign]
