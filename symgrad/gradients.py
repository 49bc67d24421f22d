"""The public gradient computation: exact gradients for a problem, as a result object.

>>> from symgrad import Network, gradients
>>> g = gradients(Network(), params={"W1": 1, "b1": -1, "W2": 1, "b2": -1},
...               x="0; 2; 3", y="-2; 2; 0")
>>> g["W1"], g["b2"]
([[-2/3]], [0])
>>> print(gradients(Network(layers="1,1"), params={"W1": 2, "b1": 0}, x="1", y="0").to_text())
Exact gradients of the loss: 1-1 MLP, identity output, mse loss (mean); batch of 1
  dL/dW1 = [[4]]
  dL/db1 = [4]
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from . import backprop, fastexact
from .network import Network
from .problem import Instance, Problem
from .render import Renderable, latex_tensor, md_escape, name_latex, strings, text_tensor


@dataclass(frozen=True)
class GradientResult(Renderable):
    """Exact gradients of the loss with respect to every parameter."""

    instance: Instance
    grads: dict

    @property
    def network(self) -> Network:
        return self.instance.network

    def __getitem__(self, name: str):
        return self.grads[self.network.canonical(name)]

    @property
    def exact_numbers(self) -> bool:
        return not self.instance.free

    def to_json(self) -> dict:
        return {"network": self.network.to_json(),
                "gradients": {k: strings(v) for k, v in self.grads.items()}}

    def _header(self) -> str:
        inst = self.instance
        head = f"Exact gradients of the loss: {self.network.describe()}; batch of {inst.batch}"
        if inst.free:
            head += f"\n  free: {', '.join(map(str, inst.free))}"
        return head

    def to_text(self) -> str:
        lines = [self._header()]
        for name, g in self.grads.items():
            lines.append(f"  dL/d{name} = {text_tensor(g)}")
        return "\n".join(lines)

    def to_markdown(self) -> str:
        lines = [f"**{md_escape(self._header().splitlines()[0])}**", ""]
        if self.instance.free:
            lines += [f"Free variables: {', '.join(f'${sp.latex(s)}$' for s in self.instance.free)}",
                      ""]
        lines += ["| parameter | gradient |", "|---|---|"]
        for name, g in self.grads.items():
            lines.append(f"| ${name_latex(name)}$ | ${latex_tensor(g)}$ |")
        return "\n".join(lines)

    def to_latex(self) -> str:
        rows = [
            rf"\frac{{\partial L}}{{\partial {name_latex(name)}}} &= {latex_tensor(g)}"
            for name, g in self.grads.items()
        ]
        return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"

    def _repr_latex_(self) -> str:
        return "$$" + self.to_latex() + "$$"


def exact_gradients(inst: Instance) -> dict:
    """The batch gradients of an instance: numbers where all is fixed, else formulas."""
    if fastexact.applies(inst):
        fast = fastexact.gradients(inst)
        if fast is not None:
            return fast
    return backprop.run(inst, backprop.SympyOps()).grads


def gradients(network: Network | Problem | None = None, *, params=None, x=None, y=None,
              batch=None) -> GradientResult:
    """Exact gradients of the loss for a network (or a whole :class:`Problem`)."""
    if isinstance(network, Problem):
        problem = network
    else:
        problem = Problem(network or Network(), params=params or {}, x=x, y=y, batch=batch)
    if problem.batch[0] != problem.batch[1]:
        from .errors import SpecError
        raise SpecError("grad takes one batch size, not a range; write e.g. --batch 3")
    inst = problem.instance()
    return GradientResult(inst, exact_gradients(inst))
