"""Strategy: choose the activations' *values*, then map back through their exact inverses.

A smooth activation's value at a simple point is rarely simple (``sigmoid(1)``), but its
inverse at a simple value is a closed form: ``logit(1/3) = -log(2)``, ``atanh(3/5) =
log(2)``.  So instead of drawing parameters and hoping the claim's equations come out
right, this strategy picks the values and solves for what produces them:

1. **Pins and draws.**  A branch of the claim (a conjunction of its DNF) pins variables
   it equates to a constant (``y[m] == 0``, ``W1 == 0``); the free parameters below the
   output layer are drawn from small exact values, like the constructive strategy.
2. **Hidden values by inverse.**  When the inputs are free and the first layer is smooth,
   half of the trials choose the first layer's activation values instead (rationals in the
   activation's range) and solve ``W1 x + b1 = f^-1(value)`` for the inputs, so every
   hidden value is rational and the inputs are closed forms (``atanh(1/3) - 1``).
3. **Output values as unknowns.**  The output activation of each group of samples with the
   same hidden values becomes an unknown ``p`` (its derivative ``p (1 - p)`` for sigmoid);
   with bce, ``dL/dz_L = p - y``, so the gradients are polynomials in ``p``, the targets and
   the output weights.  The output layer's free parameters are solved from
   ``W_L a + b_L = f^-1(p)`` with ``f^-1(p)`` kept as a symbol ``l``; an equation of the claim
   that involves ``l`` is required to hold for every ``l`` (each coefficient zero), which is
   sufficient.  The equations in ``p`` and the targets are solved exactly (linear, or
   linear after a few values are chosen); their free parameters take simple values.
4. **Back through the inverse.**  ``l = f^-1(p)`` (``log(p/(1 - p))`` for sigmoid) gives
   the output parameters in closed form (``log(2)``, ``-log(3) + 1``).  A candidate is kept
   only if every output pre-activation simplifies *structurally* to ``f^-1(p)`` and exact
   evaluation of the claim (certified signs) gives the wanted truth value.

Like the constructive strategy it only ever finds witnesses; each is re-checked by
:mod:`symgrad.check` before it is printed.
"""

from __future__ import annotations

import itertools
import random

import sympy as sp

from .. import signs
from ..claims import ast
from ..problem import Instance
from .domains import OpaqueDomain
from .elaborate import Elaborator
from .evaluate import run as evaluate
from .formula import Atom, Const, Junction, Negation, branches, conj, disj, neg, nnf
from .outcome import Sat, Unknown

NAME = "inverse"
_DRAW = [sp.Integer(v) for v in (1, -1, 2, -2, 0)] + [sp.Rational(1, 2), sp.Rational(-1, 2)]
_NONZERO = [v for v in _DRAW if v != 0]
# activation values to aim at, kept when inside the activation's range
_VALUES = [sp.Rational(*q) for q in ((1, 2), (1, 3), (2, 3), (0, 1), (-1, 2), (3, 5), (-3, 5),
                                     (1, 4), (3, 4), (1, 5), (4, 5), (1, 1), (2, 1), (-1, 3))]
_TARGETS = [sp.Integer(v) for v in (0, 1)] + [sp.Rational(1, 2), sp.Integer(2), sp.Integer(-1)]


def _in_range(activation, q) -> bool:
    """Is q certainly inside the activation's open range?  (q may be a closed form such as
    (1 - tanh(3)**2)/2, whose comparison SymPy cannot always decide: certified by signs,
    and an undecided comparison counts as outside.)"""
    lo, hi = activation.smooth.value_range
    return ((lo is None or signs.compare(">", q, lo) is True)
            and (hi is None or signs.compare("<", q, hi) is True))


def _aims(activation) -> list:
    """Rational values inside the activation's range (the identity takes any)."""
    if activation.smooth is None:
        return list(_VALUES)
    return [q for q in _VALUES if _in_range(activation, q)]


def _inverse(activation):
    """The exact inverse of an invertible activation (identity, or smooth with one)."""
    if activation.linear:
        slope = activation.slopes[1]
        return lambda a: a / slope
    if activation.smooth is not None and activation.smooth.inverse is not None:
        return activation.smooth.inverse
    return None


def _derivative_of_value(activation, p):
    if activation.linear:
        return activation.slopes[1]
    return activation.smooth.df_of_value(p) if activation.smooth.df_of_value else None


def _expr(v) -> sp.Expr:
    """An atom's side as a SymPy expression (the elaborator leaves plain ints for
    constants); never user text."""
    return v if isinstance(v, sp.Basic) else sp.Integer(v)


def _substitute(f, mapping):
    if isinstance(f, Atom):
        return Atom(f.op, _expr(f.left).xreplace(mapping),
                    _expr(f.right).xreplace(mapping), f.label)
    if isinstance(f, Negation):
        return Negation(_substitute(f.arg, mapping))
    if isinstance(f, Junction):
        return Junction(f.kind, tuple(_substitute(a, mapping) for a in f.args))
    return f


def _fold(f):
    """Comparisons of two rationals replaced by their truth value, then simplified."""
    if isinstance(f, Atom):
        left, right = _expr(f.left), _expr(f.right)
        if left.is_Rational and right.is_Rational:
            return Const(bool({"==": left == right, "<": left < right, "<=": left <= right,
                               ">": left > right, ">=": left >= right}[f.op]))
        return f
    if isinstance(f, Negation):
        return neg(_fold(f.arg))
    if isinstance(f, Junction):
        args = [_fold(a) for a in f.args]
        return conj(args) if f.kind == "and" else disj(args)
    return f


def _pins(literals, free) -> dict:
    """Variables a conjunction equates to a constant (an equation in one variable)."""
    pins = {}
    for lit in literals:
        if isinstance(lit, Atom) and lit.op == "==":
            e = sp.expand(_expr(lit.left) - _expr(lit.right))
            syms = e.free_symbols
            if len(syms) == 1 and syms <= free:
                (s,) = syms
                if sp.degree(e, s) == 1:
                    pins[s] = sp.solve(e, s)[0]
    return pins


class _Search:
    """One claim, instance and wanted truth value; ``trial`` tries one set of draws."""

    def __init__(self, claim, inst: Instance, want: bool, budget, rng):
        self.claim, self.inst, self.want, self.budget, self.rng = claim, inst, want, budget, rng
        net = inst.network
        self.L = net.depth
        self.out = net.activation(self.L)
        self.first = net.activation(1)
        slot = {s: inst.slots[s][0] for s in inst.free}
        self.out_params = [s for s in inst.free if slot[s] in (f"W{self.L}", f"b{self.L}")]
        self.ys = [s for s in inst.free if slot[s] == "y"]
        self.xs = [s for s in inst.free if slot[s] == "x"]
        self.lower = [s for s in inst.free if s not in self.out_params and s not in self.ys]
        formula = Elaborator(net, inst.batch, OpaqueDomain(inst)).formula(claim)
        free = set(inst.free)
        self.unrealisable = 0  # trials whose hidden values the output layer could not fit
        self.pin_sets = [_pins(b, free) for b in
                         branches(nnf(formula, negate=not want), rng, 32)] or [{}]

    # -- step 1 and 2: draws, pins, and hidden values by inverse --------------------
    def draws(self, trial: int) -> dict:
        pins = self.pin_sets[trial % len(self.pin_sets)]
        rng = self.rng
        # a whole weight matrix at zero (a layer that ignores its input) makes samples share
        # hidden values, the structure most batch witnesses need; a quarter of the draws
        zero = {name for name in self.inst.network.param_names
                if name.startswith("W") and rng.random() < 0.25}
        drawn = {s: pins[s] if s in pins else sp.Integer(0)
                 if self.inst.slots[s][0] in zero else rng.choice(_DRAW) for s in self.lower}
        # targets are not pinned here: the branches of the reduced claim choose them
        drawn.update({s: pins[s] for s in self.out_params if s in pins})
        if self.L > 1 and self.xs and trial % 2 == 1 and not any(s in pins for s in self.xs):
            solved = self._inputs_by_inverse(drawn)
            if solved is not None:
                drawn.update(solved)
        return drawn

    def _inputs_by_inverse(self, drawn) -> dict | None:
        """Inputs x solving ``W1 x + b1 = f^-1(q)`` for first-layer values q chosen here."""
        inverse = _inverse(self.first)
        if inverse is None or self.first.smooth is None:
            return None
        inst = self.inst.substitute({s: v for s, v in drawn.items() if s not in self.xs})
        W, b = inst.values["W1"], inst.values["b1"]
        out = {}
        aims = _aims(self.first)
        for xm in inst.values["x"]:
            unknown = [v for v in xm if v in set(self.xs)]
            if not unknown:
                continue
            eqs = [sp.Add(*[w * v for w, v in zip(row, xm, strict=True)]) + bi
                   - inverse(self.rng.choice(aims)) for row, bi in zip(W, b, strict=True)]
            if any(e.free_symbols - set(unknown) for e in eqs):
                return None
            solutions = sp.linsolve(eqs, unknown)
            if not solutions:
                return None
            (solution,) = solutions
            # free directions of x keep the hidden values: random, so samples can differ
            rest = {s: self.rng.choice(_DRAW) for v in solution for s in v.free_symbols}
            out.update({s: sp.expand(v.xreplace(rest)) for s, v in zip(unknown, solution,
                                                                          strict=True)})
        return out

    # -- step 3 and 4: output values as unknowns, solved, mapped back ---------------
    def complete(self, drawn) -> dict | None:
        reduced = self.inst.substitute(drawn)
        domain = OpaqueDomain(reduced)
        formula = Elaborator(reduced.network, reduced.batch, domain).formula(self.claim)
        target = nnf(formula, negate=not self.want)
        run, ops, L = domain.run, domain.ops, self.L
        if any(unit_layer(ops, a) < L for _, a, _, _ in ops.units):
            return None  # a hidden value still depends on a free variable
        groups, group_of = [], []
        for m in range(reduced.batch):
            key = tuple(run.a[L - 1][m])
            if key not in groups:
                groups.append(key)
            group_of.append(groups.index(key))
        self._groups, self._group_of = groups, group_of
        inverse = _inverse(self.out)
        n_out = reduced.network.n_out
        p = {(g, k): sp.Symbol(f"p{g}_{k}", real=True) for g in range(len(groups))
             for k in range(n_out)}
        ell = {key: sp.Symbol(f"l{key[0]}_{key[1]}", real=True) for key in p}
        # biases first: linsolve then writes b_L in terms of the (drawn) weights
        out_free = sorted((s for s in reduced.free if s in set(self.out_params)),
                          key=lambda s: self.inst.slots[s][0][0] != "b")
        mapping, equations = {}, []
        opaque = {a for _, a, _, _ in ops.units}
        for m in range(reduced.batch):
            for k in range(n_out):
                a, d = ops.symbols((L, m + 1, k + 1))
                if a not in opaque:
                    continue
                key = (group_of[m], k)
                mapping[a] = p[key]
                mapping[d] = _derivative_of_value(self.out, p[key])
                equations.append(run.z[L - 1][m][k] - ell[key])
        if mapping and (inverse is None or None in mapping.values()):
            return None
        used = sorted({key for key in p if p[key] in set(mapping.values())})
        out_values = {}
        if not mapping:  # an identity output (or a fixed output layer): solve for it directly
            unknowns_out, out_free = out_free, []
        else:
            unknowns_out = []
        if out_free:
            solutions = sp.linsolve(equations, out_free)
            if not solutions:
                self.unrealisable += 1
                return None
            (solution,) = solutions
            rest = {s: self.rng.choice(_NONZERO) for v in solution for s in v.free_symbols
                    if s in set(out_free)}
            out_values = {s: sp.expand(v.xreplace(rest)) for s, v in zip(out_free, solution,
                                                                          strict=True)}
        unknowns = [p[key] for key in used] + [s for s in reduced.free if s in set(self.ys)] \
            + unknowns_out
        body = _fold(_substitute(target, {**mapping, **out_values}))
        options = branches(body, self.rng, 16)
        self.rng.shuffle(options)
        seen = set()
        for literals in options[:24]:
            if any(isinstance(lit, Const) for lit in literals):
                continue
            # only the equations steer the solve (the whole claim is evaluated at the end)
            key = frozenset(sp.expand(_expr(a.left) - _expr(a.right))
                            for a in literals if isinstance(a, Atom) and a.op == "==")
            if key in seen:
                continue
            seen.add(key)
            for values in self._solve(literals, unknowns, [ell[k] for k in used]):
                found = self._realise(reduced, drawn, values, used, p, ell, out_values,
                                      equations, inverse)
                if found is not None:
                    return found
                if self.budget.expired():
                    return None
        return None

    def _solve(self, literals, unknowns, logits):
        """Exact values of the unknowns (p's and targets) satisfying the branch's equations,
        several choices of the solution's free parameters, most natural first."""
        eqs = []
        for lit in literals:
            if not (isinstance(lit, Atom) and lit.op == "=="):
                continue
            e = sp.expand(_expr(lit.left) - _expr(lit.right))
            if e.free_symbols & set(logits):
                try:
                    eqs += sp.Poly(e, *logits).coeffs()  # zero for every l: sufficient
                except sp.PolynomialError:
                    continue
            else:
                eqs.append(e)
        eqs = [e for e in eqs if e != 0 and e.free_symbols <= set(unknowns)]
        chosen = {}
        for _ in range(len(unknowns) + 1):  # choose values until the system is linear
            pending = [e.xreplace(chosen) for e in eqs]
            bad = [e for e in pending if e.free_symbols and _degree(e, unknowns) > 1]
            if not bad:
                break
            s = sorted(bad[0].free_symbols, key=str)[0]
            chosen[s] = self._pick(s, 0)
        else:
            return
        pending = [e.xreplace(chosen) for e in eqs]
        rest = [u for u in unknowns if u not in chosen]
        solutions = sp.linsolve(pending, rest) if rest else sp.FiniteSet(())
        if not solutions:
            return
        (solution,) = solutions
        params = sorted({s for v in solution for s in v.free_symbols}, key=str)
        for combo in itertools.islice(self._combos(params), 24):
            values = dict(chosen)
            values.update({u: v.xreplace(combo) for u, v in zip(rest, solution, strict=True)})
            yield values

    def _pick(self, s, i):
        pool = _aims(self.out) if s.name.startswith("p") else _TARGETS
        return pool[i % len(pool)]

    def _combos(self, params):
        if not params:
            yield {}
            return
        pools = [(_aims(self.out) if s.name.startswith("p") else _TARGETS) for s in params]
        seen = 0
        for combo in itertools.product(*pools):
            yield dict(zip(params, combo, strict=True))
            seen += 1
            if seen >= 8:
                break
        for _ in range(16):
            yield {s: self.rng.choice(pool) for s, pool in zip(params, pools, strict=True)}

    def _realise(self, reduced, drawn, values, used, p, ell, out_values, equations, inverse):
        """The full assignment for chosen output values, if exact evaluation confirms it."""
        logit = {}
        for key in used:
            v = values[p[key]]
            if v.free_symbols or (self.out.smooth and not _in_range(self.out, v)):
                return None
            logit[ell[key]] = inverse(v)
        params = {s: sp.expand(v.xreplace(logit)) for s, v in out_values.items()}
        written = self._as_written(reduced, params, logit, used, ell)
        if written is not None:
            params = written
        elif any(sp.expand(e.xreplace(params).xreplace(logit)) != 0 for e in equations):
            return None  # z_L is not f^-1(p) in a form exact evaluation can confirm
        targets = {s: values[s] for s in reduced.free if s in values}
        full = {**params, **targets}
        if any(v.free_symbols for v in full.values()):
            return None
        final = reduced.substitute(full)
        if final.free:
            final = final.substitute({s: sp.Integer(0) for s in final.free})
            full.update({s: sp.Integer(0) for s in reduced.free if s not in full})
        out = evaluate(self.claim, final, self.want, self.budget)
        return {**drawn, **full} if isinstance(out, Sat) else None


    def _as_written(self, reduced, params, logit, used, ell) -> dict | None:
        """The output biases rewritten as ``f^-1(p) - W_L a``, with ``W_L a`` summed the way
        every evaluator sums it, so that ``z_L`` collapses to ``f^-1(p)`` without any
        simplification (and a sigmoid output prints as the rational p); None if that does
        not hold for every sample."""
        L, slots = self.L, self.inst.slots
        W = reduced.substitute(params).values[f"W{L}"]
        if any(e.free_symbols for row in W for e in row):
            return None
        out = dict(params)
        for s in params:
            name, index = slots[s]
            if name == f"b{L}":
                k = index[0] - 1
                hidden = self._groups[0]
                out[s] = logit[ell[(0, k)]] - sp.Add(*[w * a for w, a in zip(W[k], hidden,
                                                                             strict=True)])
        b = reduced.substitute(out).values[f"b{L}"]
        for m in range(reduced.batch):
            hidden = self._groups[self._group_of[m]]
            for k, (row, bk) in enumerate(zip(W, b, strict=True)):
                key = (self._group_of[m], k)
                if key not in used:
                    continue
                z = sp.Add(*[w * a for w, a in zip(row, hidden, strict=True)]) + bk
                if z != logit[ell[key]]:
                    return None
        return out


def _degree(e, unknowns) -> int:
    try:
        return sp.Poly(e, *unknowns).total_degree()
    except sp.PolynomialError:
        return 99


def unit_layer(ops, symbol) -> int:
    """The layer of an opaque activation symbol ``act{l}_{m}_{i}``."""
    return int(symbol.name[3:].split("_")[0])


def _steps(node) -> bool:
    """True when the claim speaks of optimizer steps (``after k:``, ``at(k, t)``, ``buf(P)``)."""
    if isinstance(node, ast.After | ast.At | ast.Buf):
        return True
    nodes = (ast.Formula, ast.Term)
    children = [v for v in vars(node).values() if isinstance(v, nodes)]
    children += [a for v in vars(node).values() if isinstance(v, tuple) for a in v
                 if isinstance(a, nodes)]
    return any(_steps(c) for c in children)


def run(claim, inst: Instance, want: bool, budget, trials: int = 60):
    """Look for a witness by choosing activation values and inverting."""
    net = inst.network
    if net.piecewise_linear:
        return Unknown(NAME, "not needed for piecewise-linear nets (smt is exact there)")
    if _steps(claim):
        return Unknown(NAME, "claims about later optimizer steps are left to the other strategies")
    if not inst.free:
        return Unknown(NAME, "nothing is free")
    search = _Search(claim, inst, want, budget, random.Random(20261125))
    if _inverse(search.out) is None:
        return Unknown(NAME, f"the output activation {net.out} has no exact inverse")
    for trial in range(trials):
        if budget.expired():
            return Unknown(NAME, "out of time")
        found = search.complete(search.draws(trial))
        if found is not None:
            return Sat(found, NAME)
    why = ""
    if search.unrealisable * 2 > trials:
        why = (f" (in {search.unrealisable} of them the samples had more distinct hidden values "
               "than the output layer can map to freely chosen probabilities)")
    return Unknown(NAME, f"no choice of output values in {trials} trials gave a witness{why}")
