"""Exact versus floating point: every gradient entry computed exactly and in float16/32/64.

The float computation is the one a framework would run (NumPy, vectorised over the batch,
the same network and conventions: relu'(0) as chosen, mean over batch x outputs).  The
exact values come from symgrad's exact path.  Every float result is reported by its *exact*
binary value (a float is a dyadic rational), so errors are exact too; decimals are for
reading.  Flags: ``vanished`` (float 0, exact not), ``spurious`` (exact 0, float not),
``sign`` (opposite signs), ``inaccurate`` (relative error above the threshold).

>>> from symgrad import Network, Problem
>>> a = audit(Problem(Network(layers="1,1", out="sigmoid"), params={"W1": 1, "b1": -110},
...                   x="0", y="1"), dtypes=("float32",))
>>> a.rows[1].name, a.rows[1].cells["float32"].flags
('b1', ('vanished',))
"""

from __future__ import annotations

import dataclasses
import random
import re
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp

from . import signs
from .errors import SpecError
from .exact import parse_number, to_str
from .gradients import exact_gradients
from .problem import Problem
from .render import Renderable, md_escape

DTYPES = ("float16", "float32", "float64")


def _to_float(v) -> float:
    """An exact input as the nearest float64, for the float computation being audited."""
    return float(sp.N(v, 40))  # noqa: the float pipeline is the subject of the audit


def float_gradients(problem_inst, dtype: str) -> dict:
    """The batch gradients computed in floating point of the given dtype, as NumPy arrays
    (overflow and underflow happen silently, as they do in a framework)."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        return _float_gradients(problem_inst, dtype)


def _float_gradients(problem_inst, dtype: str) -> dict:
    net = problem_inst.network
    t = np.dtype(dtype).type
    P = {k: np.array([[_to_float(e) for e in r] for r in v] if k[0] == "W"
                     else [_to_float(e) for e in v], dtype=dtype)
         for k, v in problem_inst.params.items()}
    X = np.array([[_to_float(e) for e in r] for r in problem_inst.values["x"]], dtype=dtype)
    Y = np.array([[_to_float(e) for e in r] for r in problem_inst.values["y"]], dtype=dtype)
    hidden = net.hidden()

    def act(name, z):
        if name == "relu":
            return np.maximum(z, t(0)), np.where(z > 0, t(1), np.where(
                z < 0, t(0), t(_to_float(hidden.grad_at_zero))))
        if name == "leaky_relu":
            s = t(_to_float(hidden.slopes[0]))
            return np.where(z > 0, z, s * z), np.where(z > 0, t(1), s)
        if name == "identity":
            return z, np.ones_like(z)
        if name == "tanh":
            a = np.tanh(z)
            return a, t(1) - a * a
        if name == "sigmoid":
            a = t(1) / (t(1) + np.exp(-z))
            return a, a * (t(1) - a)
        e = np.exp(z)  # softplus
        return np.log1p(e), e / (t(1) + e)

    A, Ds = [X], []
    for l in range(1, net.depth + 1):
        z = A[-1] @ P[f"W{l}"].T + P[f"b{l}"]
        a, d = act(net.out if l == net.depth else net.act, z)
        A.append(a)
        Ds.append(d)
    n = t(len(X) * net.n_out if net.reduction == "mean" else 1)
    delta = (t(2) * (A[-1] - Y) * Ds[-1] if net.loss == "mse" else A[-1] - Y) / n
    out = {}
    for l in range(net.depth, 0, -1):
        out[f"W{l}"] = delta.T @ A[l - 1]
        out[f"b{l}"] = delta.sum(axis=0)
        if l > 1:
            delta = (delta @ P[f"W{l}"]) * Ds[l - 2]
    return out


@dataclass(frozen=True)
class Cell:
    value: sp.Rational  # the float's exact value
    abs_error: sp.Expr
    rel_error: sp.Expr | None  # None when the exact value is 0
    flags: tuple[str, ...]


@dataclass(frozen=True)
class Row:
    name: str
    index: tuple[int, ...]  # 1-based
    exact: sp.Expr
    cells: dict

    @property
    def label(self) -> str:
        return f"{self.name}[{','.join(map(str, self.index))}]"


def _exact_of(x) -> sp.Rational:
    return sp.Rational(Fraction(float(x)))  # a float is a dyadic rational: exactly this


def _cell(exact, value, threshold) -> Cell:
    v = _exact_of(value) if np.isfinite(value) else None
    if v is None:
        return Cell(sp.nan, sp.oo, None, ("overflow",))
    err = sp.Abs(v - exact)
    sign_exact, sign_float = signs.sign(exact), (1 if v > 0 else -1 if v < 0 else 0)
    flags = []
    if sign_exact is not None and sign_exact != 0 and v == 0:
        flags.append("vanished")
    elif sign_exact == 0 and v != 0:
        flags.append("spurious")
    elif sign_exact is not None and sign_exact * sign_float < 0:
        flags.append("sign")
    rel = None if sign_exact == 0 else err / sp.Abs(exact)
    if rel is not None and "vanished" not in flags and signs.compare(">", rel, threshold):
        flags.append("inaccurate")
    return Cell(v, err, rel, tuple(flags))


@dataclass(frozen=True)
class Audit(Renderable):
    problem: Problem
    dtypes: tuple[str, ...]
    threshold: sp.Rational
    rows: tuple[Row, ...]

    def flagged(self) -> dict:
        return {d: sum(1 for r in self.rows if r.cells[d].flags) for d in self.dtypes}

    def to_json(self) -> dict:
        def num(v):
            return None if v is None else to_str(v)
        return {"network": self.problem.network.to_json(), "dtypes": list(self.dtypes),
                "threshold": to_str(self.threshold),
                "entries": [{"parameter": r.name, "index": list(r.index), "exact": to_str(r.exact),
                             "float": {d: {"value": num(c.value), "abs_error": num(c.abs_error),
                                           "rel_error": num(c.rel_error), "flags": list(c.flags)}
                                       for d, c in r.cells.items()}} for r in self.rows]}

    def _head(self) -> str:
        counts = ", ".join(f"{d}: {n} flagged" for d, n in self.flagged().items())
        return (f"Gradient audit, exact vs {', '.join(self.dtypes)}: "
                f"{self.problem.network.describe()}; {counts}")

    @staticmethod
    def _dec(v) -> str:
        if v is None:
            return "-"
        return "0" if v == 0 else sp.sstr(sp.N(v, 4))

    def _table(self):
        head = ["entry", "exact"] + [f"{d} (rel. error, flags)" for d in self.dtypes]
        rows = [head]
        for r in self.rows:
            cells = [r.label, self._dec(r.exact)]
            for d in self.dtypes:
                c = r.cells[d]
                cells.append(f"{self._dec(c.value)} ({self._dec(c.rel_error)}"
                             + (f"; {' '.join(c.flags)}" if c.flags else "") + ")")
            rows.append(cells)
        return rows

    def to_text(self) -> str:
        rows = self._table()
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines = [self._head()]
        lines += ["  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                  for r in rows]
        return "\n".join(lines)

    def to_markdown(self) -> str:
        rows = self._table()
        lines = [f"**{md_escape(self._head())}**", "",
                 "| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
        lines += ["| " + " | ".join(md_escape(c) for c in r) + " |" for r in rows[1:]]
        return "\n".join(lines)

    def to_latex(self) -> str:
        rows = self._table()
        body = "\n".join(" & ".join(rf"\verb|{c}|" for c in r) + r" \\" for r in rows)
        return f"\\begin{{tabular}}{{{'l' * len(rows[0])}}}\n{body}\n\\end{{tabular}}"


def audit(problem: Problem, *, dtypes=DTYPES, threshold="1/1000") -> Audit:
    """Audit every gradient entry of a fully fixed problem."""
    dtypes = tuple(dtypes)
    for d in dtypes:
        if d not in DTYPES:
            raise SpecError(f"unknown dtype {d!r}; use {', '.join(DTYPES)}")
    inst = problem.instance()
    if inst.free:
        raise SpecError("audit needs every parameter and datum fixed; free: "
                        + ", ".join(map(str, inst.free)) + " (use --set, --x and --y)")
    exact = exact_gradients(inst)
    floats = {d: float_gradients(inst, d) for d in dtypes}
    thr = parse_number(threshold)
    rows = []
    for name in inst.network.param_names:
        shape = inst.network.shape(name)
        keys = [(i, j) for i in range(shape[0]) for j in range(shape[1])] if len(shape) == 2 \
            else [(i,) for i in range(shape[0])]
        for key in keys:
            e = exact[name][key[0]][key[1]] if len(key) == 2 else exact[name][key[0]]
            cells = {d: _cell(e, floats[d][name][key], thr) for d in dtypes}
            rows.append(Row(name, tuple(k + 1 for k in key), e, cells))
    return Audit(problem, dtypes, thr, tuple(rows))


_ENTRY = re.compile(r"^\s*([WwBb]\d+)\s*(?:\[\s*(\d+)\s*(?:,\s*(\d+)\s*)?\])?\s*$")


def _entry(net, text: str) -> tuple[str, tuple[int, ...]]:
    m = _ENTRY.match(text)
    if not m:
        raise SpecError(f"--search {text!r}: name one gradient entry, e.g. b1, b1[2] or W1[1,2]")
    name = net.canonical(m.group(1))
    shape = net.shape(name)
    idx = tuple(int(g) for g in m.groups()[1:] if g is not None) or (1,) * len(shape)
    if len(idx) != len(shape) or not all(1 <= i <= n for i, n in zip(idx, shape, strict=True)):
        raise SpecError(f"--search {text!r}: {name} has shape {shape} (1-based indices)")
    return name, idx


def _scaled(t, factor):
    return [_scaled(e, factor) for e in t] if isinstance(t, list) else t * factor


def search_vanishing(problem: Problem, entry: str, dtype: str = "float32", *,
                     threshold="1/1000", max_exponent: int = 160,
                     draws: int = 6) -> tuple[Audit | None, str]:
    """Look for a point where one gradient entry is exactly nonzero but 0 in ``dtype``.

    Free values are first drawn as small rationals (seeded); then the free parameters and
    inputs are pushed along simple directions -- biases, weights, inputs or everything
    scaled by 2**k or 2**-k, k = 1..max_exponent -- which is how saturation (sigmoid, tanh)
    and underflow (products of small weights) arise.  Each candidate is cheap to test in
    float; only a float zero is then checked exactly (with a certified sign).  Returns the
    audit at the first hit (or None) and a sentence saying what was done.
    """
    if dtype not in DTYPES:
        raise SpecError(f"unknown dtype {dtype!r}; use {', '.join(DTYPES)}")
    net = problem.network
    name, idx = _entry(net, entry)
    key = tuple(i - 1 for i in idx)
    inst = problem.instance()
    movable = {"b": [n for n in net.param_names if n[0] == "b" and n not in problem.params],
               "W": [n for n in net.param_names if n[0] == "W" and n not in problem.params]}
    directions = [("biases", movable["b"], False), ("weights", movable["W"], False),
                  ("inputs", [], problem.x is None),
                  ("everything", movable["b"] + movable["W"], problem.x is None)]
    tried = 0
    for seed in range(draws):
        rng = random.Random(seed)
        draw = {s: sp.Rational(rng.choice([1, -1, 2, -2, 3]), rng.choice([1, 2, 3]))
                for s in inst.free}
        base = inst.substitute(draw)
        for k in range(1, max_exponent + 1):
            for factor in (sp.Integer(2) ** k, sp.Rational(1, 2**k)):
                for label, names, inputs in directions:
                    if not names and not inputs:
                        continue
                    values = dict(base.values)
                    for n in names:
                        values[n] = _scaled(values[n], factor)
                    if inputs:
                        values["x"] = _scaled(values["x"], factor)
                    cand = dataclasses.replace(base, values=values)
                    tried += 1
                    if float_gradients(cand, dtype)[name][key] != 0:
                        continue
                    exact = exact_gradients(cand)[name]
                    e = exact[key[0]][key[1]] if len(key) == 2 else exact[key[0]]
                    if signs.sign(e) not in (None, 0):
                        fixed = Problem(net, params=cand.params, x=cand.values["x"],
                                        y=cand.values["y"])
                        how = (f"found after {tried} candidates: {label} scaled by "
                               f"{to_str(factor)} from seeded draw {seed + 1} of the free values")
                        return audit(fixed, dtypes=(dtype,), threshold=threshold), how
    return None, (f"no point found in {tried} candidates ({draws} draws; biases, weights, "
                  f"inputs and everything scaled by 2^+-1..{max_exponent})")
