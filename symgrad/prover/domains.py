"""Number domains for the prover: the same reverse-mode pass, three readings.

* :class:`SympyDomain` -- exact SymPy values (used by direct evaluation);
* :class:`OpaqueDomain` -- every nonlinear activation value and derivative is a fresh
  symbol, so gradients are polynomials; an identity among them holds for *every*
  activation (used by algebraic certificates);
* :class:`Z3Domain` -- Z3 real terms; piecewise-linear activations are encoded exactly
  (one disjunction of three linear regions per unit), smooth ones are abstracted by
  fresh values constrained only by true facts from the activation registry.
"""

from __future__ import annotations

import sympy as sp
import z3

from .. import backprop
from ..errors import ClaimNameError, UnsupportedError
from ..problem import Instance


def _zeros_like(t, zero):
    return [_zeros_like(e, zero) for e in t] if isinstance(t, list) else zero


def _map(f, t):
    return [_map(f, e) for e in t] if isinstance(t, list) else f(t)


class Domain:
    """Tensors a claim can name, computed by one backprop pass in some ops.

    The optimizer's state is the parameters and the momentum buffer (the one that led to
    them; 0 before the first step, which is PyTorch's ``buf = g`` on the first step).
    """

    def __init__(self, inst: Instance, ops, step: int = 0, buf=None):
        self.inst, self.ops, self.step = inst, ops, step
        ops.step = step
        self.run = backprop.run(inst, ops)
        if buf is None and inst.buffer is not None:
            buf = {n: _map(ops.const, t) for n, t in inst.buffer.items()}
        self.buf = buf
        self._next = None

    def after(self, k: int) -> Domain:
        """The same quantities at the parameters after k more optimizer steps."""
        if k == 0:
            return self
        if self._next is None:
            from ..train import _sgd_step
            opt = self.inst.optimizer
            if opt is None:
                raise ClaimNameError("'after k:' needs an optimizer: give --lr (and, if "
                                     "wanted, --momentum, --weight-decay, --decay-biases)")
            c = self.ops.const
            params, buf = _sgd_step(self.run.params, self.run.grads, self.buf, c(opt.lr),
                                    c(opt.momentum), c(opt.weight_decay), opt)
            values = {**self.inst.values, **params}
            nxt = Instance(self.inst.network, self.inst.batch, values, self.inst.free,
                           self.inst.slots, opt)
            self._next = Domain(nxt, self.ops, self.step + 1, buf)
        return self._next.after(k - 1)

    def const(self, q):
        return self.ops.const(q)

    def source(self, src):
        kind, run = src[0], self.run
        if kind == "param":
            return run.params[src[1]]
        if kind == "grad":
            return run.grads[src[1]]
        if kind == "buf":
            if self.buf is None:
                return _zeros_like(run.params[src[1]], self.ops.const(sp.Integer(0)))
            return self.buf[src[1]]
        if kind == "opt":
            return self.ops.const(getattr(self.inst.optimizer, src[1]))
        if kind == "data":
            return run.a[0] if src[1] == "x" else run.y
        if kind == "layer":
            return run.z[src[2] - 1] if src[1] == "z" else run.a[src[2]]
        return run.loss(self.inst.network)


class SympyDomain(Domain):
    def __init__(self, inst: Instance):
        super().__init__(inst, backprop.SympyOps())


class OpaqueOps(backprop.SympyOps):
    """Nonlinear activations of non-constant arguments become symbols act/dact."""

    def __init__(self):
        self.meaning: dict[sp.Symbol, str] = {}
        self.units: list[tuple] = []  # (z, act symbol, dact symbol, activation)

    def symbols(self, tag) -> tuple[sp.Symbol, sp.Symbol]:
        """The value and derivative symbols of unit (layer, sample, index)."""
        l, m, i = tag
        s = f"_s{self.step}" if getattr(self, "step", 0) else ""
        return (sp.Symbol(f"act{l}_{m}_{i}{s}", real=True),
                sp.Symbol(f"dact{l}_{m}_{i}{s}", real=True))

    def act(self, activation, z, tag):
        if activation.linear or not z.free_symbols:
            return activation.value(z), activation.derivative(z)
        l, m, i = tag
        a, d = self.symbols(tag)
        when = f" after {self.step} steps" if getattr(self, "step", 0) else ""
        self.meaning[a] = f"{activation.name}(z{l}[{m},{i}]){when}"
        self.meaning[d] = f"{activation.name}'(z{l}[{m},{i}]){when}"
        self.units.append((sp.expand(z), a, d, activation))
        return a, d


class OpaqueDomain(Domain):
    def __init__(self, inst: Instance):
        super().__init__(inst, OpaqueOps())


def z3_value(q: sp.Expr) -> z3.ArithRef:
    """An exact Z3 real for a SymPy rational (never through a float)."""
    if not q.is_Rational:
        raise UnsupportedError(f"the value {q} is not rational, which the SMT strategy needs")
    return z3.RealVal(f"{q.p}/{q.q}")


def from_z3(v) -> sp.Expr:
    """An exact SymPy number for a Z3 rational or algebraic model value."""
    if z3.is_rational_value(v):
        return sp.Rational(v.numerator_as_long(), v.denominator_as_long())
    if z3.is_algebraic_value(v):
        coeffs = v.poly()  # low degree first
        x = sp.Symbol("x")
        poly = sp.Poly(sum(sp.Rational(str(c)) * x**k for k, c in enumerate(coeffs)), x)
        return sp.CRootOf(poly, v.index() - 1)
    raise UnsupportedError(f"cannot read the solver's value {v}")


class Z3Ops:
    """Z3 terms; records side constraints for each activation and what was abstracted."""

    def __init__(self):
        self.vars: dict[sp.Symbol, z3.ArithRef] = {}
        self.side: list = []
        self.abstracted: set[str] = set()
        self.facts: set[str] = set()
        self._smooth_units: dict[tuple, list] = {}

    def const(self, v):
        if isinstance(v, z3.ExprRef):  # already a term (parameters after a step)
            return v
        if isinstance(v, sp.Symbol):
            if v not in self.vars:
                self.vars[v] = z3.Real(v.name)
            return self.vars[v]
        return z3_value(v)

    def add(self, terms):
        return terms[0] if len(terms) == 1 else z3.Sum(terms)

    def log(self, t):
        raise UnsupportedError("the bce loss value has logarithms, which the SMT strategy "
                               "cannot encode")

    def act(self, activation, z, tag):
        l, m, i = tag
        if activation.linear:
            pos = z3_value(activation.slopes[1])
            return pos * z, pos
        zs = z3.simplify(z)
        if z3.is_rational_value(zs) and activation.piecewise_linear:
            q = from_z3(zs)
            return z3_value(activation.value(q)), z3_value(activation.derivative(q))
        s = f"_s{self.step}" if getattr(self, "step", 0) else ""
        a, d = z3.Real(f"act{l}_{m}_{i}{s}"), z3.Real(f"dact{l}_{m}_{i}{s}")
        if activation.piecewise_linear:
            neg, pos = (z3_value(s) for s in activation.slopes)
            g0 = z3_value(activation.grad_at_zero)
            self.side.append(z3.Or(z3.And(z > 0, a == pos * z, d == pos),
                                   z3.And(z < 0, a == neg * z, d == neg),
                                   z3.And(z == 0, a == 0, d == g0)))
            return a, d
        self.abstracted.add(activation.name)
        smooth = activation.smooth
        for name, fact in smooth.z3_facts(z, a, d):
            self.side.append(fact)
            self.facts.add(name)
        # the same function everywhere (every unit, sample and step): equal in, equal out
        unit = self._smooth_units.setdefault(activation.name, [])
        for z2, a2, d2 in unit:
            self.side.append(z3.Implies(z == z2, z3.And(a == a2, d == d2)))
            self.side.append(z3.Implies(z < z2, a < a2))
            self.side.append(z3.Implies(z > z2, a > a2))
        if unit:
            self.facts.add("monotone")
        unit.append((z, a, d))
        return a, d


class Z3Domain(Domain):
    def __init__(self, inst: Instance):
        super().__init__(inst, Z3Ops())
        opt = inst.optimizer
        for s in () if opt is None else opt.free:  # the range each free hyperparameter has
            from ..train import RANGES
            lo, closed, hi = RANGES[s.name]
            v = self.ops.const(s)
            self.ops.side.append(v >= lo if closed else v > lo)
            if hi is not None:
                self.ops.side.append(v < hi)

    @property
    def exact(self) -> bool:
        """True when no activation was abstracted: a model is then a real witness."""
        return not self.ops.abstracted
