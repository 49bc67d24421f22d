"""Trajectory plots: the figure draws exactly the run (checked against this suite's own
Fraction arithmetic), files are valid PNG/SVG, and `symgrad train --plot` behaves like the
other --plot options (a bad name or a missing matplotlib is one line and exit status 2)."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest
import sympy as sp
from test_train import SEED, exact_ends, my_trajectory

from symgrad import Network, Problem, SpecError, UnsupportedError
from symgrad.cli import main
from symgrad.train import train

pytest.importorskip("matplotlib", reason="matplotlib is not installed")

from symgrad.plot import _draw, plot_trajectory, trajectory_data  # noqa: E402

NAMES = ("W1", "b1", "W2", "b2")
SEED_ARGS = ["--set", "W1=1", "--set", "b1=-1", "--set", "W2=1", "--set", "b2=-1",
             "--x", "0;2;3", "--y", "-2;2;0"]


def my_loss(p):
    """Mean squared error of the 1-1-1 relu net on the seed-002 data, in Fractions."""
    w1, b1, w2, b2 = p
    data = [(0, -2), (2, 2), (3, 0)]
    return sum((w2 * max(w1 * x + b1, 0) + b2 - y) ** 2 for x, y in data) / Fraction(len(data))


def lines(ax) -> dict:
    return {ln.get_label(): ln for ln in ax.get_lines() if not ln.get_label().startswith("_")}


def test_the_figure_draws_the_trajectory(tmp_path):
    """Exact steps are drawn as their correctly rounded floats; enclosures at their midpoints,
    which lie within the ball's (tiny) radius of the exact value this test computes."""
    t = train(Problem(Network(), **SEED), steps=8, lr="1/10", momentum="1/2", max_bits=60)
    assert 0 < t.exact_steps < len(t.steps)
    mine = my_trajectory(8, Fraction(1, 10), Fraction(1, 2))
    fig = t.plot(tmp_path / "t.png")
    ax_loss, ax_par = fig.axes[:2]
    drawn = lines(ax_par)
    assert list(drawn) == list(NAMES)
    assert list(lines(ax_loss)) == ["loss"]
    assert list(lines(ax_loss)["loss"].get_xdata()) == list(range(9))
    for k, (step, exact) in enumerate(zip(t.steps, mine, strict=True)):
        pairs = [(lines(ax_loss)["loss"], my_loss(exact), step.loss)]
        pairs += [(drawn[n], e, step.params[n][0][0] if n[0] == "W" else step.params[n][0])
                  for n, e in zip(NAMES, exact, strict=True)]
        for line, want, value in pairs:
            got = line.get_ydata()[k]
            if step.exact:
                assert got == float(want)
            else:
                lo, hi = exact_ends(value)
                assert lo <= want <= hi and got == float(value.mid())
                assert abs(got - float(want)) <= 1e-15 * max(1, abs(float(want)))
    # the enclosure steps are shaded and the legend says midpoints are drawn
    legend = [t.get_text() for t in ax_loss.get_legend().get_texts()]
    assert any(f"steps {t.exact_steps}..8" in s and "midpoints" in s for s in legend)
    assert (tmp_path / "t.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from matplotlib.image import imread
    assert imread(tmp_path / "t.png").ndim == 3  # it decodes as an image


def test_exact_data_and_svg(tmp_path):
    t = train(Problem(Network(), **SEED), steps=3, lr="1/10")
    data = trajectory_data(t)
    assert data["step"] == [0, 1, 2, 3]
    assert data["W1"][1] == sp.Rational(16, 15)  # the exact value, not a float
    assert all(isinstance(v, sp.Rational) for v in data["loss"])
    path = tmp_path / "t.svg"
    fig = plot_trajectory(t, path)
    assert ET.parse(path).getroot().tag.endswith("svg")  # well-formed SVG
    assert not any("midpoints" in x.get_text() for x in fig.axes[0].get_legend().get_texts())
    assert fig._repr_png_()[:4] == b"\x89PNG"  # what Jupyter shows for the returned Figure


def test_entries_of_wider_nets_and_a_selection():
    net = Network(layers="1,2,1", act="tanh")
    p = Problem(net, params={"W1": 0, "b1": "[1/2, 1/2]", "W2": 0, "b2": 0}, x="1; 2",
                y="1; 0")
    t = train(p, steps=3, lr="1/10")
    fig = t.plot()
    assert list(lines(fig.axes[1])) == ["W1[1,1]", "W1[2,1]", "b1[1]", "b1[2]", "W2[1,1]",
                                        "W2[1,2]", "b2"]
    some = t.plot(params=["W2", "b1[2]"])
    assert list(lines(some.axes[1])) == ["b1[2]", "W2[1,1]", "W2[1,2]"]
    with pytest.raises(SpecError, match="parameters"):
        t.plot(params=["x[1]"])
    with pytest.raises(SpecError, match="unknown parameter"):
        t.plot(params=["W7"])


def test_log_scale_when_the_loss_spans_decades():
    # linear regression y = 2x from 0: the loss shrinks geometrically
    t = train(Problem(Network(layers="1,1"), params={"W1": 0, "b1": 0}, x="1; 2", y="2; 4"),
              steps=20, lr="1/5")
    assert t.plot().axes[0].get_yscale() == "log"
    assert t.plot(log=False).axes[0].get_yscale() == "linear"
    seed = train(Problem(Network(), **SEED), steps=3, lr="1/10")
    assert seed.plot().axes[0].get_yscale() == "linear"


def test_a_run_that_stopped_says_so():
    # z1 = W1 + b1 = 0 exactly; once W1, b1 are balls the sign of z1 is unknown and the run stops
    p = Problem(Network(), params={"W1": "1/3", "b1": "-1/3", "W2": 1, "b2": 1}, x="1", y="0")
    t = train(p, steps=5, lr="1/10", max_bits=8)
    assert t.stopped and 0 < len(t.steps) < 6
    fig = t.plot()
    assert "stopped" in fig._suptitle.get_text()
    assert len(fig.axes[0].get_lines()[0].get_xdata()) == len(t.steps)
    empty = train(p, steps=5, lr="1/10", max_bits=1)  # stopped before step 0: nothing to draw
    assert empty.steps == () and "stopped" in empty.plot()._suptitle.get_text()


def test_values_too_large_for_a_float_are_drawn_as_infinity():
    assert _draw(sp.Integer(10) ** 400) == float("inf")
    assert _draw(-sp.Integer(10) ** 400 / 3) == float("-inf")
    assert _draw(sp.Rational(1, 3)) == 1 / 3


def test_plot_errors(tmp_path):
    t = train(Problem(Network(), **SEED), steps=1, lr="1/10")
    with pytest.raises(SpecError, match=r"\.png or \.svg"):
        plot_trajectory(t, tmp_path / "t.jpg")
    with pytest.raises(UnsupportedError, match="Trajectory"):
        plot_trajectory("not a run")


# -- the command line ---------------------------------------------------------------------------
def run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_train_plot(capsys, tmp_path):
    code, plain, _ = run(capsys, "train", *SEED_ARGS, "--steps", "3")
    png, svg = tmp_path / "t.png", tmp_path / "t.svg"
    code, out, err = run(capsys, "train", *SEED_ARGS, "--steps", "3", "--plot", str(png))
    assert code == 0 and out == plain and f"plot written to {png}" in err
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, out, err = run(capsys, "train", *SEED_ARGS, "--steps", "3", "--plot", str(svg),
                         "--format", "json")
    assert code == 0 and ET.parse(svg).getroot().tag.endswith("svg")


def test_cli_train_plot_errors(capsys, tmp_path, monkeypatch):
    code, out, err = run(capsys, "train", *SEED_ARGS, "--plot", str(tmp_path / "t.jpg"))
    assert code == 2 and not out and err.count("\n") == 1 and ".png or .svg" in err
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if it were not installed
    code, out, err = run(capsys, "train", *SEED_ARGS, "--plot", str(tmp_path / "t.png"))
    assert code == 2 and not out and err.count("\n") == 1 and "needs matplotlib" in err
    assert not (tmp_path / "t.png").exists()
