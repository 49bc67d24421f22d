"""BCE with hard labels: ``find`` reaches witnesses through the output's exact inverse.

Every witness is read back from the JSON through SymPy's own parser and re-checked here
without symgrad: the labels are 0 or 1, the predictions computed by this file's forward
pass are the rationals the closed forms were built for, and the gradients come from
``sympy.diff`` of an independently written loss (tests/oracles.py); zeros are confirmed
exactly, nonzeros with a wide margin at 50 digits.
"""

from __future__ import annotations

import json
import random

import pytest
import sympy as sp
from oracles import loss_expression, predictions

from symgrad import Network, Problem, check, find
from symgrad.claims import parse
from symgrad.prover.formula import Atom, Junction, branch, branches

HARD = "(all m: y[m] == 0 or y[m] == 1)"
SEED = HARD + " and grad(b{L}) == 0 and grad(W{L}) == 0 and grad(W1) != 0"


def read_back(witness):
    def conv(t):
        return [conv(e) for e in t] if isinstance(t, list) else sp.parse_expr(t)
    params = {k: conv(v) for k, v in witness["params"].items()}
    return params, conv(witness["data"]["x"]), conv(witness["data"]["y"])


def oracle_gradient(net, params, x, y, name):
    """d loss / d every entry of ``name``, by sympy.diff of the plain loss expression."""
    p = {k: [list(r) if isinstance(r, list) else r for r in v] for k, v in params.items()}
    entries = [(i, j) for i in range(len(p[name])) for j in range(len(p[name][0]))] \
        if isinstance(p[name][0], list) else [(i,) for i in range(len(p[name]))]
    out = []
    for idx in entries:
        t = sp.Symbol("t")
        q = {k: [list(r) if isinstance(r, list) else r for r in v] for k, v in p.items()}
        if len(idx) == 2:
            value, q[name][idx[0]][idx[1]] = q[name][idx[0]][idx[1]], t
        else:
            value, q[name][idx[0]] = q[name][idx[0]], t
        out.append(sp.diff(loss_expression(net, q, x, y), t).subs(t, value))
    return out


def exactly_zero(g) -> bool:
    """Zero by exact simplification (SymPy's rewrites preserve value), and to 50 digits."""
    return sp.simplify(g) == 0 and abs(sp.N(g, 50)) < sp.Rational(1, 10**45)


def clearly_nonzero(gs) -> bool:
    return any(abs(sp.N(g, 50)) > sp.Rational(1, 10**6) for g in gs)


def verify_hard_label_witness(net, r, L):
    """Re-check the found witness of SEED from its JSON, independently of symgrad."""
    data = json.loads(r.render("json"))
    assert data["verdict"] == "found" and data["checked"] is True
    params, x, y = read_back(data["witness"])
    assert all(t in (0, 1) for row in y for t in row)
    for row in predictions(net, params, x):
        for p in row:
            p = p if p.is_Rational else sp.simplify(p)
            assert p.is_Rational and 0 < p < 1  # the closed forms give exact probabilities
    assert all(exactly_zero(g) for g in oracle_gradient(net, params, x, y, f"b{L}"))
    assert all(exactly_zero(g) for g in oracle_gradient(net, params, x, y, f"W{L}"))
    assert clearly_nonzero(oracle_gradient(net, params, x, y, "W1"))
    return params, x, y


@pytest.mark.parametrize("act,layers", [("tanh", "1,1,1"), ("sigmoid", "1,1,1"),
                                        ("softplus", "2,3,1"), ("relu", "1,2,1")])
def test_hard_labels_find_a_checked_witness_at_two_samples(act, layers):
    net = Network(layers=layers, act=act, out="sigmoid", loss="bce")
    r = find(SEED.format(L=2), net, batch="1..3", timeout=40)
    assert [s.verdict for s in r.sizes] == ["impossible", "found"]
    assert r.method == "inverse"
    verify_hard_label_witness(net, r, 2)


def test_a_deeper_net_gets_a_witness_too():
    net = Network(layers="1,2,2,1", act="tanh", out="sigmoid", loss="bce")
    r = find(SEED.format(L=3), net, batch="2", timeout=40)
    assert r.verdict == "found"
    verify_hard_label_witness(net, r, 3)


def test_forced_probability_two_thirds_puts_log_2_in_the_witness():
    # two labels 1 and one 0 with grad(b2) = 0 and one shared hidden value: p = 2/3,
    # so the output bias carries logit(2/3) = log(2)
    net = Network(layers="1,1,1", act="tanh", out="sigmoid", loss="bce")
    r = find(SEED.format(L=2) + " and y[1] == 1 and y[2] == 1", net, batch=3, timeout=40)
    assert r.verdict == "found"
    b2 = r.to_json()["witness"]["params"]["b2"][0]
    assert "log(2)" in b2
    params, x, y = verify_hard_label_witness(net, r, 2)
    assert [row[0] for row in y] == [1, 1, 0]


def test_one_sample_with_hard_labels_is_impossible_by_the_sigmoid_range():
    net = Network(act="sigmoid", out="sigmoid", loss="bce")
    r = find(HARD + " and grad(b2) == 0", net, batch=1, timeout=20)
    assert r.verdict == "impossible"
    assert "sigmoid_range" in r.certificate["encoding"]


def test_the_checker_rejects_a_nudged_witness():
    net = Network(layers="1,1,1", act="tanh", out="sigmoid", loss="bce")
    claim = parse(SEED.format(L=2))
    r = find(claim, net, batch=2, timeout=40)
    inst = r.witness.instance
    assert check.holds(claim, inst) is True
    b2 = inst.values["b2"][0]
    nudged = Problem(net, params={**inst.params, "b2": [b2 + sp.Rational(1, 1000)]},
                     x=inst.values["x"], y=inst.values["y"]).instance()
    assert check.holds(claim, nudged) is False


def test_mse_with_a_sigmoid_output_is_solved_through_logit_as_well():
    # dL/dz = 2 (p - y) p (1 - p): nonlinear in p, solved after choosing values
    net = Network(layers="1,1,1", act="tanh", out="sigmoid", loss="mse")
    r = find("grad(b2) == 0 and grad(W2) == 0 and grad(W1) != 0", net, batch="1..2",
             timeout=40)
    assert r.verdict == "found" and r.checked
    params, x, y = read_back(json.loads(r.render("json"))["witness"])
    assert all(exactly_zero(g) for g in oracle_gradient(net, params, x, y, "b2"))
    assert clearly_nonzero(oracle_gradient(net, params, x, y, "W1"))


def test_branches_enumerate_small_formulas_and_sample_large_ones():
    a, b, c = (Atom("==", sp.Symbol(n), 0) for n in "abc")
    f = Junction("and", (Junction("or", (a, b)), c))
    assert branches(f, random.Random(1), 4) == [[a, c], [b, c]]
    big = Junction("and", tuple(Junction("or", (Atom("==", sp.Symbol(f"u{i}"), 0),
                                                Atom("==", sp.Symbol(f"u{i}"), 1)))
                                for i in range(10)))
    sampled = branches(big, random.Random(1), 5, limit=64)
    assert 1 <= len(sampled) <= 5 and all(len(s) == 10 for s in sampled)
    assert len(branch(big, random.Random(2))) == 10


def test_when_the_output_layer_cannot_fit_the_samples_the_reason_says_so():
    # 1-1-1 sigmoid net: grad(b1) != 0 as well needs three distinct hidden values whose
    # logits are collinear, which choosing rational probabilities does not reach
    from symgrad.prover import inverse
    from symgrad.prover.outcome import Budget, Unknown
    net = Network(act="sigmoid", out="sigmoid", loss="bce")
    claim = parse(SEED.format(L=2) + " and grad(b1) != 0")
    out = inverse.run(claim, Problem(net, batch=3).instance(3), True, Budget(20), trials=12)
    assert isinstance(out, Unknown)
    assert "more distinct hidden values" in out.reason


def test_a_closed_form_value_is_compared_with_the_range_by_certified_signs():
    # found by the smooth property test: a candidate value such as this one made
    # SymPy raise "cannot determine truth value of Relational" inside the search
    from symgrad.activations import resolve
    from symgrad.prover.inverse import _in_range
    t1, t3 = sp.tanh(1), sp.tanh(3)
    q = (1 - t3**2) / (2 * (-1 + t1**2)) + (-1 + t3**2) / (2 * (-1 + t1**2))
    assert _in_range(resolve("sigmoid"), q) is False  # it is exactly 0: outside (0, 1)
    assert _in_range(resolve("sigmoid"), sp.tanh(1) / 2) is True
    assert _in_range(resolve("sigmoid"), 1 + sp.tanh(1)) is False
