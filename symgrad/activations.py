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
    """A smooth activation: SymPy value, derivative, and facts."""

    f: Callable[[sp.Expr], sp.Expr]
    df: Callable[[sp.Expr], sp.Expr]
    # derivative as a polynomial in the value, when there is one (tanh, sigmoid)
    df_of_value: Callable[[sp.Expr], sp.Expr] | None
    inverse: Callable[[sp.Expr], sp.Expr] | None
    value_range: tuple[sp.Expr | None, sp.Expr | None]  # open interval of values
    facts: tuple[Fact, ...]


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
            Fact("tanh_sign", "tanh(z) has the sign of z; tanh(0) = 0"),
            Fact("monotone", "tanh is strictly increasing"),
        ),
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


def resolve(name: str, *, grad_at_zero=sp.Integer(0), slope=sp.Rational(1, 100)) -> Activation:
    """The activation called ``name`` with its conventions fixed."""
    one, zero = sp.Integer(1), sp.Integer(0)
    if name == "relu":
        return Activation(name, slopes=(zero, one), grad_at_zero=sp.Integer(grad_at_zero) if isinstance(grad_at_zero, int) else grad_at_zero)
    if name == "leaky_relu":
        return Activation(name, slopes=(slope, one), grad_at_zero=slope)
    if name == "identity":
        return Activation(name, slopes=(one, one), grad_at_zero=one)
    if name in _SMOOTH:
        return Activation(name, smooth=_SMOOTH[name])
    raise SpecError(f"unknown activation {name!r}; use one of {', '.join(HIDDEN)}")
