"""Claims over training with momentum, values at different steps (at, buf), and free
learning rates / decay strengths (issue 6).

Every verdict below is derived by hand in the comments, and every trajectory witness is
re-played here with this file's own SGD in Fractions (PyTorch's rule: buf = g on the first
step, then buf = mu*buf + g; p -= lr*buf; weight decay adds wd*p to a weight's gradient),
sharing no code with symgrad.
"""

from __future__ import annotations

import json
import re
from fractions import Fraction

import pytest
import sympy as sp

from symgrad import Network, Problem, SymgradError, find, prove
from symgrad.check import holds, stepped
from symgrad.claims import parse
from symgrad.cli import main
from symgrad.train import Optimizer

F = Fraction


# -- this file's own 1-H-1 relu / mse-mean network and its own SGD ------------------------------

def _f(v) -> Fraction:
    """A SymPy rational or a JSON string as a Fraction."""
    return F(str(v))


def state_of(inst) -> dict:
    """{W1: [H], b1: [H], W2: [H], b2: [1]} of a 1-H-1 witness, as Fractions."""
    v = inst.values
    return {"W1": [_f(r[0]) for r in v["W1"]], "b1": [_f(e) for e in v["b1"]],
            "W2": [_f(e) for e in v["W2"][0]], "b2": [_f(v["b2"][0])]}


def data_of(inst):
    return [_f(x[0]) for x in inst.values["x"]], [_f(y[0]) for y in inst.values["y"]]


def z_of(s, x):
    return [w * x + b for w, b in zip(s["W1"], s["b1"], strict=True)]


def grads(s, xs, ys):
    """This file's chain rule: relu'(0) = 0, mse with mean reduction."""
    H, M = len(s["W1"]), len(xs)
    g = {"W1": [F(0)] * H, "b1": [F(0)] * H, "W2": [F(0)] * H, "b2": [F(0)]}
    for x, y in zip(xs, ys, strict=True):
        z = z_of(s, x)
        a = [max(zi, F(0)) for zi in z]
        d = [F(1) if zi > 0 else F(0) for zi in z]
        r = 2 * (sum(w * ai for w, ai in zip(s["W2"], a, strict=True)) + s["b2"][0] - y) / M
        g["b2"][0] += r
        for i in range(H):
            g["W2"][i] += r * a[i]
            g["W1"][i] += r * s["W2"][i] * d[i] * x
            g["b1"][i] += r * s["W2"][i] * d[i]
    return g


def replay(s, xs, ys, steps, lr, mu=0, wd=0):
    """[(state, buffer)] for steps 0..steps; buffer None before the first step."""
    out, buf = [(s, None)], None
    for _ in range(steps):
        g = grads(s, xs, ys)
        g = {n: [gi + (wd * pi if n[0] == "W" else 0) for gi, pi in zip(g[n], s[n], strict=True)]
             for n in s}
        buf = g if buf is None else {n: [mu * b + gi for b, gi in zip(buf[n], g[n], strict=True)]
                                     for n in s}
        s = {n: [pi - lr * b for pi, b in zip(s[n], buf[n], strict=True)] for n in s}
        out.append((s, buf))
    return out


def hyper(r):
    """lr, momentum, weight decay of a witness, as Fractions (found or given)."""
    o = r.witness.instance.optimizer
    return _f(o.lr), _f(o.momentum), _f(o.weight_decay)


def problem(layers="1,1,1", batch=1, lr="1/10", **opt):
    return Problem(Network(layers=layers), batch=batch, optimizer=Optimizer(lr, **opt))


# -- the grammar --------------------------------------------------------------------------------

def test_at_and_buf_round_trip():
    for text in ("at(2, W1) != at(1, W1) and after 1: all m: z1[m] < 0",
                 "buf(W1[1,1]) == 0 -> at(1, W1[1,1]) == W1[1,1]",
                 "at(1, loss) - loss < 0", "at(1, at(1, W1)) == at(2, W1)",
                 "lr * grad(W1) == W1 - at(1, W1)"):
        tree = parse(text)
        assert str(tree) == text and parse(str(tree)) == tree


@pytest.mark.parametrize("text, match", [
    ("at(W1) == 0", "column 4: expected a whole number of optimizer steps"),
    ("at(1 W1) == 0", "expected ',' after the number of steps"),
    ("buf(x) == 0", "a parameter name inside buf"),
    ("at(1, W1 == 0", "')' to close at"),
])
def test_at_and_buf_syntax_errors(text, match):
    with pytest.raises(SymgradError, match=re.escape(match)):
        parse(text)


@pytest.mark.parametrize("claim", ["buf(W1) == 0", "lr > 0", "at(1, W1) == W1"])
def test_optimizer_terms_need_an_optimizer(claim):
    with pytest.raises(SymgradError, match="--lr"):
        prove(claim, Network(), batch=1)


def test_buf_names_the_last_steps_buffer():
    # Before any step the buffer is 0; after one plain step it is the gradient of step 0;
    # one update is lr * buf, whatever the momentum.
    assert prove("buf(W1) == 0", problem=problem(momentum="1/2"), timeout=60).verdict == "proved"
    assert prove("after 1: buf(W1) == 0", problem=problem(),
                 timeout=60).verdict == "refuted"
    r = prove("at(1, W1) == W1 - lr * at(1, buf(W1)) and at(1, buf(b2)) == grad(b2)",
              problem=problem(momentum="1/2"), timeout=60)
    assert r.verdict == "proved"


def test_nested_steps_carry_the_buffer():
    # after 1: after 1: is after 2: with the buffer carried along (not restarted), so the
    # checker's two readings agree on a fixed point, and the prover proves them equal.
    inst = Problem(Network(), params={"W1": 1, "b1": -1, "W2": 1, "b2": -1}, x="0; 2; 3",
                   y="-2; 2; 0", optimizer=Optimizer("1/10", "1/2")).instance()
    two = stepped(inst, 2).values["W1"][0][0]
    s0 = {"W1": [F(1)], "b1": [F(-1)], "W2": [F(1)], "b2": [F(-1)]}
    mine = replay(s0, [F(0), F(2), F(3)], [F(-2), F(2), F(0)], 2, F(1, 10), F(1, 2))
    assert _f(two) == mine[2][0]["W1"][0]
    text = f"after 1: after 1: W1 == {two}"
    assert holds(parse(text), inst) is True
    assert prove("at(1, at(1, W1)) == at(2, W1)", problem=problem(momentum="1/2"),
                 timeout=60).verdict == "proved"


# -- 1. momentum: a dead unit's weight keeps moving ---------------------------------------------

def test_with_momentum_a_dead_units_weight_still_moves():
    # By hand: the unit lives at step 0 (z0 > 0, so g0(W1) = r*W2*x can be nonzero), dies at
    # step 1 (g1(W1) = 0), and W1 moves at step 2 by -lr*(mu*g0(W1) + 0) != 0.
    r = find("at(2, W1) != at(1, W1) and after 1: (all m: z1[m] < 0)",
             problem=problem(momentum="9/10"), timeout=60)
    assert r.verdict == "found" and r.checked
    lr, mu, wd = hyper(r)
    xs, ys = data_of(r.witness.instance)
    traj = replay(state_of(r.witness.instance), xs, ys, 2, lr, mu, wd)
    (s1, _), (s2, buf2) = traj[1], traj[2]
    assert all(z < 0 for x in xs for z in z_of(s1, x))      # dead after one step
    assert grads(s1, xs, ys)["W1"] == [0]                      # no gradient there
    assert s2["W1"] != s1["W1"] and buf2["W1"] != [0]         # yet W1 moves
    # the printed trajectory is the same as this file's
    printed = r.to_json()["witness"]["trajectory"]
    assert [[_f(v) for v in t["params"]["W1"][0]] for t in printed] == \
        [s["W1"] for s, _ in traj]


def test_without_momentum_a_dead_units_weight_does_not_move():
    # By hand: dead on every sample at step 1 means dL/dz1 = 0, so g1(W1) = 0 and, with
    # buf = g (no momentum, no decay), W1 stays: impossible.
    r = find("at(2, W1) != at(1, W1) and after 1: (all m: z1[m] < 0)", problem=problem(batch="1..2"),
             timeout=60)
    assert r.verdict == "impossible"


def test_a_fresh_dead_unit_stays_dead_with_momentum_by_a_strengthened_invariant():
    # By hand: dead on all samples => grad(W1) = grad(b1) = 0 and a1 = 0 => grad(W2) = 0.
    # From a fresh optimizer every buffer is 0, so buf(W1) = buf(b1) = buf(W2) = 0 holds at
    # the start and is kept (mu*0 + 0), W1 and b1 never move, z1 never changes.  The plain
    # body is not inductive (a free buffer moves W1), so the prover must strengthen.
    r = prove("(all m: z1[m] < 0) -> always: (all m: z1[m] < 0) and grad(W1) == 0",
              problem=problem(batch=2, momentum="9/10"), timeout=60)
    assert r.verdict == "proved" and r.method == "induction"
    inv = r.certificate["invariant"]
    assert "buf(W1) == 0" in inv and "buf(b1) == 0" in inv and "strengthening" in r.certificate


def test_momentum_can_revive_a_unit_that_died_after_a_live_step():
    # By hand, one sample: while dead (steps >= 1) g(W1) = g(b1) = 0, so buf_k = mu^(k-1)*g0
    # and z2 - z1 = mu*(z1 - z0).  If z0 <= 0 then g0 = 0 and z2 = z1 < 0; if z0 > 0 > z1 then
    # z1 - z0 < 0 and z2 < z1 < 0.  So with M = 1 it is impossible.  With two samples the
    # first step can raise z for a sample it does not train on (x of the other sign), and the
    # buffer keeps raising it: found at M = 2.
    r = find("(after 1: all m: z1[m] < 0) and (after 2: any m: z1[m] > 0)",
             problem=problem(batch="1..2", momentum="9/10"), timeout=60)
    assert [s.verdict for s in r.sizes] == ["impossible", "found"] and r.checked
    lr, mu, wd = hyper(r)
    xs, ys = data_of(r.witness.instance)
    traj = replay(state_of(r.witness.instance), xs, ys, 2, lr, mu, wd)
    assert all(z < 0 for x in xs for z in z_of(traj[1][0], x))
    assert any(z > 0 for x in xs for z in z_of(traj[2][0], x))
    assert grads(traj[1][0], xs, ys)["W1"] == [0]


def test_induction_from_a_later_step_sees_the_leftover_buffer():
    # The same question as an induction from step 1: the base is trivial, the plain step
    # fails, the strengthening's base fails (the buffer left from step 0 is not 0), and the
    # trajectory search finds the revival after 2 steps.
    r = prove("(after 1: all m: z1[m] < 0) -> after 1: always: (all m: z1[m] < 0)",
              problem=problem(batch=2, momentum="9/10"), timeout=60)
    assert r.verdict == "refuted" and r.checked and "after 2 step" in r.note
    lr, mu, wd = hyper(r)
    xs, ys = data_of(r.witness.instance)
    traj = replay(state_of(r.witness.instance), xs, ys, 2, lr, mu, wd)
    assert all(z < 0 for x in xs for z in z_of(traj[1][0], x))
    assert not all(z < 0 for x in xs for z in z_of(traj[2][0], x))


def test_one_dead_unit_of_two_stays_dead_with_momentum_1_2_1():
    # By hand, unit 1 of a 1-2-1 net dead on every sample: its row of W1, its b1 entry and
    # its W2 entry get gradient 0 (the other unit's do not), so the strengthening must be
    # entrywise: buf(W1[1,1]) == 0, buf(b1[1]) == 0, buf(W2[1,1]) == 0.
    r = prove("(all m: z1[m,1] < 0) -> always: (all m: z1[m,1] < 0)",
              problem=problem(layers="1,2,1", batch=1, momentum="1/2"), timeout=60)
    assert r.verdict == "proved"
    inv = r.certificate["invariant"]
    assert "buf(W1[1,1]) == 0" in inv and "buf(b1[1]) == 0" in inv and "buf(W1[2,1])" not in inv


# -- 2. free learning rates and decay strengths ---------------------------------------------------

def test_a_dead_relu_stays_dead_for_every_learning_rate():
    # By hand: dead on all samples => dL/dz1 = 0 => grad(W1) = grad(b1) = 0 => W1, b1 stay,
    # whatever lr > 0 is; so z1 stays negative at every step.
    for layers, claim in (("1,1,1", "(all m: z1[m] < 0) -> always: (all m: z1[m] < 0) and "
                                    "grad(W1) == 0"),
                          ("1,2,1", "(all m: z1[m,1] < 0) -> always: (all m: z1[m,1] < 0) and "
                                    "grad(W1[1]) == 0 and grad(b1[1]) == 0")):
        r = prove(claim, problem=problem(layers=layers, batch=2, lr="free"), timeout=60)
        assert r.verdict == "proved" and r.method == "induction", (layers, r.reason)
        assert "lr" in r.free


@pytest.mark.parametrize("layers", ["1,1,1", "1,2,1"])
def test_weight_decay_revives_a_dead_relu_for_some_lr_and_decay(layers):
    # By hand: while dead, W1 -> (1 - lr*wd) W1 and b1 stays (biases are not decayed), so
    # z = W1 x + b1 moves toward b1; with b1 >= 0 > W1 x (or lr*wd > 1, flipping W1) the
    # unit comes alive.  So "stays dead" is refuted for some lr > 0, wd >= 0.
    r = prove("(all m: z1[m] < 0) -> always: (all m: z1[m] < 0)",
              problem=problem(layers=layers, batch=1, lr="free", weight_decay="free"),
              timeout=60)
    assert r.verdict == "refuted" and r.checked
    lr, mu, wd = hyper(r)
    assert lr > 0 and wd > 0 and mu == 0
    xs, ys = data_of(r.witness.instance)
    traj = replay(state_of(r.witness.instance), xs, ys, 3, lr, mu, wd)
    assert all(z < 0 for x in xs for z in z_of(traj[0][0], x))
    assert any(z >= 0 for s, _ in traj[1:] for x in xs for z in z_of(s, x))
    assert r.to_json()["counterexample"]["optimizer"]["lr"] == str(lr)


def test_weight_decay_at_a_given_rate_and_every_strength():
    # lr = 1/10 given, weight_decay > 0 free: W1 -> (1 - wd/10) W1 can still revive the unit
    # (b1 > 0, W1 x < -b1, then shrink W1 x past -b1): refuted with some wd > 0.
    r = prove("weight_decay > 0 and (all m: z1[m] < 0) -> always: (all m: z1[m] < 0)",
              problem=problem(weight_decay="free"), timeout=60)
    assert r.verdict == "refuted" and r.checked
    lr, mu, wd = hyper(r)
    assert lr == F(1, 10) and wd > 0
    xs, ys = data_of(r.witness.instance)
    traj = replay(state_of(r.witness.instance), xs, ys, 3, lr, mu, wd)
    assert any(z >= 0 for s, _ in traj[1:] for x in xs for z in z_of(s, x))


def test_free_momentum_is_found_inside_its_range():
    r = find("at(2, W1) != at(1, W1) and after 1: (all m: z1[m] < 0)",
             problem=problem(momentum="free"), timeout=60)
    assert r.verdict == "found" and r.checked
    lr, mu, wd = hyper(r)
    assert 0 < mu < 1  # mu = 0 cannot move a dead unit (the test above)
    xs, ys = data_of(r.witness.instance)
    traj = replay(state_of(r.witness.instance), xs, ys, 2, lr, mu, wd)
    assert traj[2][0]["W1"] != traj[1][0]["W1"]
    assert all(z < 0 for x in xs for z in z_of(traj[1][0], x))


def test_the_checker_rejects_hyperparameters_out_of_range():
    base = dict(params={"W1": 1, "b1": 0, "W2": 1, "b2": 0}, x="1", y="0")
    free = Problem(Network(), optimizer=Optimizer("free"), **base).instance()
    (lr,) = free.free
    for bad in (0, -1):
        assert holds(parse("true"), free.substitute({lr: sp.Integer(bad)})) is None
    assert holds(parse("true"), free.substitute({lr: sp.Rational(1, 2)})) is True
    mom = Problem(Network(), optimizer=Optimizer("1", momentum="free"), **base).instance()
    assert holds(parse("true"), mom.substitute({mom.free[0]: sp.Integer(1)})) is None
    assert holds(parse("true"), mom.substitute({mom.free[0]: sp.Integer(0)})) is True
    given = Problem(Network(), optimizer=Optimizer("1", momentum="2"), **base).instance()
    assert holds(parse("true"), given) is True  # a given momentum >= 1 is the user's choice


def test_free_is_only_for_the_prover():
    from symgrad.train import train
    with pytest.raises(SymgradError, match="free"):
        train(Problem(Network(), params={"W1": 1, "b1": 0, "W2": 1, "b2": 0}, x="1", y="0"),
              steps=1, lr="free")


def test_cli_free_lr_json(capsys):
    code = main(["prove", "(all m: z1[m] < 0) -> always: (all m: z1[m] < 0)", "--lr", "free",
                 "--weight-decay", "free", "--format", "json", "--timeout", "60"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1 and out["verdict"] == "refuted" and out["checked"]
    assert out["optimizer"]["lr"] == "free"
    cex = out["counterexample"]
    lr, wd = F(cex["optimizer"]["lr"]), F(cex["optimizer"]["weight_decay"])
    s0 = {"W1": [F(cex["params"]["W1"][0][0])], "b1": [F(cex["params"]["b1"][0])],
          "W2": [F(cex["params"]["W2"][0][0])], "b2": [F(cex["params"]["b2"][0])]}
    xs = [F(x[0]) for x in cex["data"]["x"]]
    ys = [F(y[0]) for y in cex["data"]["y"]]
    traj = replay(s0, xs, ys, len(cex["trajectory"]) - 1, lr, F(0), wd)
    for printed, (mine, _) in zip(cex["trajectory"], traj, strict=True):
        assert F(printed["params"]["W1"][0][0]) == mine["W1"][0]
        assert F(printed["params"]["b1"][0]) == mine["b1"][0]


def test_with_momentum_a_dead_units_weight_still_moves_1_2_1():
    # The same as for 1-1-1, for unit 1 of two: dead after step 1 (its gradients are 0
    # there), its incoming weight still moves at step 2 because its buffer holds mu*g0.
    r = find("at(2, W1[1,1]) != at(1, W1[1,1]) and after 1: (all m: z1[m,1] < 0)",
             problem=problem(layers="1,2,1", momentum="1/2"), timeout=60)
    assert r.verdict == "found" and r.checked
    lr, mu, wd = hyper(r)
    xs, ys = data_of(r.witness.instance)
    traj = replay(state_of(r.witness.instance), xs, ys, 2, lr, mu, wd)
    (s1, _), (s2, buf2) = traj[1], traj[2]
    assert all(z_of(s1, x)[0] < 0 for x in xs)
    assert grads(s1, xs, ys)["W1"][0] == 0 and grads(s1, xs, ys)["b1"][0] == 0
    assert s2["W1"][0] != s1["W1"][0] and buf2["W1"][0] != 0
