"""Small helpers shared by every result's renderers (text, JSON, Markdown, LaTeX)."""

from __future__ import annotations

import json

import sympy as sp

from .exact import to_str

FORMATS = ("text", "json", "markdown", "latex")


def strings(t):
    """Nested lists of exact values -> nested lists of strings SymPy reads back."""
    if isinstance(t, list | tuple):
        return [strings(e) for e in t]
    return to_str(t)


def text_tensor(t) -> str:
    """``[[1, -2/3], [0, 1]]``."""
    if isinstance(t, list | tuple):
        return "[" + ", ".join(text_tensor(e) for e in t) + "]"
    return to_str(t)


def latex_tensor(t) -> str:
    """A column vector for a vector, a matrix for a matrix, the value for one entry."""
    if isinstance(t, list | tuple):
        if len(t) == 1 and not isinstance(t[0], list | tuple):
            return sp.latex(t[0])
        if len(t) == 1 and len(t[0]) == 1:
            return sp.latex(t[0][0])
        rows = t if isinstance(t[0], list | tuple) else [[e] for e in t]
        return sp.latex(sp.Matrix(rows))
    return sp.latex(t)


def name_latex(name: str) -> str:
    """``W1`` -> ``W_{1}``; ``b12`` -> ``b_{12}``."""
    head, digits = name[0], name[1:]
    return f"{head}_{{{digits}}}" if digits else head


def dump_json(data, level: int = 0) -> str:
    """JSON with objects indented and arrays (tensors) kept on one line."""
    if isinstance(data, dict) and data:
        pad, inner = "  " * level, "  " * (level + 1)
        items = [f"{inner}{json.dumps(k)}: {dump_json(v, level + 1)}" for k, v in data.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    return json.dumps(data)


def md_escape(text: str) -> str:
    return text.replace("|", "\\|")


class Renderable:
    """Mixin: ``render(fmt)``; ``str()`` is text; Jupyter gets Markdown and LaTeX."""

    def to_json(self) -> dict:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def to_text(self) -> str:  # pragma: no cover
        raise NotImplementedError

    def to_markdown(self) -> str:  # pragma: no cover
        raise NotImplementedError

    def to_latex(self) -> str:  # pragma: no cover
        raise NotImplementedError

    def render(self, fmt: str = "text") -> str:
        if fmt == "json":
            return dump_json(self.to_json())
        return {"text": self.to_text, "markdown": self.to_markdown,
                "latex": self.to_latex}[fmt]()

    def __str__(self) -> str:
        return self.to_text()

    def _repr_markdown_(self) -> str:
        return self.to_markdown()
