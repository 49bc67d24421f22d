"""Strategy: direct exact evaluation, when every parameter and datum is fixed."""

from __future__ import annotations

from .. import signs
from ..problem import Instance
from .domains import SympyDomain
from .elaborate import Elaborator
from .formula import Atom, Const, Junction, Negation
from .outcome import Sat, Unknown, Unsat

NAME = "evaluate"


def truth(f) -> bool | None:
    """Kleene truth value of a formula over exact SymPy numbers."""
    if isinstance(f, Const):
        return f.value
    if isinstance(f, Atom):
        return signs.compare(f.op, f.left, f.right)
    if isinstance(f, Negation):
        v = truth(f.arg)
        return None if v is None else not v
    values = [truth(a) for a in f.args]
    if isinstance(f, Junction) and f.kind == "and":
        return False if False in values else None if None in values else True
    return True if True in values else None if None in values else False


def run(claim, inst: Instance, want: bool, budget):
    """``want``: the truth value of the claim we are looking for (False for prove)."""
    if inst.free:
        return Unknown(NAME, "some values are free")
    formula = Elaborator(inst.network, inst.batch, SympyDomain(inst)).formula(claim)
    value = truth(formula)
    if value is None:
        return Unknown(NAME, "a comparison could not be certified exactly (its two sides "
                             "agree to over 300 digits but no proof of equality was found)")
    if value == want:
        return Sat({}, NAME)
    return Unsat(NAME, {"kind": "evaluation",
                        "text": f"every value is fixed; the claim evaluates exactly to {value}"})
