"""The network specification: a frozen value with layer sizes, activations and loss.

>>> net = Network(layers="1,2,1", act="tanh")
>>> net.param_names
('W1', 'b1', 'W2', 'b2')
>>> net.shape("W1"), net.shape("b2")
((2, 1), (1,))
>>> net.canonical("w2")
'W2'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy as sp

from . import activations
from .errors import SpecError
from .exact import parse_number, to_str

LOSSES = ("mse", "bce")
REDUCTIONS = ("mean", "sum")
_PARAM = re.compile(r"^([WwBb])(\d+)$")


def _layers(value) -> tuple[int, ...]:
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",")]
        try:
            value = [int(p) for p in parts]
        except ValueError:
            raise SpecError(
                f"--layers {value!r} is not a comma list of whole numbers; write e.g. 1,2,1"
            ) from None
    sizes = tuple(value)
    if any(isinstance(n, bool) or not isinstance(n, int) for n in sizes):
        raise SpecError(f"layers {value!r} must be whole numbers; write e.g. 1,2,1")
    if len(sizes) < 2:
        raise SpecError(f"layers {value!r} need at least an input and an output size; e.g. 1,1")
    if any(n < 1 for n in sizes):
        raise SpecError(f"layers {value!r} must all be at least 1")
    return sizes


@dataclass(frozen=True)
class Network:
    """A fully connected MLP, as in section 1 of the contract."""

    layers: tuple[int, ...] = (1, 1, 1)
    act: str = "relu"
    out: str = "identity"
    loss: str = "mse"
    reduction: str = "mean"
    relu_grad_at_zero: sp.Expr = field(default=sp.Integer(0))
    slope: sp.Expr = field(default=sp.Rational(1, 100))

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "layers", _layers(self.layers))
        if self.act not in activations.HIDDEN:
            raise SpecError(
                f"unknown activation --act {self.act!r}; use one of {', '.join(activations.HIDDEN)}"
            )
        if self.out not in activations.OUTPUT:
            raise SpecError(
                f"unknown output activation --out {self.out!r}; "
                f"use one of {', '.join(activations.OUTPUT)}"
            )
        if self.loss not in LOSSES:
            raise SpecError(f"unknown --loss {self.loss!r}; use one of {', '.join(LOSSES)}")
        if self.loss == "bce" and self.out != "sigmoid":
            raise SpecError("--loss bce needs probabilities: add --out sigmoid")
        if self.reduction not in REDUCTIONS:
            raise SpecError(
                f"unknown --reduction {self.reduction!r}; use one of {', '.join(REDUCTIONS)}"
            )
        set_(self, "relu_grad_at_zero", parse_number(self.relu_grad_at_zero))
        set_(self, "slope", parse_number(self.slope))

    # -- structure -------------------------------------------------------------------------
    @property
    def depth(self) -> int:
        """Number of weight layers L."""
        return len(self.layers) - 1

    @property
    def n_in(self) -> int:
        return self.layers[0]

    @property
    def n_out(self) -> int:
        return self.layers[-1]

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(f"{k}{l}" for l in range(1, self.depth + 1) for k in ("W", "b"))

    def shape(self, name: str) -> tuple[int, ...]:
        name = self.canonical(name)
        l = int(name[1:])
        return (self.layers[l], self.layers[l - 1]) if name[0] == "W" else (self.layers[l],)

    def canonical(self, name: str) -> str:
        """``w1`` -> ``W1``; raise with the list of names for anything unknown."""
        m = _PARAM.match(name.strip())
        if m:
            canon = ("W" if m.group(1) in "Ww" else "b") + m.group(2)
            if canon in self.param_names:
                return canon
        raise SpecError(
            f"unknown parameter {name!r} for layers {self.layers_text}; "
            f"use one of {', '.join(self.param_names)}"
        )

    def hidden(self):
        return activations.resolve(
            self.act, grad_at_zero=self.relu_grad_at_zero, slope=self.slope
        )

    def output(self):
        return activations.resolve(self.out)

    def activation(self, layer: int):
        """The activation applied after weight layer ``layer`` (1-based)."""
        return self.output() if layer == self.depth else self.hidden()

    @property
    def layers_text(self) -> str:
        return ",".join(map(str, self.layers))

    @property
    def piecewise_linear(self) -> bool:
        """True when every activation is piecewise linear and the loss is polynomial."""
        return (
            (self.depth == 1 or self.hidden().piecewise_linear)
            and self.out == "identity"
            and self.loss == "mse"
        )

    def to_json(self) -> dict:
        data = {
            "layers": list(self.layers),
            "act": self.act,
            "out": self.out,
            "loss": self.loss,
            "reduction": self.reduction,
            "relu_grad_at_zero": to_str(self.relu_grad_at_zero),
        }
        if self.act == "leaky_relu":
            data["slope"] = to_str(self.slope)
        return data

    def _repr_markdown_(self) -> str:
        """Jupyter: the network in one line, with its conventions.

        >>> Network(layers="1,2,1")._repr_markdown_()
        "**Network** 1-2-1 MLP, relu (relu'(0) = 0) hidden, identity output, mse loss (mean)"
        """
        return f"**Network** {self.describe()}"

    def describe(self) -> str:
        """One line, e.g. ``1-1-1 MLP, relu hidden (relu'(0) = 0), identity output, mse (mean)``."""
        hidden = self.act
        if self.act == "relu":
            hidden += f" (relu'(0) = {to_str(self.relu_grad_at_zero)})"
        elif self.act == "leaky_relu":
            hidden += f" (slope {to_str(self.slope)})"
        shape = "-".join(map(str, self.layers))
        parts = [f"{shape} MLP"]
        if self.depth > 1:
            parts.append(f"{hidden} hidden")
        parts.append(f"{self.out} output")
        parts.append(f"{self.loss} loss ({self.reduction})")
        return ", ".join(parts)
