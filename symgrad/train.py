"""Exact training: optimizer steps on a fixed dataset, then certified enclosures.

Full-batch SGD with learning rate, heavy-ball momentum (PyTorch's rule: the buffer starts
as the first gradient, then ``buf = momentum * buf + g``) and L2 weight decay (``g + wd *
theta`` on weights, and on biases with ``decay_biases``).  Every step is exact while the
numbers stay small -- each step is a polynomial map of the last, so their sizes grow
geometrically -- and past ``max_bits`` the trajectory continues in python-flint ball
arithmetic: each later value is an interval guaranteed to contain the exact one, and the
output says which steps are exact and which are enclosures.  A ReLU whose pre-activation
ball contains 0 makes the derivative unknown; the run then stops there and says so.

>>> from symgrad import Network, Problem
>>> p = Problem(Network(), params={"W1": 1, "b1": -1, "W2": 1, "b2": -1},
...             x="0; 2; 3", y="-2; 2; 0")
>>> t = train(p, steps=2, lr="1/10")
>>> t.steps[0].gradients["W1"], t.steps[1].params["W1"]
([[-2/3]], [[16/15]])
"""

from __future__ import annotations

from dataclasses import dataclass

import flint
import sympy as sp

from . import backprop
from .errors import SpecError, SymgradError
from .exact import parse_number, to_str
from .network import Network
from .problem import Instance, Problem
from .render import Renderable, md_escape
from .signs import _ball


def precision(steps: int) -> int:
    """Working precision of the enclosures, in bits.  Interval arithmetic loses a few bits a
    step to the wrapping effect (measured: about 1.3 bits a step on a 1-4-1 net with 100
    samples), so the precision grows with the number of steps asked for."""
    return max(256, 64 + 4 * steps)


class EnclosureLost(Exception):
    """A ball straddles a kink: the derivative there is not determined."""


FREE = "free"
# the range a free hyperparameter ranges over: (lowest, is the lowest allowed, below)
RANGES = {"lr": (0, False, None), "momentum": (0, True, 1), "weight_decay": (0, True, None)}
_RANGE_TEXT = {"lr": "lr > 0", "momentum": "0 <= momentum < 1", "weight_decay": "weight_decay >= 0"}


@dataclass(frozen=True)
class Optimizer:
    """SGD's settings.  Each of lr, momentum, weight_decay is an exact number or ``"free"``:
    a free one is a real variable named ``lr``, ``momentum`` or ``weight_decay`` that the
    prover quantifies over (``prove``: every value in its range; ``find``: some value),
    within lr > 0, 0 <= momentum < 1, weight_decay >= 0.

    >>> o = Optimizer("free", momentum="9/10")
    >>> o.free, o.to_json()["lr"]
    ((lr,), 'free')
    >>> o.substitute({o.free[0]: sp.Rational(1, 10)}).to_json()["lr"]
    '1/10'
    """

    lr: sp.Expr
    momentum: sp.Expr = sp.Integer(0)
    weight_decay: sp.Expr = sp.Integer(0)
    decay_biases: bool = False
    # the settings given as 'free' (kept when a value is substituted, so a checker knows
    # which range the value had to lie in)
    free_names: tuple[str, ...] = ()

    def __post_init__(self):
        free = list(self.free_names)
        for name in RANGES:
            raw = getattr(self, name)
            if isinstance(raw, sp.Symbol) or (isinstance(raw, str) and raw.strip() == FREE):
                object.__setattr__(self, name, sp.Symbol(name, real=True))
                free.append(name)
                continue
            try:
                value = parse_number(raw)
            except SymgradError as exc:
                raise SpecError(f"--{name.replace('_', '-')}: {exc}; or 'free' for a variable "
                                "the prover quantifies over") from None
            if value.is_negative:
                raise SpecError(f"--{name.replace('_', '-')} must not be negative (or 'free')")
            object.__setattr__(self, name, value)
        if not isinstance(self.lr, sp.Symbol) and not self.lr.is_positive:
            raise SpecError("--lr must be a positive number (or 'free'), e.g. --lr 1/10")
        object.__setattr__(self, "free_names", tuple(dict.fromkeys(free)))

    @property
    def free(self) -> tuple[sp.Symbol, ...]:
        """The free hyperparameters, as symbols."""
        return tuple(getattr(self, n) for n in RANGES if isinstance(getattr(self, n), sp.Symbol))

    def substitute(self, assignment) -> Optimizer:
        """The optimizer with free hyperparameters given values (no range check here)."""
        o = object.__new__(Optimizer)
        for name in RANGES:
            v = getattr(self, name)
            object.__setattr__(o, name, assignment.get(v, v) if isinstance(v, sp.Symbol) else v)
        object.__setattr__(o, "decay_biases", self.decay_biases)
        object.__setattr__(o, "free_names", self.free_names)
        return o

    def ranges(self) -> list[str]:
        """The range of each free hyperparameter, as claim text (``lr > 0``)."""
        return [_RANGE_TEXT[s.name] for s in self.free]

    def to_json(self) -> dict:
        def show(v):
            return FREE if isinstance(v, sp.Symbol) else to_str(v)
        return {"kind": "sgd", "lr": show(self.lr), "momentum": show(self.momentum),
                "weight_decay": show(self.weight_decay), "decay_biases": self.decay_biases}


@dataclass(frozen=True)
class Step:
    step: int
    params: dict
    loss: object
    gradients: dict
    exact: bool


class ArbOps:
    """Ball arithmetic for backprop.run: every value an arb enclosing the exact one
    (at python-flint's context precision, which :func:`train` sets)."""

    def const(self, v):
        if isinstance(v, flint.arb):
            return v
        return _ball(v, flint.ctx.prec)

    def add(self, terms):
        total = flint.arb(0)
        for t in terms:
            total += t
        return total

    def log(self, t):
        return t.log()

    def act(self, activation, z, tag):
        if activation.smooth is not None:
            name = activation.name
            if name == "tanh":
                a = z.tanh()
                return a, 1 - a * a
            if name == "sigmoid":
                a = 1 / (1 + (-z).exp())
                return a, a * (1 - a)
            e = z.exp()  # softplus
            return (1 + e).log(), e / (1 + e)
        neg, pos = (self.const(s) for s in activation.slopes)
        if activation.linear or z > 0:
            return pos * z, pos
        if z < 0:
            return neg * z, neg
        if z.is_exact() and z.is_zero():
            return flint.arb(0), self.const(activation.grad_at_zero)
        raise EnclosureLost(f"a ReLU pre-activation {z} contains 0")


def _size(v) -> int:
    """Bits of a rational, or a proxy (operations x 64) for a closed form."""
    if isinstance(v, sp.Rational):
        return max(int(v.p).bit_length(), int(v.q).bit_length())
    return 64 * int(sp.count_ops(v)) + 64


def _map(f, *ts):
    if isinstance(ts[0], list):
        return [_map(f, *parts) for parts in zip(*ts, strict=True)]
    return f(*ts)


def _flat(t):
    return [e for r in t for e in (r if isinstance(r, list) else [r])]


@dataclass(frozen=True)
class Trajectory(Renderable):
    network: Network
    optimizer: Optimizer
    steps: tuple[Step, ...]
    stopped: str | None = None  # why the run ended early
    max_bits: int = 0
    precision: int = 0  # bits of the ball arithmetic

    @property
    def exact_steps(self) -> int:
        return sum(s.exact for s in self.steps)

    def plot(self, path=None, *, params=None, log=None):
        """The loss and the parameters per step as a matplotlib ``Figure`` (it renders in
        Jupyter), saved to ``path`` (.png or .svg) if given; see
        :func:`symgrad.plot.trajectory_figure`.  Needs matplotlib."""
        from .plot import plot_trajectory
        return plot_trajectory(self, path, params=params, log=log)

    def to_json(self) -> dict:
        def value(v):
            if isinstance(v, flint.arb):
                lo, hi = _bounds(v)
                return {"enclosure": [to_str(lo), to_str(hi)]}
            return to_str(v)

        def tensor(t):
            return _map(value, t)
        data = {"network": self.network.to_json(), "optimizer": self.optimizer.to_json(),
                "steps": [{"step": s.step, "exact": s.exact,
                           "params": {k: tensor(v) for k, v in s.params.items()},
                           "loss": value(s.loss),
                           "gradients": {k: tensor(v) for k, v in s.gradients.items()}}
                          for s in self.steps]}
        if self.exact_steps < len(self.steps):
            data["precision_bits"] = self.precision
        if self.stopped:
            data["stopped"] = self.stopped
        return data

    def _rows(self):
        for s in self.steps:
            yield (str(s.step), "exact" if s.exact else "enclosure", _short(s.loss),
                   ", ".join(f"{k} = {_short_tensor(v)}" for k, v in s.params.items()))

    def _summary(self) -> str:
        o = self.optimizer
        head = (f"Training {self.network.describe()}: SGD lr {to_str(o.lr)}"
                + (f", momentum {to_str(o.momentum)}" if o.momentum else "")
                + (f", weight decay {to_str(o.weight_decay)}"
                   + (" (biases too)" if o.decay_biases else "") if o.weight_decay else ""))
        tail = ("no step computed" if not self.steps else
                f"steps 0..{self.steps[-1].step}: {self.exact_steps} exact"
                + (f", then certified enclosures at {self.precision} bits (the exact numbers "
                   f"passed {self.max_bits} bits)"
                   if self.exact_steps < len(self.steps) else ""))
        return head + "\n  " + tail + (f"\n  stopped: {self.stopped}" if self.stopped else "")

    def to_text(self) -> str:
        lines = [self._summary()]
        for step, kind, loss, params in self._rows():
            lines.append(f"  {step:>4} {kind:<9} loss {loss}  {params}")
        return "\n".join(lines)

    def to_markdown(self) -> str:
        lines = [f"**{md_escape(self._summary().splitlines()[0])}**", "",
                 md_escape(self._summary().splitlines()[1].strip()), "",
                 "| step | kind | loss | parameters |", "|---|---|---|---|"]
        lines += [f"| {a} | {b} | {md_escape(c)} | {md_escape(d)} |" for a, b, c, d in self._rows()]
        return "\n".join(lines)

    def to_latex(self) -> str:
        rows = [rf"{a} & {b} & \verb|{c}| & \verb|{d}| \\" for a, b, c, d in self._rows()]
        return ("\\begin{tabular}{rlll}\nstep & kind & loss & parameters \\\\ \\hline\n"
                + "\n".join(rows) + "\n\\end{tabular}")


def _bounds(v: flint.arb) -> tuple[sp.Rational, sp.Rational]:
    """The exact dyadic endpoints of a ball."""
    def rat(x):
        man, exp = x.man_exp()
        man, exp = int(man), int(exp)
        return sp.Integer(man) * sp.Integer(2) ** exp
    mid, rad = rat(v.mid()), rat(v.rad())
    return mid - rad, mid + rad


def _short(v) -> str:
    if isinstance(v, flint.arb):  # the midpoint to 10 digits and the ball's true radius
        return f"{v.mid().str(10, radius=False)} ± {v.rad().str(2, radius=False)}"
    text = to_str(v)
    if len(text) <= 24:
        return text
    return f"{text[:10]}...({len(text)} chars) ~ {sp.N(v, 8)}"


def _short_tensor(t) -> str:
    return "[" + ", ".join(_short(e) for e in _flat(t)) + "]" if isinstance(t, list) else _short(t)


def train(problem: Problem, *, steps: int, lr, momentum=0, weight_decay=0,
          decay_biases: bool = False, max_bits: int = 4096) -> Trajectory:
    """Run ``steps`` optimizer steps from the problem's (fully fixed) point."""
    opt = Optimizer(lr, momentum, weight_decay, decay_biases)
    if opt.free:
        raise SpecError("train runs with given numbers; 'free' is for prove and find")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise SpecError("--steps must be a whole number >= 0")
    old = flint.ctx.prec
    flint.ctx.prec = precision(steps)
    try:
        return _train(problem, steps, opt, max_bits)
    finally:
        flint.ctx.prec = old


def _train(problem: Problem, steps: int, opt: Optimizer, max_bits: int) -> Trajectory:
    inst = problem.instance()
    if inst.free:
        raise SpecError("train needs every parameter and datum fixed; free: "
                        + ", ".join(map(str, inst.free)) + " (use --set, --x and --y)")
    net = inst.network
    params = dict(inst.params)
    buf = None
    exact = True
    history: list[Step] = []
    stopped = None
    lr_, mu, wd = opt.lr, opt.momentum, opt.weight_decay
    for k in range(steps + 1):
        if exact and max(_size(v) for t in params.values() for v in _flat(t)) > max_bits:
            exact = False
            arb = ArbOps()
            params = {n: _map(arb.const, t) for n, t in params.items()}
            buf = None if buf is None else {n: _map(arb.const, t) for n, t in buf.items()}
            lr_, mu, wd = (arb.const(q) for q in (opt.lr, opt.momentum, opt.weight_decay))
        current = Instance(net, inst.batch, {**inst.values, **params}, (), {})
        ops = backprop.SympyOps() if exact else ArbOps()
        try:
            run = backprop.run(current, ops)
            loss = run.loss(net)
        except EnclosureLost as exc:
            stopped = f"step {k}: {exc}; the sign of a ReLU input is no longer determined"
            break
        grads = run.grads
        history.append(Step(k, params, loss, grads, exact))
        if k == steps:
            break
        params, buf = _sgd_step(params, grads, buf, lr_, mu, wd, opt)
    return Trajectory(net, opt, tuple(history), stopped, max_bits, flint.ctx.prec)


def _sgd_step(params, grads, buf, lr, mu, wd, opt: Optimizer):
    """PyTorch's SGD: g = grad (+ wd * theta); buf = g, then mu * buf + g; theta -= lr * buf."""
    def decayed(name):
        if not _decays(name, opt):
            return grads[name]
        return _map(lambda gi, pi: gi + wd * pi, grads[name], params[name])
    g = {n: decayed(n) for n in params}
    if buf is None:
        buf = g
    else:
        buf = {n: _map(lambda b, gi: mu * b + gi, buf[n], g[n]) for n in params}
    return {n: _map(lambda p, b: p - lr * b, params[n], buf[n]) for n in params}, buf


def _decays(name: str, opt: Optimizer) -> bool:
    return bool(opt.weight_decay) and (name[0] == "W" or opt.decay_biases)
