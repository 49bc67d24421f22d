"""A witness: every parameter and datum fixed to an exact number, with its gradients."""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .exact import to_str
from .gradients import exact_gradients
from .problem import Instance
from .render import latex_tensor, md_escape, name_latex, strings, text_tensor


@dataclass(frozen=True)
class Witness:
    instance: Instance  # fully fixed
    gradients: dict

    @staticmethod
    def of(inst: Instance) -> Witness:
        return Witness(inst, exact_gradients(inst))

    @property
    def params(self) -> dict:
        return self.instance.params

    def predictions(self) -> list:
        from . import backprop
        run = backprop.run(self.instance, backprop.SympyOps())
        return run.a[-1]

    def to_json(self) -> dict:
        v = self.instance.values
        data = {"params": {k: strings(t) for k, t in self.params.items()},
                "data": {"x": strings(v["x"]), "y": strings(v["y"])},
                "gradients": {k: strings(t) for k, t in self.gradients.items()}}
        if self.instance.optimizer is not None:  # exact, including any value found for lr
            data["optimizer"] = self.instance.optimizer.to_json()
        if self.instance.buffer is not None:
            data["buffer"] = {k: strings(t) for k, t in self.instance.buffer.items()}
        return data

    def _rows(self):
        v = self.instance.values
        preds = self.predictions()
        for m, (x, y, p) in enumerate(zip(v["x"], v["y"], preds, strict=True), 1):
            yield m, x, y, p, [pi - yi for pi, yi in zip(p, y, strict=True)]

    @staticmethod
    def _cell(t):
        return to_str(t[0]) if len(t) == 1 else text_tensor(t)

    def to_text(self, indent: str = "    ") -> str:
        lines = [indent + "parameters: " + ", ".join(
            f"{k} = {text_tensor(t)}" for k, t in self.params.items())]
        table = [("sample", "x", "y", "prediction", "residual")]
        for m, x, y, p, r in self._rows():
            table.append((str(m), self._cell(x), self._cell(y), self._cell(p), self._cell(r)))
        widths = [max(len(row[c]) for row in table) for c in range(5)]
        for row in table:
            lines.append(indent + "  ".join(cell.ljust(w) for cell, w in zip(row, widths,
                                                                            strict=True)).rstrip())
        lines.append(indent + "gradients: " + ", ".join(
            f"dL/d{k} = {text_tensor(t)}" for k, t in self.gradients.items()))
        return "\n".join(lines)

    def to_markdown(self) -> str:
        lines = ["Parameters: " + ", ".join(f"${name_latex(k)} = {latex_tensor(t)}$"
                                            for k, t in self.params.items()), "",
                 "| sample | x | y | prediction | residual |", "|---|---|---|---|---|"]
        for m, x, y, p, r in self._rows():
            cells = [f"${latex_tensor(c)}$" for c in (x, y, p, r)]
            lines.append(f"| {m} | " + " | ".join(md_escape(c) for c in cells) + " |")
        lines += ["", "Gradients: " + ", ".join(
            rf"$\partial L/\partial {name_latex(k)} = {latex_tensor(t)}$"
            for k, t in self.gradients.items())]
        return "\n".join(lines)

    def to_latex(self) -> str:
        params = ", ".join(f"{name_latex(k)} = {latex_tensor(t)}" for k, t in self.params.items())
        rows = [rf"{m} & {latex_tensor(x)} & {latex_tensor(y)} & {latex_tensor(p)} & "
                rf"{latex_tensor(r)} \\" for m, x, y, p, r in self._rows()]
        grads = ", ".join(rf"\frac{{\partial L}}{{\partial {name_latex(k)}}} = {latex_tensor(t)}"
                          for k, t in self.gradients.items())
        return ("$" + params + "$\n\n\\begin{tabular}{ccccc}\nsample & $x$ & $y$ & prediction & "
                "residual \\\\ \\hline\n" + "\n".join(rows) + "\n\\end{tabular}\n\n$" + grads + "$")


def is_exact_number(v) -> bool:
    return isinstance(v, sp.Expr) and not v.free_symbols
