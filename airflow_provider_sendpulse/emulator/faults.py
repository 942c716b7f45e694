"""Injected faults: make chosen requests fail, stall, or lose their connection.

A rule matches a request by method (or `*`) and a glob over the path, where `*` matches within one path
segment and `**` across segments. It fires `times` times (forever when None), then disappears. When it
fires it waits `delay` seconds, then does one of: `drop` (close the connection without an answer), answer
`body` raw (status default 500), answer `status` in SendPulse's envelope with `error_code`, or, with only a
delay, let the request through.

With `after`, the route runs first (the request takes effect), then the delay passes and the answer is
dropped, replaced by the `status`/`body` answer, or sent late: "done, but the answer was lost".
With `probability` (and an optional `seed`), a matching request is hit only with that probability; a
request it spares does not count against `times` and may match a later rule.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from typing import Any


def _glob_to_regex(pattern: str) -> re.Pattern[str]:
    parts = re.split(r"(\*\*|\*|\?)", pattern)
    tokens = {"**": ".*", "*": "[^/]*", "?": "[^/]"}
    return re.compile("".join(tokens.get(p, re.escape(p)) for p in parts) + r"\Z")


@dataclass
class FaultRule:
    """One fault injection rule (see the module docstring)."""

    path: str = "**"
    method: str = "*"
    times: int | None = 1
    status: int | None = None
    error_code: int | None = None
    message: str | None = None
    delay: float = 0.0
    drop: bool = False
    body: str | None = None
    content_type: str = "text/html; charset=UTF-8"
    after: bool = False
    probability: float | None = None
    seed: int | None = None
    hits: int = 0
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _random: random.Random = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.method = self.method.upper()
        self._regex = _glob_to_regex(self.path)
        self._random = random.Random(self.seed)

    def rolls_hit(self) -> bool:
        """Whether a matching request is hit (always, unless the rule has a probability)."""
        return self.probability is None or self._random.random() < self.probability

    def matches(self, method: str, path: str) -> bool:
        """Whether this rule applies to the request."""
        return self.method in ("*", method.upper()) and self._regex.match(path) is not None

    def error_body(self) -> dict[str, Any]:
        """The envelope answered for a `status` fault."""
        status = self.status or 500
        try:
            default = HTTPStatus(status).phrase
        except ValueError:
            default = "Error"
        return {"message": self.message or default, "error_code": self.error_code or status}

    def to_json(self) -> dict[str, Any]:
        """The rule as the admin API shows it."""
        data = asdict(self)
        data.pop("_regex", None)
        data.pop("_random", None)
        return data


class FaultSet:
    """The active fault rules, consumed in the order they were added."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []

    def add(self, rule: FaultRule) -> None:
        """Activate a rule."""
        with self._lock:
            self._rules.append(rule)

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._rules.clear()

    def rules(self) -> list[FaultRule]:
        """The active rules."""
        with self._lock:
            return list(self._rules)

    def take(self, method: str, path: str) -> FaultRule | None:
        """The first rule matching the request, counting it as fired."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path) and rule.rolls_hit():
                    rule.hits += 1
                    if rule.times is not None:
                        rule.times -= 1
                        if rule.times <= 0:
                            self._rules.remove(rule)
                    return rule
        return None
