"""Strategy: an algebraic certificate, valid for every activation and every value.

The claim is elaborated with every nonlinear activation value and derivative replaced by
a fresh symbol (``act1_1_1``, ``dact1_1_1``), so gradients are polynomials.  For a claim
``H1 and ... and Hk -> C1 and ... and Cn`` whose hypotheses and conclusions are equations
(``t == u``), it is proved when every conclusion polynomial is a combination
``C = q1*H1 + ... + qk*Hk`` of the hypothesis polynomials: found by multivariate
division, checked by expanding, and printed as the evidence.  Because the activation
symbols are treated as arbitrary numbers, the identity holds whatever the activation's
values are -- the structure of backpropagation is the proof.  Hypotheses that are not
equations are dropped, which only makes the statement proved stronger.
"""

from __future__ import annotations

import sympy as sp

from ..exact import to_str
from ..problem import Instance
from .domains import OpaqueDomain
from .elaborate import Elaborator
from .formula import Atom, Junction, Negation
from .outcome import Unknown, Unsat

NAME = "certificate"
_MAX_GENERATORS = 40


def _equations(f) -> list | None:
    """(polynomial, label) of a conjunction of equations, or None if it is something else."""
    if isinstance(f, Atom) and f.op == "==":
        return [(sp.expand(f.left - f.right), f.label)]
    if isinstance(f, Junction) and f.kind == "and":
        out = []
        for a in f.args:
            sub = _equations(a)
            if sub is None:
                return None
            out += sub
        return out
    return None


def _signs(f) -> list:
    """(op, polynomial) for each order atom of a conjunction: ``p op 0`` is assumed."""
    if isinstance(f, Atom) and f.op in ("<", "<=", ">", ">="):
        return [(f.op, sp.expand(f.left - f.right))]
    if isinstance(f, Junction) and f.kind == "and":
        return [s for a in f.args for s in _signs(a)]
    return []


_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _regions(signs, units) -> dict:
    """Substitutions act -> value, dact -> slope for the piecewise-linear units whose sign
    the hypotheses fix (``z1[m] < 0`` makes a ReLU's value and derivative 0)."""
    subs = {}
    for op, p in signs:
        for z, a, d, act in units:
            if not act.piecewise_linear:
                continue
            if sp.expand(p - z) == 0:
                side = op
            elif sp.expand(p + z) == 0:
                side = _FLIP[op]
            else:
                continue
            neg, pos = act.slopes
            slope = neg if side in ("<", "<=") else pos
            subs[a] = slope * z  # at z = 0 both branches give 0
            if side in ("<", ">") or act.grad_at_zero == slope:
                subs[d] = slope
    return subs


def _split(formula):
    """(hypothesis polynomials, [goal polynomial lists], sign hypotheses) of a disjunction."""
    parts = formula.args if isinstance(formula, Junction) and formula.kind == "or" else (formula,)
    hyps, goals, signs = [], [], []
    for p in parts:
        if isinstance(p, Negation):
            eqs = _equations(p.arg)
            if eqs is not None:
                hyps += eqs
            else:
                signs += _signs(p.arg)  # other hypotheses are dropped (sound)
            continue
        eqs = _equations(p)
        if eqs is not None:
            goals.append(eqs)
    return [h for h in hyps if h[0] != 0], goals, signs


def _polynomial(e: sp.Expr) -> bool:
    return e.is_polynomial(*e.free_symbols)


def _cofactors(goal, hyps, gens):
    """q with goal == sum(q_i * hyps_i), or None."""
    if goal == 0:
        return [sp.Integer(0)] * len(hyps)
    if not hyps or not gens:
        return None
    quotients, rem = sp.reduced(goal, hyps, *gens)
    if rem != 0:
        return None
    if sp.expand(goal - sum(q * h for q, h in zip(quotients, hyps, strict=True))) != 0:
        return None  # pragma: no cover - division guarantees it; we check anyway
    return quotients


def run(claim, inst: Instance, budget):
    if not inst.free:
        return Unknown(NAME, "everything is fixed; evaluation decides")
    domain = OpaqueDomain(inst)
    formula = Elaborator(inst.network, inst.batch, domain).formula(claim)
    labelled_hyps, goal_sets, signs = _split(formula)
    regions = _regions(signs, domain.ops.units)
    if regions:  # activation regions the hypotheses fix: substitute their linear pieces
        labelled_hyps = [(sp.expand(h.xreplace(regions)), n) for h, n in labelled_hyps]
        goal_sets = [[(sp.expand(g.xreplace(regions)), n) for g, n in gs] for gs in goal_sets]
    # only polynomials can be divided: a hypothesis with log(...) (the bce loss) is dropped,
    # which is sound; a conclusion set with one cannot be certified here
    labelled_hyps = [(h, n) for h, n in labelled_hyps if _polynomial(h)]
    goal_sets = [gs for gs in goal_sets if all(_polynomial(g) for g, _ in gs)]
    hyps = [h for h, _ in labelled_hyps]
    names = [label for _, label in labelled_hyps]
    if not goal_sets:
        return Unknown(NAME, "the claim does not conclude equations")
    if len(hyps) > _MAX_GENERATORS:
        return Unknown(NAME, "too many hypotheses for a division certificate")
    gens = sorted(set().union(*(p.free_symbols for p in hyps),
                              *(g.free_symbols for gs in goal_sets for g, _ in gs)), key=str)
    for goals in goal_sets:
        if budget.expired():
            return Unknown(NAME, "out of time")
        identities = []
        for g, label in goals:
            q = _cofactors(g, hyps, gens)
            if q is None:
                break
            terms = [f"({to_str(sp.factor(qi))}) * {name}"
                     for qi, name in zip(q, names, strict=True) if qi != 0]
            identities.append(f"{label} = {' + '.join(terms) or '0'}")
        else:
            used = set().union(*(g.free_symbols for g, _ in goals), *(h.free_symbols for h in hyps))
            meaning = {str(s): m for s, m in domain.ops.meaning.items() if s in used}
            hyp_text = [f"{name} = {to_str(h)}" for name, h in zip(names, hyps, strict=True)]
            region_text = [f"{to_str(k)} = {to_str(v)}" for k, v in regions.items()]
            return Unsat(NAME, {
                "kind": "cofactors",
                "text": ("each conclusion is a combination of the hypotheses with the cofactors "
                         "shown, an identity of polynomials checked by expansion; "
                         + ("the hypotheses fix the activation regions listed, and every other "
                            "activation value is an arbitrary symbol, so it holds for every "
                            "value of the free variables" if regions else
                            "activation values are arbitrary symbols, so it holds for every "
                            "activation and every value of the free variables")),
                "identities": identities,
                "hypotheses": hyp_text,
                "regions": region_text,
                "symbols": meaning,
            })
    return Unknown(NAME, "no conclusion is a combination of the hypotheses")
