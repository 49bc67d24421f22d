"""Exact training: the first step is `grad`, exact steps replay by this file's own
arithmetic, and every enclosure contains the exact value the test computes itself."""

from __future__ import annotations

import json
from fractions import Fraction

import flint
import pytest
import sympy as sp

from symgrad import Network, Problem, SpecError, gradients
from symgrad.cli import main
from symgrad.train import train

SEED = dict(params={"W1": 1, "b1": -1, "W2": 1, "b2": -1}, x="0; 2; 3", y="-2; 2; 0")


def my_step_grads(p, xs, ys, g0=Fraction(0)):
    """1-1-1 relu, mse mean: this file's own chain rule in Fractions."""
    w1, b1, w2, b2 = p
    gw1 = gb1 = gw2 = gb2 = Fraction(0)
    for x, y in zip(xs, ys, strict=True):
        z = w1 * x + b1
        a = max(z, Fraction(0))
        d = Fraction(1) if z > 0 else (g0 if z == 0 else Fraction(0))
        r = 2 * (w2 * a + b2 - y) / len(xs)
        gw2 += r * a
        gb2 += r
        gw1 += r * w2 * d * x
        gb1 += r * w2 * d
    return [gw1, gb1, gw2, gb2]


def my_trajectory(steps, lr, mu=Fraction(0), wd=Fraction(0)):
    p = [Fraction(1), Fraction(-1), Fraction(1), Fraction(-1)]
    xs, ys = [Fraction(0), Fraction(2), Fraction(3)], [Fraction(-2), Fraction(2), Fraction(0)]
    out, buf = [list(p)], None
    for _ in range(steps):
        g = my_step_grads(p, xs, ys)
        g = [gi + (wd * pi if k in (0, 2) else 0) for k, (gi, pi) in enumerate(zip(g, p, strict=True))]
        buf = g if buf is None else [mu * b + gi for b, gi in zip(buf, g, strict=True)]
        p = [pi - lr * b for pi, b in zip(p, buf, strict=True)]
        out.append(list(p))
    return out


def values(step):
    return [step.params[n][0][0] if n[0] == "W" else step.params[n][0]
            for n in ("W1", "b1", "W2", "b2")]


def exact_ends(ball: flint.arb) -> tuple[Fraction, Fraction]:
    """The ball's endpoints as exact fractions (midpoint and radius are dyadic)."""
    def dyadic(x):
        man, exp = (int(v) for v in x.man_exp())
        return Fraction(man) * Fraction(2) ** exp
    mid, rad = dyadic(ball.mid()), dyadic(ball.rad())
    return mid - rad, mid + rad


def test_step_zero_gradients_are_what_grad_prints():
    t = train(Problem(Network(), **SEED), steps=1, lr="1/10")
    assert t.steps[0].gradients == gradients(Network(), **SEED).grads


@pytest.mark.parametrize("mu, wd", [(0, 0), (Fraction(1, 2), 0), (Fraction(1, 3), Fraction(1, 5))])
def test_exact_steps_replay(mu, wd):
    t = train(Problem(Network(), **SEED), steps=4, lr="1/10", momentum=str(mu),
              weight_decay=str(wd))
    mine = my_trajectory(4, Fraction(1, 10), Fraction(mu), Fraction(wd))
    assert all(s.exact for s in t.steps)
    for step, expected in zip(t.steps, mine, strict=True):
        assert values(step) == [sp.Rational(e.numerator, e.denominator) for e in expected]


def test_enclosures_contain_the_exact_values():
    t = train(Problem(Network(), **SEED), steps=7, lr="1/10", max_bits=40)
    assert 0 < t.exact_steps < len(t.steps)
    mine = my_trajectory(7, Fraction(1, 10))
    for step, expected in zip(t.steps, mine, strict=True):
        for got, want in zip(values(step), expected, strict=True):
            if step.exact:
                assert got == sp.Rational(want.numerator, want.denominator)
            else:
                lo, hi = exact_ends(got)
                assert lo <= want <= hi
                assert hi - lo < Fraction(1, 10**30)


def test_a_kink_inside_a_ball_stops_the_run_honestly():
    # z1 = W1*x + b1 = 0 exactly at x = 1 for W1 = 1/3, b1 = -1/3: once they are (inexact) balls,
    # the sign of z1 is unknown; the run must stop rather than guess relu'(z1)
    p = Problem(Network(), params={"W1": "1/3", "b1": "-1/3", "W2": 1, "b2": 1}, x="1", y="0")
    t = train(p, steps=5, lr="1/10", max_bits=1)
    assert t.stopped and "contains 0" in t.stopped


def test_a_run_that_stops_before_step_0_is_reported_not_a_traceback(capsys):
    # with --max-bits 1 the start is already a ball, and z1 = W1 + b1 = 0 lies inside it
    code = main(["train", "--set", "W1=1/3", "--set", "b1=-1/3", "--set", "W2=1", "--set", "b2=1",
                 "--x", "1", "--y", "0", "--max-bits", "1"])
    out = capsys.readouterr()
    assert code == 0 and not out.err
    assert "no step computed" in out.out and "stopped: step 0" in out.out


def test_bad_training_options():
    with pytest.raises(SpecError):
        train(Problem(Network(), **SEED), steps=3, lr="0")
    with pytest.raises(SpecError):
        train(Problem(Network(), batch=1), steps=3, lr="1/10")


def test_cli_json_shape(capsys):
    code = main(["train", "--set", "W1=1", "--set", "b1=-1", "--set", "W2=1", "--set", "b2=-1",
                 "--x", "0;2;3", "--y", "-2;2;0", "--steps", "2", "--lr", "1/10",
                 "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["optimizer"]["lr"] == "1/10"
    assert [s["step"] for s in data["steps"]] == [0, 1, 2]
    assert data["steps"][0]["gradients"]["W1"] == [["-2/3"]]
    assert data["steps"][1]["params"]["W1"] == [["16/15"]]
    assert sp.parse_expr(data["steps"][2]["loss"]).is_Rational


# -- claims about training: "after k:" --------------------------------------------------------

def test_zero_weights_step_out_of_zero_seed_004():
    """W = 0 does not freeze the hidden weights: one step moves W2 off zero (its gradient is
    the residual times relu(b1)), and then the hidden weights get a gradient."""
    from symgrad import Network, Problem, prove
    from symgrad.check import holds
    from symgrad.claims import parse
    from symgrad.train import Optimizer

    claim = "W1 == 0 and W2 == 0 -> after 1: grad(W1) == 0"
    r = prove(claim, problem=Problem(Network(), batch=1, optimizer=Optimizer("1/10")),
              timeout=30)
    assert r.verdict == "refuted" and r.checked
    v = r.witness.instance.values
    p = [Fraction(str(v["W1"][0][0])), Fraction(str(v["b1"][0])), Fraction(str(v["W2"][0][0])),
         Fraction(str(v["b2"][0]))]
    xs, ys = [Fraction(str(v["x"][0][0]))], [Fraction(str(v["y"][0][0]))]
    assert p[0] == 0 and p[2] == 0
    g = my_step_grads(p, xs, ys)
    p1 = [pi - Fraction(1, 10) * gi for pi, gi in zip(p, g, strict=True)]
    assert my_step_grads(p1, xs, ys)[0] != 0  # this file's own arithmetic agrees
    assert holds(parse(claim), r.witness.instance) is False


def test_a_dead_relu_stays_dead_for_a_step():
    from symgrad import Network, Problem, prove
    from symgrad.train import Optimizer

    r = prove("(all m: z1[m] < 0) -> after 1: (all m: z1[m] < 0) and grad(W1) == 0",
              problem=Problem(Network(), batch=2, optimizer=Optimizer("1/10", "1/2")),
              timeout=60)
    assert r.verdict == "proved"


def test_after_needs_an_optimizer():
    from symgrad import Network, SymgradError, prove

    with pytest.raises(SymgradError, match="--lr"):
        prove("after 1: W1 == 0", Network(), batch=1)


def test_after_round_trips():
    from symgrad.claims import parse

    for text in ("after 2: grad(W1) == 0", "(after 1: W1 == 0) -> W2 == 0",
                 "all m: z1[m] < 0 -> after 3: all m: z1[m] < 0"):
        tree = parse(text)
        assert str(tree) == text and parse(str(tree)) == tree


# -- claims for every step: "always:" by induction -----------------------------------------------

def _always(claim, batch=2, **opt):
    from symgrad import Network, Problem, prove
    from symgrad.train import Optimizer
    return prove(claim, problem=Problem(Network(), batch=batch,
                                        optimizer=Optimizer("1/10", **opt)), timeout=60)


def test_a_dead_relu_stays_dead_under_plain_gradient_descent():
    r = _always("(all m: z1[m] < 0) -> always: (all m: z1[m] < 0) and grad(W1) == 0")
    assert r.verdict == "proved" and r.method == "induction"
    assert r.certificate["kind"] == "induction"


def test_weight_decay_can_revive_a_dead_relu():
    """z = W1*x + b1 < 0 with W1*x < 0 < b1: decay shrinks W1*x toward 0 and z can cross 0."""
    from symgrad.check import stepped

    r = _always("(all m: z1[m] < 0) -> always: (all m: z1[m] < 0)", weight_decay="1/10")
    assert r.verdict == "refuted" and r.checked
    inst = r.witness.instance
    later = stepped(inst, 1)
    zs = [later.values["W1"][0][0] * x[0] + later.values["b1"][0] for x in inst.values["x"]]
    assert any(z >= 0 for z in zs)  # this test's own arithmetic: some unit came alive
    assert all(inst.values["W1"][0][0] * x[0] + inst.values["b1"][0] < 0
               for x in inst.values["x"])


def test_a_false_base_case_is_a_real_counterexample():
    r = _always("always: grad(W2) == 0", batch=1)
    assert r.verdict == "refuted" and r.checked and "before any step" in r.note


def test_momentum_induction_is_not_guessed():
    """True (one sample: once dead, z keeps falling by mu^k (z1 - z0) < 0), but the buffer
    left over from the live step 0 defeats both the plain and the strengthened invariant:
    the prover must not refute it, and says why it cannot prove it."""
    r = _always("(after 1: all m: z1[m] < 0) -> after 1: always: (all m: z1[m] < 0)",
                batch=1, momentum="1/2")
    assert r.verdict in ("unknown", "proved")
    if r.verdict == "unknown":
        assert "buffer" in r.reason and "not inductive" in r.reason


@pytest.mark.parametrize("act", ["relu", "tanh", "sigmoid"])
def test_symmetric_hidden_units_stay_symmetric_for_ever(act):
    """Seed 004: units that start equal get equal gradients, so they never differ."""
    from symgrad import Network, Problem, prove
    from symgrad.train import Optimizer

    sym = "W1[1,1] == W1[2,1] and b1[1] == b1[2] and W2[1,1] == W2[1,2]"
    r = prove(f"{sym} -> always: {sym}", problem=Problem(
        Network(layers="1,2,1", act=act), optimizer=Optimizer("1/10"), batch=2), timeout=60)
    assert r.verdict == "proved" and r.method == "induction"


def test_asymmetric_start_is_not_claimed_symmetric():
    from symgrad import Network, Problem, prove
    from symgrad.train import Optimizer

    r = prove("W1[1,1] == W1[2,1] -> always: W1[1,1] == W1[2,1]", problem=Problem(
        Network(layers="1,2,1"), optimizer=Optimizer("1/10"), batch=1), timeout=60)
    assert r.verdict == "refuted" and r.checked
