"""Figures of witnesses and gradients (matplotlib, Agg backend, imported only when used).

* :func:`plot_witness` -- for a 1-input 1-output net: the witness data, the network's
  prediction curve over a range around the data, and the residuals; for any other shape,
  per-sample bars of targets and predictions with a table of the exact values.
* :func:`plot_gradient_along` -- the exact gradients while one parameter or datum moves
  along a line through the witness (or any fully fixed values).
* :func:`plot_trajectory` -- a training run (:func:`symgrad.train.train`): the loss and every
  parameter entry per optimizer step; certified enclosures are drawn at their midpoints.

Every value is computed exactly (SymPy rationals or closed forms); only the coordinates
handed to matplotlib are converted to floats, for drawing.  The file type follows the
file name: ``.png``, ``.svg`` (or ``.pdf``).  Nothing here touches pyplot's global state,
so it is safe inside Jupyter and in threads; the figures show themselves in Jupyter (as PNG)
without pyplot.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import textwrap
from fractions import Fraction
from pathlib import Path

import sympy as sp

from .errors import SpecError, UnsupportedError
from .exact import parse_number, to_str
from .gradients import GradientResult, exact_gradients
from .problem import Instance
from .results import ProofResult
from .witness import Witness

SUFFIXES = (".png", ".svg", ".pdf")
GRID_POINTS = 241


def _matplotlib():
    try:
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise UnsupportedError("--plot needs matplotlib: pip install matplotlib") from None
    return matplotlib, _figure_class(Figure), FigureCanvasAgg


@functools.cache
def _figure_class(base):
    """matplotlib's ``Figure`` that also renders itself in Jupyter: without pyplot (which we
    never import) IPython has no formatter for a Figure and shows only its repr."""
    class Figure(base):
        def _repr_png_(self):
            buf = io.BytesIO()
            self.savefig(buf, format="png", dpi=100)
            return buf.getvalue()
    Figure.__module__ = __name__
    Figure.__qualname__ = "Figure"
    return Figure


def _suffix(path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise SpecError(f"--plot {str(path)!r}: the file name must end in .png or .svg "
                        "(or .pdf); e.g. --plot witness.png")
    return suffix


def check_target(path) -> Path:
    """Fail early (before any search) on a file name without .png/.svg or no matplotlib."""
    _suffix(path)
    _matplotlib()
    return Path(path)


def _witness_of(result) -> tuple[Witness, str, str]:
    """(witness, title line, claim text) of a ProofResult, a Witness or a GradientResult."""
    if isinstance(result, ProofResult):
        if result.witness is None:
            raise UnsupportedError(
                f"there is no witness to plot: the verdict is {result.verdict!r}; a plot needs "
                "a 'refuted' or 'found' answer (use --plot with a claim that is refuted, or "
                "with find)")
        what = "counterexample" if result.verdict == "refuted" else "witness"
        return result.witness, f"{result.verdict} ({what}, batch M = {result.batch})", \
            str(result.claim)
    if isinstance(result, Witness):
        return result, "witness", ""
    if isinstance(result, GradientResult):
        if result.instance.free:
            raise UnsupportedError("cannot plot: some values are free; fix every parameter "
                                   "and datum (--set, --x, --y) to draw them")
        return Witness(result.instance, result.grads), "exact values", ""
    raise UnsupportedError("plot_witness needs the result of prove/find (or a witness)")


def _f(v) -> float:
    """An exact value as a float, for drawing only."""
    return float(sp.N(v, 30))


def _forward(inst: Instance, x_values: list) -> list:
    """Exact network outputs (first component) at the given exact inputs (1-input nets)."""
    net = inst.network
    out = []
    for xv in x_values:
        a = [xv]
        for l in range(1, net.depth + 1):
            W, b = inst.values[f"W{l}"], inst.values[f"b{l}"]
            act = net.activation(l)
            a = [act.value(sp.Add(*[W[i][j] * a[j] for j in range(len(a))]) + b[i])
                 for i in range(len(b))]
        out.append(a[0])
    return out


def _grid(lo: sp.Rational, hi: sp.Rational, n: int) -> list:
    step = (hi - lo) / (n - 1)
    return [lo + k * step for k in range(n)]


def _nice_range(values: list) -> tuple[sp.Rational, sp.Rational]:
    """Rational bounds a little wider than the values."""
    fl = [Fraction(v.p, v.q) if v.is_Rational else Fraction(_f(v)).limit_denominator(1000)
          for v in values]
    lo, hi = min(fl), max(fl)
    pad = max((hi - lo) / 4, Fraction(1))
    return sp.Rational(lo - pad), sp.Rational(hi + pad)


def _gradient_lines(w: Witness, limit: int = 6) -> list[str]:
    lines = []
    for name, t in w.gradients.items():
        text = _tensor_text(t)
        lines.append(f"dL/d{name} = " + (text if len(text) <= 90 else text[:87] + "..."))
    return lines[:limit] + (["..."] if len(lines) > limit else [])


def _title(head: str, claim: str) -> str:
    text = head + (": " + claim if claim else "")
    return "\n".join(textwrap.wrap(text, 80)[:3])


def witness_figure(result):
    """The matplotlib ``Figure`` that :func:`plot_witness` saves."""
    _, Figure, FigureCanvasAgg = _matplotlib()
    w, head, claim = _witness_of(result)
    inst = w.instance
    net = inst.network
    if net.n_in == 1 and net.n_out == 1:
        fig = Figure(figsize=(9.5, 5.2), layout="constrained")
        FigureCanvasAgg(fig)
        ax, side = fig.subplots(1, 2, width_ratios=[3, 1.15])
        xs = [s[0] for s in inst.values["x"]]
        ys = [s[0] for s in inst.values["y"]]
        preds = [p[0] for p in w.predictions()]
        lo, hi = _nice_range(xs)
        grid = sorted(set(_grid(lo, hi, GRID_POINTS)) | set(x for x in xs if x.is_Rational))
        curve = _forward(inst, grid)
        ax.plot([_f(g) for g in grid], [_f(c) for c in curve], color="tab:blue", lw=1.8,
                label="network prediction $\\hat y(x)$", zorder=2)
        for k, (x, y, p) in enumerate(zip(xs, ys, preds, strict=True)):
            ax.plot([_f(x), _f(x)], [_f(y), _f(p)], color="tab:red", lw=1.4, ls="--",
                    label="residual $\\hat y - y$" if k == 0 else None, zorder=3)
        ax.scatter([_f(x) for x in xs], [_f(p) for p in preds], marker="o",
                   facecolors="white", edgecolors="tab:blue", s=36, zorder=4,
                   label="prediction at the data")
        ax.scatter([_f(x) for x in xs], [_f(y) for y in ys], color="black", s=40, zorder=5,
                   label="data $(x, y)$")
        for m, (x, y) in enumerate(zip(xs, ys, strict=True), 1):
            ax.annotate(f"m={m}", (_f(x), _f(y)), textcoords="offset points", xytext=(5, 5),
                        fontsize=8)
        ax.set_xlabel("input $x$")
        ax.set_ylabel("target $y$ / prediction $\\hat y$")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="best", fontsize=8)
        _side_panel(side, w)
        fig.suptitle(_title(head, claim) + f"\n{net.describe()}", fontsize=9)
        return fig
    return _table_figure(w, head, claim, Figure, FigureCanvasAgg)


def _flatten(t):
    return [e for x in t for e in _flatten(x)] if isinstance(t, list) else [t]


def _side_panel(ax, w: Witness, data: bool = True):
    """Exact parameters, per-sample values and gradients, as monospaced text."""
    ax.axis("off")
    inst = w.instance
    lines = ["parameters:"]
    lines += [f"  {k} = {_tensor_text(v)}" for k, v in w.params.items()]
    preds = w.predictions()
    if data and inst.batch <= 12:
        lines += ["", "m   x   y   y_hat   residual"]
        for m in range(inst.batch):
            x, y, p = inst.values["x"][m], inst.values["y"][m], preds[m]
            r = [pi - yi for pi, yi in zip(p, y, strict=True)]
            lines.append(f"{m + 1}  " + "  ".join(_tensor_text(v) for v in (x, y, p, r)))
    exact = all(getattr(e, "is_Rational", False) for t in w.gradients.values()
                for e in _flatten(t))
    lines += ["", "gradients" + (" (exact):" if exact else " (~: decimal value of a closed form):")]
    lines += ["  " + g for g in _gradient_lines(w, 10)]
    wrapped = []
    for line in lines:
        wrapped += textwrap.wrap(line, 34, subsequent_indent="    ") or [""]
    ax.text(0.0, 1.0, "\n".join(wrapped), transform=ax.transAxes, fontsize=7.5,
            va="top", ha="left", family="monospace")


def _tensor_text(t) -> str:
    """Exact values as text; a closed form longer than a few characters is shown by its
    decimal value with ``~`` (the figure is for reading; the exact values are in the result)."""
    if isinstance(t, list):
        if len(t) == 1 and not isinstance(t[0], list):
            return _tensor_text(t[0])
        if len(t) == 1 and len(t[0]) == 1:
            return _tensor_text(t[0][0])
        return "[" + ", ".join(_tensor_text(e) for e in t) + "]"
    text = to_str(t)
    if len(text) <= 14 or getattr(t, "is_Rational", False):
        return text
    value = _f(t)
    if abs(value) < 1e-12:
        from . import signs
        if signs.compare("==", t, sp.Integer(0)) is True:
            return "0"
    return f"~{value:.6g}"


def _table_figure(w: Witness, head: str, claim: str, Figure, FigureCanvasAgg):
    """Any shape: grouped bars of targets and predictions per sample and output unit,
    residual markers, and a table of the exact values."""
    inst = w.instance
    net = inst.network
    M, K = inst.batch, net.n_out
    preds = w.predictions()
    rows = max(M, 1)
    fig = Figure(figsize=(max(9.5, 1.2 * M * K + 4), 4.5 + 0.3 * rows), layout="constrained")
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(2, 2, height_ratios=[3, 0.6 + 0.3 * rows], width_ratios=[3, 1.15])
    ax = fig.add_subplot(grid[0, 0])
    tab = fig.add_subplot(grid[1, 0])
    side = fig.add_subplot(grid[:, 1])
    width = 0.8 / (2 * K)
    for k in range(K):
        pos = [m + (2 * k) * width - 0.4 + width / 2 for m in range(M)]
        ys = [_f(inst.values["y"][m][k]) for m in range(M)]
        ps = [_f(preds[m][k]) for m in range(M)]
        suffix = f" (output {k + 1})" if K > 1 else ""
        ax.bar(pos, ys, width, color="0.35", label="target $y$" + suffix)
        ax.bar([p + width for p in pos], ps, width, color="tab:blue", alpha=0.8,
               label="prediction $\\hat y$" + suffix)
        for p, y, q in zip(pos, ys, ps, strict=True):
            ax.plot([p + width / 2, p + width / 2], [y, q], color="tab:red", lw=1.6, ls="--",
                    label="residual $\\hat y - y$" if (k == 0 and p == pos[0]) else None)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks(range(M), [f"sample {m + 1}" for m in range(M)])
    ax.set_ylabel("value")
    ax.legend(fontsize=8, loc="best")
    ax.grid(True, axis="y", alpha=0.3)
    fig.suptitle(_title(head, claim) + f"\n{net.describe()}", fontsize=9)
    tab.axis("off")
    cells = []
    for m in range(M):
        x, y, p = inst.values["x"][m], inst.values["y"][m], preds[m]
        r = [pi - yi for pi, yi in zip(p, y, strict=True)]
        cells.append([str(m + 1), _tensor_text(x), _tensor_text(y), _tensor_text(p),
                      _tensor_text(r)])
    table = tab.table(cellText=cells, colLabels=["m", "x", "y", "prediction", "residual"],
                      loc="upper center", cellLoc="center")
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    _side_panel(side, w, data=False)
    return fig


def plot_witness(result, path) -> Path:
    """Save a figure of the result's witness (or counterexample) to ``path`` (.png or .svg).

    Raises :class:`~symgrad.errors.UnsupportedError` when there is no witness (a proof has
    none) or when matplotlib is not installed.
    """
    suffix = _suffix(path)
    fig = witness_figure(result)
    path = Path(path)
    fig.savefig(path, format=suffix[1:], dpi=150)
    return path


# ---------------------------------------------------------------------------------------
# Gradients along a line
# ---------------------------------------------------------------------------------------
def _slot(inst: Instance, name: str):
    """(key into instance.values, index path) for ``W1``, ``W1[1,1]``, ``b2[1]``, ``x[2]``,
    ``x[2,1]``, ``y[3]`` -- 1-based indices, as in claims; no eval."""
    return _slot_in(inst.network, inst.batch, name)


def _slot_in(net, batch: int, name: str):
    """:func:`_slot` for a network and a batch size."""
    text = name.replace(" ", "")
    base, _, rest = text.partition("[")
    idx: tuple[int, ...] = ()
    if rest:
        if not rest.endswith("]"):
            raise SpecError(f"cannot read {name!r}; write e.g. W1[1,1], b1[2] or x[3]")
        try:
            idx = tuple(int(v) for v in rest[:-1].split(","))
        except ValueError:
            raise SpecError(f"cannot read {name!r}; indices are whole numbers, e.g. W1[1,1]") \
                from None
    if base in ("x", "y"):
        width = net.n_in if base == "x" else net.n_out
        if len(idx) == 1 and width == 1:
            idx = (idx[0], 1)
        if len(idx) != 2:
            raise SpecError(f"{name!r}: name a sample (and a component), e.g. {base}[2]")
        key, shape = base, (batch, width)
    else:
        key = net.canonical(base)
        shape = net.shape(key)
        if not idx and all(n == 1 for n in shape):
            idx = (1,) * len(shape)
        if len(idx) != len(shape):
            raise SpecError(f"{name!r}: {key} has shape {'x'.join(map(str, shape))}; name one "
                            f"entry, e.g. {key}[{','.join('1' * len(shape))}]")
    for i, n in zip(idx, shape, strict=True):
        if not 1 <= i <= n:
            raise SpecError(f"{name!r}: index {i} is out of range 1..{n}")
    return key, tuple(i - 1 for i in idx)


def _replace(t, path, value):
    if not path:
        return value
    out = list(t)
    out[path[0]] = _replace(t[path[0]], path[1:], value)
    return out


def gradients_along(source, vary: str, values) -> list[dict]:
    """Exact gradients with one parameter entry or datum set to each of ``values``.

    ``source``: a result with a witness, a Witness, or a GradientResult with every value
    fixed.  ``vary``: ``"b1"``, ``"W1[2,1]"``, ``"x[3]"``, ...
    """
    w, _, _ = _witness_of(source)
    inst = w.instance
    key, path = _slot(inst, vary)
    out = []
    for v in values:
        value = parse_number(v)
        values_ = dict(inst.values)
        values_[key] = _replace(inst.values[key], path, value)
        moved = dataclasses.replace(inst, values=values_)
        out.append(exact_gradients(moved))
    return out


def plot_gradient_along(source, vary: str, path=None, *, span=2, points: int = 81,
                        grads=None):
    """Plot the exact gradients while ``vary`` moves along a line through the witness.

    The parameter or datum named by ``vary`` runs over ``points`` equally spaced exact
    values from ``v - span`` to ``v + span`` around its witness value ``v``; ``grads``
    (e.g. ``["W1", "b1[2]"]``) limits the curves drawn.  Saves to ``path`` if given (.png
    or .svg) and returns the matplotlib ``Figure``.
    """
    _, Figure, FigureCanvasAgg = _matplotlib()
    if path is not None:
        suffix = _suffix(path)
    w, head, claim = _witness_of(source)
    inst = w.instance
    key, idx = _slot(inst, vary)
    centre = inst.values[key]
    for i in idx:
        centre = centre[i]
    half = sp.Rational(Fraction(str(span))) if not isinstance(span, sp.Expr) else span
    line = _grid(centre - half, centre + half, points)
    if centre.is_Rational and centre not in line:
        line = sorted(set(line) | {centre})
    results = gradients_along(w, vary, line)
    net = inst.network
    wanted = None  # None: every entry; else a set of (name, 0-based entry) or (name, None)
    if grads is not None:
        wanted = set()
        for g in grads:
            if "[" in g:
                wanted.add(_slot(inst, g))
            else:
                wanted.add((net.canonical(g), None))
    fig = Figure(figsize=(7.5, 4.8), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for name in net.param_names:
        shape = net.shape(name)
        entries = [(i, j) for i in range(shape[0]) for j in range(shape[1])] \
            if len(shape) == 2 else [(i,) for i in range(shape[0])]
        for e in entries:
            if wanted is not None and (name, e) not in wanted and (name, None) not in wanted:
                continue
            ys = []
            for g in results:
                v = g[name]
                for i in e:
                    v = v[i]
                ys.append(_f(v))
            single = all(n == 1 for n in shape)
            label = f"dL/d{name}" + ("" if single else "[" + ",".join(str(i + 1) for i in e) + "]")
            ax.plot([_f(t) for t in line], ys, lw=1.6, label=label)
    ax.axvline(_f(centre), color="0.4", ls=":", lw=1, label=f"{vary} = {to_str(centre)}")
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xlabel(vary + " (everything else fixed)")
    ax.set_ylabel("exact gradient")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    what = ("the counterexample" if head.startswith("refuted") else
            "the given values" if head == "exact values" else "the witness")
    ax.set_title(_title(f"exact gradients along a line through {what}", claim)
                 + f"\n{net.describe()}", fontsize=9)
    if path is not None:
        fig.savefig(Path(path), format=suffix[1:], dpi=150)
    return fig


# ---------------------------------------------------------------------------------------
# Training trajectories
# ---------------------------------------------------------------------------------------
LINESTYLES = ("-", "--", ":", "-.")
LOG_RATIO = 100  # the loss axis is logarithmic when the losses span at least this factor


def _draw(v) -> float:
    """A trajectory value as a float, for drawing only: an exact rational correctly rounded
    (also with a million bits), a closed form by its decimal value, a ball by its midpoint;
    too large for a float gives +-inf (matplotlib leaves it out)."""
    import flint
    if isinstance(v, flint.arb):
        return float(v.mid())
    if isinstance(v, sp.Rational):
        try:
            return int(v.p) / int(v.q)
        except OverflowError:
            return float("inf") if v > 0 else float("-inf")
    return _f(v)


def _entries(net, wanted=None) -> list[tuple[str, tuple[int, ...], str]]:
    """(parameter, 0-based index path, label) of every entry, or of those in ``wanted``
    (names such as ``"W1"``, ``"W1[2,1]"``, ``"b2[1]"``, as in claims)."""
    chosen = None
    if wanted is not None:
        chosen = set()
        for text in wanted:
            key, path = _slot_in(net, 1, text) if "[" in text else (net.canonical(text), None)
            if key in ("x", "y"):
                raise SpecError(f"{text!r}: a trajectory plot draws parameters (W1, b1[2], ...), "
                                "not data")
            chosen.add((key, path))
    out = []
    for name in net.param_names:
        shape = net.shape(name)
        paths = [(i, j) for i in range(shape[0]) for j in range(shape[1])] \
            if len(shape) == 2 else [(i,) for i in range(shape[0])]
        for path in paths:
            if chosen is not None and (name, path) not in chosen and (name, None) not in chosen:
                continue
            single = all(n == 1 for n in shape)
            out.append((name, path, name if single else
                        f"{name}[{','.join(str(i + 1) for i in path)}]"))
    return out


def _entry(tensor, path):
    for i in path:
        tensor = tensor[i]
    return tensor


def trajectory_data(traj, params=None) -> dict:
    """What :func:`trajectory_figure` draws, as exact values: ``{"step": [...], "loss":
    [...], "W1[1,1]": [...], ...}`` (labels as in the legend).  An enclosure is a python-flint
    ball; the figure draws its midpoint."""
    steps = traj.steps
    data = {"step": [s.step for s in steps], "loss": [s.loss for s in steps]}
    for name, path, label in _entries(traj.network, params):
        data[label] = [_entry(s.params[name], path) for s in steps]
    return data


def _max_radius(traj) -> str:
    """The widest ball of the run, for the figure's note (python-flint's 2-digit rendering)."""
    import flint
    widest = None
    for s in traj.steps:
        if s.exact:
            continue
        for v in [s.loss] + [e for t in s.params.values() for e in _flatten(t)]:
            if isinstance(v, flint.arb) and (widest is None or v.rad() > widest):
                widest = v.rad()
    return "0" if widest is None else widest.str(2, radius=False)


def trajectory_figure(traj, *, params=None, log=None):
    """The matplotlib ``Figure`` of a training run: the loss per step (top; a logarithmic
    axis when every loss is positive and they span a factor of 100 or more, or as ``log``
    says) and the parameters per step (bottom; one line per entry, labelled ``W1``,
    ``W1[2,1]``, ``b1[2]``...; ``params`` limits them, e.g. ``["W1", "b2"]``).  Entries of
    one parameter share a colour and differ in line style; each line is drawn thinner than
    the one before, so entries that stay equal show as nested lines, none hidden.  Steps
    that are certified enclosures are shaded and drawn at their midpoints; only the drawn
    coordinates are floats."""
    _, Figure, FigureCanvasAgg = _matplotlib()
    from .train import Trajectory
    if not isinstance(traj, Trajectory):
        raise UnsupportedError("plot_trajectory needs the result of symgrad.train.train "
                               "(a Trajectory)")
    data = trajectory_data(traj, params)
    steps = data["step"]
    many = len(steps) > 40
    marker = {} if many else {"marker": "o", "markersize": 3}
    fig = Figure(figsize=(9.5, 6.4), layout="constrained")
    FigureCanvasAgg(fig)
    ax_loss, ax_par = fig.subplots(2, 1, sharex=True, height_ratios=[1, 1.6])

    losses = [_draw(v) for v in data["loss"]]
    finite = [v for v in losses if v == v and abs(v) != float("inf")]
    if log is None:
        log = bool(finite) and min(finite) > 0 and max(finite) >= LOG_RATIO * min(finite)
    ax_loss.plot(steps, losses, color="black", lw=1.6, label="loss", **marker)
    if log:
        ax_loss.set_yscale("log")
    ax_loss.set_ylabel("loss" + (" (log scale)" if log else ""))

    names = list(traj.network.param_names)
    colours = [f"C{k % 10}" for k in range(len(names))]
    seen: dict[str, int] = {}
    labels = list(data)[2:]
    for n, label in enumerate(labels):
        name = label.split("[")[0]
        k = seen[name] = seen.get(name, -1) + 1
        width = 3.0 - 2.0 * n / max(len(labels) - 1, 1)  # later lines thinner: equal ones nest
        ax_par.plot(steps, [_draw(v) for v in data[label]], color=colours[names.index(name)],
                    ls=LINESTYLES[k % len(LINESTYLES)], lw=width, label=label,
                    **({"marker": "o", "markersize": 1.5 + width} if marker else {}))
    ax_par.axhline(0, color="black", lw=0.6)
    ax_par.set_ylabel("parameter value")
    ax_par.set_xlabel("optimizer step")
    from matplotlib.ticker import MaxNLocator
    ax_par.xaxis.set_major_locator(MaxNLocator(integer=True))

    first = next((s.step for s in traj.steps if not s.exact), None)
    if first is not None:
        note = (f"steps {first}..{steps[-1]}: certified enclosures, drawn at their midpoints "
                f"(radii up to ~{_max_radius(traj)})")
        for k, ax in enumerate((ax_loss, ax_par)):
            ax.axvspan(first - 0.5, steps[-1] + 0.5, color="tab:orange", alpha=0.08,
                       label=note if k == 0 else None)
    for ax in (ax_loss, ax_par):
        ax.grid(True, alpha=0.3)
    ax_loss.legend(fontsize=8, loc="best")
    entries = len(data) - 2
    ax_par.legend(fontsize=7 if entries > 12 else 8, loc="upper left", bbox_to_anchor=(1.01, 1),
                  ncol=2 if entries > 16 else 1)
    head, tail = traj._summary().split("\n", 1)
    fig.suptitle("\n".join(textwrap.wrap(head, 110) + [ln.strip() for ln in tail.splitlines()]),
                 fontsize=9)
    return fig


def plot_trajectory(traj, path=None, *, params=None, log=None):
    """Draw a training run (see :func:`trajectory_figure`); save it to ``path`` (.png or
    .svg) if given, and return the matplotlib ``Figure`` (it renders in Jupyter)."""
    suffix = _suffix(path) if path is not None else None
    fig = trajectory_figure(traj, params=params, log=log)
    if path is not None:
        fig.savefig(Path(path), format=suffix[1:], dpi=150)
    return fig


__all__ = ["check_target", "gradients_along", "plot_gradient_along", "plot_trajectory",
           "plot_witness", "trajectory_data", "trajectory_figure", "witness_figure"]
