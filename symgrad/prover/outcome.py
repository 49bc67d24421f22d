"""What a strategy says about its *target* formula (the claim for ``find``, its negation
for ``prove``): satisfiable with an assignment, unsatisfiable with evidence, or unknown."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Sat:
    assignment: dict  # free SymPy symbol -> exact value
    method: str
    note: str = ""


@dataclass(frozen=True)
class Unsat:
    method: str
    certificate: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Unknown:
    method: str
    reason: str


class Budget:
    """A deadline shared by every strategy and batch size."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.start = time.monotonic()

    def remaining(self) -> float:
        return max(0.0, self.seconds - (time.monotonic() - self.start))

    def expired(self) -> bool:
        return self.remaining() <= 0

    def elapsed(self) -> float:
        return time.monotonic() - self.start
