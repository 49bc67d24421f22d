"""Strategy: fix, then solve -- the seed-002 construction, made general.

With the parameters and inputs fixed, every unit's activation region is fixed too, and
for an identity output with mse the gradients are *linear* in the targets (through the
residuals ``yhat - y``).  So: draw the free parameters and inputs from small exact values
(a seeded, repeatable sequence of trials), then let Z3 solve for the remaining free
variables -- a linear problem it answers in milliseconds.  A trial that fails proves
nothing; this strategy only ever finds witnesses, which the checker then re-verifies.
"""

from __future__ import annotations

import random

import sympy as sp

from ..problem import Instance
from . import smt
from .domains import OpaqueDomain, SympyDomain
from .elaborate import Elaborator
from .evaluate import truth
from .formula import Atom, Junction, Negation, dnf, nnf
from .outcome import Sat, Unknown

NAME = "constructive"
_VALUES = [sp.Integer(v) for v in (1, -1, 2, -2, 3, -3, 0)] + [sp.Rational(1, 2),
                                                                 sp.Rational(-1, 2)]


_OPTIMIZER = {"lr": ["1/10", "1/2", "1"], "momentum": ["0", "1/2", "9/10"],
              "weight_decay": ["0", "1/10", "1/2", "1"]}  # values inside each one's range


def _draw(rng: random.Random, symbol, slot) -> sp.Expr:
    name = slot[0]
    if name in _OPTIMIZER:
        return sp.Rational(rng.choice(_OPTIMIZER[name]))
    if name == "x":
        return rng.choice(_VALUES)
    return rng.choice(_VALUES[:6] + [sp.Integer(0)] if name.startswith("b") else _VALUES[:6])


def _solve_exactly(claim, reduced: Instance, want: bool, solve_for: list):
    """Values of ``solve_for`` (the targets) making the claim's truth ``want``, found with
    SymPy's exact linear algebra; works with transcendental constants such as tanh(1)."""
    domain = SympyDomain(reduced)
    formula = Elaborator(reduced.network, reduced.batch, domain).formula(claim)
    target = nnf(formula, negate=not want)
    for conjunct in dnf(target) or []:
        equations = [sp.expand(a.left - a.right) for a in conjunct
                     if isinstance(a, Atom) and a.op == "=="]
        if any(sp.Poly(e, *solve_for).total_degree() > 1 for e in equations if e.free_symbols):
            continue
        solutions = sp.linsolve(equations, solve_for) if equations else \
            sp.FiniteSet(tuple(solve_for))
        for solution in solutions:
            params = sorted(set().union(*(v.free_symbols for v in solution)), key=str)
            for choice in ((0,), (1,), (-1,), (2,)):
                values = {p: sp.Integer(choice[0]) for p in params}
                assignment = {y: v.subs(values) for y, v in zip(solve_for, solution, strict=True)}
                if truth(_substitute(target, assignment)) is True:
                    return assignment
    return None


def _substitute(f, assignment):
    if isinstance(f, Atom):
        return Atom(f.op, f.left.subs(assignment), f.right.subs(assignment))
    if isinstance(f, Negation):
        return Negation(_substitute(f.arg, assignment))
    if isinstance(f, Junction):
        return Junction(f.kind, tuple(_substitute(a, assignment) for a in f.args))
    return f


def _pins(claim, inst: Instance, want: bool) -> list[dict]:
    """For each way the target can hold (its DNF conjunctions), the variables it pins to a
    value by an equation in that variable alone (``W1 == 0`` pins every entry of W1)."""
    formula = Elaborator(inst.network, inst.batch, OpaqueDomain(inst)).formula(claim)
    free = set(inst.free)
    out = []
    for conjunct in dnf(nnf(formula, negate=not want)) or [[]]:
        pins = {}
        for lit in conjunct:
            if isinstance(lit, Atom) and lit.op == "==":
                e = sp.expand(lit.left - lit.right)
                syms = e.free_symbols
                if len(syms) == 1 and syms <= free:
                    (s,) = syms
                    if sp.degree(e, s) == 1:
                        pins[s] = sp.solve(e, s)[0]
        if pins not in out:
            out.append(pins)
    return out


def run(claim, inst: Instance, want: bool, budget, seconds: float = 3.0, trials: int = 40):
    solve_for = [s for s in inst.free if inst.slots[s][0] == "y"]
    fix = [s for s in inst.free if inst.slots[s][0] != "y"]
    if not fix:
        return Unknown(NAME, "nothing to draw")
    stop = budget.remaining() - min(seconds, budget.remaining() / 2)
    rng = random.Random(20231817)
    pin_sets = _pins(claim, inst, want)
    for trial in range(trials):
        if budget.remaining() <= stop:
            break
        pins = pin_sets[trial % len(pin_sets)]
        drawn = {s: pins[s] if s in pins else _draw(rng, s, inst.slots[s]) for s in fix}
        reduced = inst.substitute(drawn)
        if solve_for and not inst.network.piecewise_linear:
            found = _solve_exactly(claim, reduced, want, solve_for)
            if found is not None:
                return Sat({**drawn, **found}, NAME)
        elif solve_for:
            sub_budget = _Slice(budget, min(0.5, budget.remaining() - stop))
            out = smt.run(claim, reduced, want, sub_budget, simplify=True)
            if isinstance(out, Sat):
                return Sat({**drawn, **out.assignment}, NAME)
        else:
            from .evaluate import run as evaluate
            out = evaluate(claim, reduced, want, budget)
            if isinstance(out, Sat):
                return Sat(drawn, NAME)
    return Unknown(NAME, "no trial gave a witness")


class _Slice:
    """A shorter deadline inside a budget."""

    def __init__(self, budget, seconds: float):
        import time
        self._end = time.monotonic() + max(0.0, seconds)
        self._budget = budget

    def remaining(self) -> float:
        import time
        return max(0.0, min(self._end - time.monotonic(), self._budget.remaining()))

    def expired(self) -> bool:
        return self.remaining() <= 0
