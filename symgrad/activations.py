"""The activation registry: one entry per activation, every fact about it stated once.

A piecewise-linear activation is described by its two slopes; its derivative at the
kink is a *convention* (relu'(0) is chosen by the user, leaky_relu'(0) is its slope, as
in PyTorch), never SymPy's ``Heaviside(0) = 1/2``.  A smooth activation gives its SymPy
value, its derivative, and, where one exists, the polynomial that ties the derivative to
the value (tanh' = 1 - tanh^2, sigmoid' = s(1 - s)).

>>> relu = resolve("relu", grad_at_zero=0)
>>> relu.value(sp.Integer(-3)), relu.derivative(sp.Integer(0))
(0, 0)
>>> resolve("leaky_relu", slope=sp.Rational(1, 100)).derivative(sp.Integer(0))
1/100
>>> resolve("tanh").derivative(sp.Integer(0))
1
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from .errors import SpecError

HIDDEN = ("relu", "leaky_relu", "tanh", "sigmoid", "softplus", "identity")
OUTPUT = ("identity", "sigmoid")


@dataclass(frozen=True)
class Fact:
    """A true statement about an activation, named so a certificate can cite it."""

    name: str
    text: str


@dataclass(frozen=True)
class Smooth:
    """A smooth activation: SymPy value, derivative, and facts.

    ``relations(z, a, d, L)`` states the facts as relations between a pre-activation z,
    the value a = f(z) and the derivative d = f'(z), built with the logic ``L`` (which
    provides ``And``, ``Implies`` and exact constants ``Q(p, q)``); the prover uses them
    to reason about f without knowing its values.  Each yields ``(fact name, relation)``.
    """

    f: Callable[[sp.Expr], sp.Expr]
    df: Callable[[sp.Expr], sp.Expr]
    # derivative as a polynomial in the value, when there is one (tanh, sigmoid)
    df_of_value: Callable[[sp.Expr], sp.Expr] | None
    inverse: Callable[[sp.Expr], sp.Expr] | None
    value_range: tuple[sp.Expr | None, sp.Expr | None]  # open interval of values
    facts: tuple[Fact, ...]
    relations: Callable = None

    def z3_facts(self, z, a, d):
        """The facts as Z3 constraints (Z3 is imported only where the prover runs)."""
        import z3

        class L:
            And, Implies = z3.And, z3.Implies

            @staticmethod
            def Q(p, q=1):
                return z3.RealVal(f"{p}/{q}")

        return list(self.relations(z, a, d, L))


def _tanh_relations(z, a, d, L):
    one = L.Q(1)
    yield "tanh_range", L.And(a > -one, a < one)
    yield "tanh_derivative", d == one - a * a
    yield "tanh_sign", L.And(L.Implies(z > 0, L.And(a > 0, a < z)),
                             L.Implies(z < 0, L.And(a < 0, a > z)),
                             L.Implies(z == 0, a == 0))


def _sigmoid_relations(z, a, d, L):
    one, half = L.Q(1), L.Q(1, 2)
    yield "sigmoid_range", L.And(a > 0, a < one)
    yield "sigmoid_derivative", d == a * (one - a)
    yield "sigmoid_half", L.And(L.Implies(z > 0, a > half), L.Implies(z < 0, a < half),
                                L.Implies(z == 0, a == half))


def _softplus_relations(z, a, d, L):
    one, half = L.Q(1), L.Q(1, 2)
    yield "softplus_range", L.And(a > 0, a > z)
    yield "softplus_derivative", L.And(d > 0, d < one, L.Implies(z > 0, d > half),
                                       L.Implies(z < 0, d < half), L.Implies(z == 0, d == half))


def _sigmoid(z):
    return 1 / (1 + sp.exp(-z))


_SMOOTH = {
    "tanh": Smooth(
        f=sp.tanh,
        df=lambda z: 1 - sp.tanh(z) ** 2,
        df_of_value=lambda a: 1 - a**2,
        inverse=sp.atanh,
        value_range=(sp.Integer(-1), sp.Integer(1)),
        facts=(
            Fact("tanh_range", "-1 < tanh(z) < 1"),
            Fact("tanh_derivative", "tanh'(z) = 1 - tanh(z)^2 > 0"),
            Fact("tanh_sign", "tanh(z) has the sign of z, |tanh(z)| < |z| for z != 0, tanh(0) = 0"),
            Fact("monotone", "tanh is strictly increasing"),
        ),
        relations=_tanh_relations,
    ),
    "sigmoid": Smooth(
        f=_sigmoid,
        df=lambda z: _sigmoid(z) * (1 - _sigmoid(z)),
        df_of_value=lambda a: a * (1 - a),
        inverse=lambda a: sp.log(a / (1 - a)),
        value_range=(sp.Integer(0), sp.Integer(1)),
        facts=(
            Fact("sigmoid_range", "0 < sigmoid(z) < 1"),
            Fact("sigmoid_derivative", "sigmoid'(z) = s(1 - s) > 0"),
            Fact("sigmoid_half", "sigmoid(z) > 1/2 exactly when z > 0; sigmoid(0) = 1/2"),
            Fact("monotone", "sigmoid is strictly increasing"),
        ),
        relations=_sigmoid_relations,
    ),
    "softplus": Smooth(
        f=lambda z: sp.log(1 + sp.exp(z)),
        df=_sigmoid,
        df_of_value=None,
        inverse=lambda a: sp.log(sp.exp(a) - 1),
        value_range=(sp.Integer(0), None),
        facts=(
            Fact("softplus_range", "softplus(z) > 0 and softplus(z) > z"),
            Fact("softplus_derivative", "0 < softplus'(z) = sigmoid(z) < 1"),
            Fact("monotone", "softplus is strictly increasing"),
        ),
        relations=_softplus_relations,
    ),
}


@dataclass(frozen=True)
class Activation:
    """An activation with every convention resolved (slopes, the derivative at a kink).

    Exactly one of ``slopes`` (piecewise linear) and ``smooth`` is set.
    """

    name: str
    slopes: tuple[sp.Expr, sp.Expr] | None = None  # (for z < 0, for z > 0)
    grad_at_zero: sp.Expr | None = None
    smooth: Smooth | None = None

    @property
    def piecewise_linear(self) -> bool:
        return self.slopes is not None

    @property
    def linear(self) -> bool:
        return self.slopes is not None and self.slopes[0] == self.slopes[1]

    def value(self, z: sp.Expr) -> sp.Expr:
        """The exact value at z: a number when z's sign is known, else a Piecewise."""
        if self.smooth:
            return self.smooth.f(z)
        neg, pos = self.slopes
        if self.linear:
            return pos * z
        sign = _known_sign(z)
        if sign is not None:
            return pos * z if sign > 0 else neg * z
        return sp.Piecewise((pos * z, z > 0), (neg * z, True))

    def derivative(self, z: sp.Expr) -> sp.Expr:
        """The exact derivative at z, with the chosen convention at the kink."""
        if self.smooth:
            return self.smooth.df(z)
        neg, pos = self.slopes
        if self.linear:
            return pos
        sign = _known_sign(z)
        if sign is not None:
            return pos if sign > 0 else neg if sign < 0 else self.grad_at_zero
        return sp.Piecewise((pos, z > 0), (neg, z < 0), (self.grad_at_zero, True))


def _known_sign(z: sp.Expr) -> int | None:
    """The sign of z when SymPy can *prove* it (rational z always), else None."""
    if z.is_Rational:
        return 1 if z > 0 else -1 if z < 0 else 0
    if z.is_zero:
        return 0
    if z.is_positive:
        return 1
    if z.is_negative:
        return -1
    return None


_ZERO, _PERCENT = sp.Integer(0), sp.Rational(1, 100)


def resolve(name: str, *, grad_at_zero=_ZERO, slope=_PERCENT) -> Activation:
    """The activation called ``name`` with its conventions fixed."""
    one, zero = sp.Integer(1), sp.Integer(0)
    if name == "relu":
        g0 = sp.Integer(grad_at_zero) if isinstance(grad_at_zero, int) else grad_at_zero
        return Activation(name, slopes=(zero, one), grad_at_zero=g0)
    if name == "leaky_relu":
        return Activation(name, slopes=(slope, one), grad_at_zero=slope)
    if name == "identity":
        return Activation(name, slopes=(one, one), grad_at_zero=one)
    if name in _SMOOTH:
        return Activation(name, smooth=_SMOOTH[name])
    raise SpecError(f"unknown activation {name!r}; use one of {', '.join(HIDDEN)}")
