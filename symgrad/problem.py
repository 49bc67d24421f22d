"""A problem: a network, the parameters and data that are fixed, and the batch size.

Whatever is not fixed is a free variable, named after its slot: ``W1`` for a one-entry
parameter, ``W1_2_1`` for the entry (2, 1), ``x_3`` for sample 3 of a one-dimensional
input, ``x_3_2`` for its second component; indices are 1-based, as in the math.

>>> p = Problem(Network(), params={"W1": "1", "b1": "-1", "W2": 1, "b2": "-1"},
...             x="0; 2; 3", y="-2; 2; 0")
>>> p.batch
(3, 3)
>>> inst = p.instance()
>>> inst.values["x"], inst.free
([[0], [2], [3]], ())
>>> Problem(Network(layers="2,1")).instance(2).free
(W1_1_1, W1_1_2, b1, x_1_1, x_1_2, y_1, x_2_1, x_2_2, y_2)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import sympy as sp

from .errors import SpecError
from .exact import parse_number
from .network import Network

Tensor = list  # nested lists of SymPy numbers or symbols


def parse_nested(text: str) -> object:
    """Read ``"[[1, 2], [-1/2, 0.1]]"`` into nested lists of exact numbers (no eval).

    >>> parse_nested("[[1], [-2/3]]")
    [[1], [-2/3]]
    """
    text = text.strip()
    if not text.startswith("["):
        return parse_number(text)
    if not text.endswith("]"):
        raise SpecError(f"unbalanced brackets in {text!r}; write e.g. [[1],[2]]")
    inner = text[1:-1]
    items, depth, start = [], 0, 0
    for i, ch in enumerate(inner):
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
            if depth < 0:
                raise SpecError(f"unbalanced brackets in {text!r}; write e.g. [[1],[2]]")
        elif ch == "," and depth == 0:
            items.append(inner[start:i])
            start = i + 1
    if depth != 0:
        raise SpecError(f"unbalanced brackets in {text!r}; write e.g. [[1],[2]]")
    last = inner[start:]
    if last.strip() or items:
        items.append(last)
    if any(not item.strip() for item in items):
        raise SpecError(f"an empty entry in {text!r}; write e.g. [[1],[2]]")
    return [parse_nested(item) for item in items]


def _exact(value):
    if isinstance(value, list | tuple):
        return [_exact(v) for v in value]
    if isinstance(value, str) and value.strip().startswith("["):
        return parse_nested(value)
    return parse_number(value)


def _shape_of(value) -> tuple[int, ...] | None:
    if not isinstance(value, list):
        return ()
    shapes = {_shape_of(v) for v in value}
    if len(shapes) != 1 or None in shapes:
        return None if value else (0,)
    return (len(value),) + shapes.pop()


def _fill(shape, value):
    if not shape:
        return value
    return [_fill(shape[1:], value) for _ in range(shape[0])]


def coerce_param(net: Network, name: str, value) -> Tensor:
    """A parameter value of the right shape; a plain number fills every entry."""
    canon = net.canonical(name)
    shape = net.shape(canon)
    exact = _exact(value)
    if not isinstance(exact, list):
        return _fill(shape, exact)
    got = _shape_of(exact)
    if got != shape:
        # a vector may be written as a flat list; a 1-column matrix too
        if got == (shape[0],) and len(shape) == 2 and shape[1] == 1:
            return [[v] for v in exact]
        if got is not None and len(shape) == 1 and got == (shape[0], 1):
            return [row[0] for row in exact]
        hint = "x".join(map(str, shape))
        raise SpecError(
            f"{canon} has shape {hint} in layers {net.layers_text}, "
            f"but the value given has shape {'x'.join(map(str, got or ())) or 'ragged'}; "
            f"e.g. {canon}={_example(shape)}"
        )
    return exact


def _example(shape):
    return str(_fill(shape, 0)).replace(" ", "")


def parse_samples(text, width: int, what: str) -> list[list[sp.Expr]]:
    """``"0; 2; 3"`` -> [[0], [2], [3]]; components of one sample separated by commas."""
    if isinstance(text, str):
        rows = [r for r in text.split(";")]
        if rows and not rows[-1].strip():
            rows = rows[:-1]
        samples = [[parse_number(c) for c in row.split(",")] if row.strip() else None
                   for row in rows]
        if not samples or any(s is None for s in samples):
            raise SpecError(f"--{what} {text!r} has an empty sample; write e.g. \"0; 2; 3\"")
    else:
        samples = [_exact(row) if isinstance(row, list) else [_exact(row)] for row in text]
    for i, s in enumerate(samples, 1):
        if len(s) != width:
            raise SpecError(
                f"--{what}: sample {i} has {len(s)} component(s) but the network expects "
                f"{width}; separate samples with ';' and components with ','"
            )
    if not samples:
        raise SpecError(f"--{what} has no samples")
    return samples


def parse_batch(value) -> tuple[int, int]:
    """``3`` -> (3, 3); ``"1..6"`` -> (1, 6); a (lo, hi) pair stays as it is."""
    if isinstance(value, tuple) and len(value) == 2:
        value = f"{value[0]}..{value[1]}"
    text = str(value).strip()
    m = re.fullmatch(r"(\d+)\s*(?:\.\.\s*(\d+))?", text)
    if not m:
        raise SpecError(f"--batch {text!r} is not a size or a range; write e.g. 3 or 1..6")
    lo = int(m.group(1))
    hi = int(m.group(2)) if m.group(2) else lo
    if lo < 1 or hi < lo:
        raise SpecError(f"--batch {text!r} must be at least 1 (and a range must go upwards)")
    return lo, hi


@dataclass(frozen=True)
class Instance:
    """A problem at one batch size: every slot is an exact number or a free symbol."""

    network: Network
    batch: int
    values: Mapping[str, Tensor]  # W1, b1, ..., x, y (x, y: lists of samples)
    free: tuple[sp.Symbol, ...]
    slots: Mapping[sp.Symbol, tuple]  # symbol -> (name, index tuple, 1-based)
    optimizer: object = None  # for claims with ``after k:`` (a symgrad.train.Optimizer)
    # the momentum buffer before the next step, by parameter; None: a fresh optimizer
    # (PyTorch's first step sets buf = g, which is the same as starting from buf = 0)
    buffer: Mapping[str, Tensor] | None = None

    def substitute(self, assignment: Mapping[sp.Symbol, sp.Expr]) -> Instance:
        """The instance with some free symbols replaced by values."""
        def sub(v):
            if isinstance(v, list):
                return [sub(e) for e in v]
            return assignment.get(v, v) if isinstance(v, sp.Symbol) else v
        values = {k: sub(v) for k, v in self.values.items()}
        buffer = None if self.buffer is None else {k: sub(v) for k, v in self.buffer.items()}
        opt = None if self.optimizer is None else self.optimizer.substitute(assignment)
        free = tuple(s for s in self.free if s not in assignment)
        return Instance(self.network, self.batch, values, free,
                        {s: self.slots[s] for s in free}, opt, buffer)

    @property
    def params(self) -> dict[str, Tensor]:
        return {n: self.values[n] for n in self.network.param_names}


@dataclass(frozen=True)
class Problem:
    """Network + fixed parameters + fixed data (or a batch size / range)."""

    network: Network = field(default_factory=Network)
    params: Mapping[str, object] = field(default_factory=dict)
    x: object = None
    y: object = None
    batch: object = None
    optimizer: object = None  # a symgrad.train.Optimizer, for claims with ``after k:``
    # the momentum buffer at the start: None for a fresh optimizer (zero), or "free" (a
    # variable per entry, ``buf_W1``: a point in the middle of training; used by induction)
    buffer: object = None

    def __post_init__(self):
        set_ = object.__setattr__
        net = self.network
        fixed = {}
        for name, value in dict(self.params).items():
            canon = net.canonical(name)
            if canon in fixed:
                raise SpecError(f"{canon} is set twice (as {name!r}); set it once")
            fixed[canon] = coerce_param(net, canon, value)
        set_(self, "params", fixed)
        x = parse_samples(self.x, net.n_in, "x") if self.x is not None else None
        y = parse_samples(self.y, net.n_out, "y") if self.y is not None else None
        if x is not None and y is not None and len(x) != len(y):
            raise SpecError(f"--x has {len(x)} samples but --y has {len(y)}; give as many of each")
        set_(self, "x", x)
        set_(self, "y", y)
        given = len(x) if x is not None else len(y) if y is not None else None
        batch = parse_batch(self.batch) if self.batch is not None else None
        if given is not None:
            if batch is not None and batch != (given, given):
                raise SpecError(
                    f"--batch {self.batch} disagrees with the {given} samples given; drop --batch"
                )
            batch = (given, given)
        set_(self, "batch", batch or (1, 1))

    @property
    def batch_sizes(self) -> range:
        return range(self.batch[0], self.batch[1] + 1)

    def instance(self, batch: int | None = None) -> Instance:
        """Every slot at batch size ``batch`` (default: the smallest allowed)."""
        net = self.network
        M = self.batch[0] if batch is None else batch
        values: dict[str, Tensor] = {}
        free: list[sp.Symbol] = []
        slots: dict[sp.Symbol, tuple] = {}

        def symbol(name, index, label):
            s = sp.Symbol(label, real=True)
            free.append(s)
            slots[s] = (name, index)
            return s

        if self.optimizer is not None:
            for s in self.optimizer.free:  # first, so a solver pins them first
                free.append(s)
                slots[s] = (s.name, ())
        buffer = None
        if self.buffer == "free":
            buffer = {}
            for name in net.param_names:
                shape = net.shape(name)
                label = f"buf_{name}"
                if len(shape) == 2:
                    buffer[name] = [[symbol(f"buf({name})", (i, j), label if shape == (1, 1)
                                            else f"{label}_{i}_{j}")
                                     for j in range(1, shape[1] + 1)] for i in range(1, shape[0] + 1)]
                else:
                    buffer[name] = [symbol(f"buf({name})", (i,), label if shape == (1,)
                                           else f"{label}_{i}") for i in range(1, shape[0] + 1)]
        elif self.buffer is not None:
            raise SpecError("the starting momentum buffer is fresh (None) or 'free'")
        for name in net.param_names:
            shape = net.shape(name)
            single = all(n == 1 for n in shape)
            if name in self.params:
                values[name] = self.params[name]
            elif len(shape) == 2:
                values[name] = [[symbol(name, (i, j), name if single else f"{name}_{i}_{j}")
                                 for j in range(1, shape[1] + 1)] for i in range(1, shape[0] + 1)]
            else:
                values[name] = [symbol(name, (i,), name if single else f"{name}_{i}")
                                for i in range(1, shape[0] + 1)]
        xs, ys = [], []
        for m in range(1, M + 1):
            for what, fixed, width, store in (("x", self.x, net.n_in, xs),
                                              ("y", self.y, net.n_out, ys)):
                if fixed is not None:
                    store.append(fixed[m - 1])
                else:
                    store.append([symbol(what, (m, k), f"{what}_{m}" if width == 1
                                         else f"{what}_{m}_{k}") for k in range(1, width + 1)])
        values["x"], values["y"] = xs, ys
        return Instance(net, M, values, tuple(free), slots, self.optimizer, buffer)
