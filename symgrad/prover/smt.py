"""Strategy: decide the claim with Z3's nonlinear real arithmetic (nlsat).

For piecewise-linear activations with mse the encoding is exact: each hidden unit of each
sample gets a value and a derivative tied to its pre-activation by three linear regions
(z > 0, z < 0, z = 0 with the chosen derivative at the kink), and everything else is
polynomial, which ``z3.SolverFor("QF_NRA")`` decides completely.  ``unsat`` proves the
target impossible; a model is a witness, read out exactly (rationals, or algebraic
numbers as ``CRootOf``) after a search that fixes each free variable to the simplest
value that keeps the formula satisfiable.

Smooth activations are abstracted: their values and derivatives become fresh unknowns
constrained only by true facts (ranges, derivative identities, signs, monotonicity).  An
``unsat`` is still a proof; a model of the abstraction is not a witness, so it gives
``unknown``.
"""

from __future__ import annotations

import sympy as sp
import z3

from ..errors import UnsupportedError
from ..problem import Instance
from .domains import Z3Domain, from_z3
from .elaborate import Elaborator
from .formula import Atom, Const, Negation
from .outcome import Sat, Unknown, Unsat

NAME = "smt"
_CMP = {"==": lambda a, b: a == b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}
_SIMPLE = ["0", "1", "-1", "2", "-2", "1/2", "-1/2", "3", "-3", "4", "-4", "1/3", "-1/3"]


def to_z3(f):
    if isinstance(f, Const):
        return z3.BoolVal(f.value)
    if isinstance(f, Atom):
        return _CMP[f.op](f.left, f.right)
    if isinstance(f, Negation):
        return z3.Not(to_z3(f.arg))
    args = [to_z3(a) for a in f.args]
    return z3.And(args) if f.kind == "and" else z3.Or(args)


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


def _simple(v) -> bool:
    """A small rational such as 3, -1/2 or 5/4: nothing to gain by searching further."""
    if not z3.is_rational_value(v):
        return False
    return abs(v.numerator_as_long()) <= 12 and v.denominator_as_long() <= 12


def _candidates(current) -> list[str]:
    out = list(_SIMPLE)
    if z3.is_rational_value(current):
        out.append(str(round(from_z3(current))))
    elif z3.is_algebraic_value(current):
        approx = current.approx(2)
        out.append(f"{approx.numerator_as_long()}/{approx.denominator_as_long()}")
    return list(dict.fromkeys(out))


def _simplify_model(solver, variables, budget, seconds: float = 4.0):
    """Pin each variable, in order, to its value if that is already simple, else to the
    simplest candidate that keeps the target satisfiable (short checks, a capped total)."""
    model = solver.model()
    stop = budget.remaining() - min(seconds, budget.remaining() / 3)
    for var in variables:
        current = model.eval(var, model_completion=True)
        if _simple(current):
            solver.add(var == current)  # the current model satisfies it: still sat
            continue
        for text in _candidates(current):
            if budget.remaining() <= stop:
                break
            solver.push()
            solver.add(var == z3.RealVal(text))
            solver.set("timeout", _ms(min(0.5, budget.remaining() - stop)))
            if solver.check() == z3.sat:
                model = solver.model()
                break
            solver.pop()
    return model


def run(claim, inst: Instance, want: bool, budget, simplify: bool = True):
    """Look for values of the free variables that make the claim's truth value ``want``."""
    try:
        domain = Z3Domain(inst)
        formula = Elaborator(inst.network, inst.batch, domain).formula(claim)
        target = to_z3(formula)
    except UnsupportedError as exc:
        return Unknown(NAME, str(exc))
    if not want:
        target = z3.Not(target)
    ops = domain.ops
    solver = z3.SolverFor("QF_NRA")
    solver.set("timeout", _ms(budget.remaining()))
    solver.add(*ops.side)
    solver.add(target)
    result = solver.check()
    exact = domain.exact
    encoding = ("exact: three linear regions per piecewise-linear unit and sample"
                if exact else "abstraction of " + ", ".join(sorted(ops.abstracted))
                + " by the facts " + ", ".join(sorted(ops.facts)))
    if result == z3.unsat:
        return Unsat(NAME, {
            "kind": "smt",
            "solver": f"z3 {z3.get_version_string()} QF_NRA (nlsat)",
            "encoding": encoding,
            "text": ("no values of the free variables make the claim "
                     + ("true" if want else "false")
                     + " (the solver's unsat is complete for this real-arithmetic encoding)"),
        })
    if result != z3.sat:
        reason = solver.reason_unknown()
        if budget.expired() or "timeout" in reason or "canceled" in reason:
            return Unknown(NAME, "the solver ran out of time")
        return Unknown(NAME, f"the solver gave up ({reason})")
    if not exact:
        return Unknown(NAME, "the solver found values that satisfy the facts used about "
                             + ", ".join(sorted(ops.abstracted))
                             + ", but they need not be the function's true values")
    order = [s for s in inst.free if s in ops.vars]
    model = _simplify_model(solver, [ops.vars[s] for s in order], budget) if simplify \
        else solver.model()
    # a free variable the formula never mentions can take any value: 0
    assignment = {s: from_z3(model.eval(ops.vars[s], model_completion=True))
                  if s in ops.vars else sp.Integer(0) for s in inst.free}
    return Sat(assignment, NAME)
