"""Smooth activations in the prover: proofs that use the activation's facts or none at all,
and witnesses in closed form (tanh(1), exp(2), log(1 + E)) that survive a JSON round trip
and are re-checked here, with an oracle of this file's own (sympy.diff of the plain loss)."""

from __future__ import annotations

import json

import pytest
import sympy as sp
from oracles import loss_expression

from symgrad import Network, find, prove

SMOOTH = ["tanh", "sigmoid", "softplus"]


def read_back(witness_json):
    """Parameters and data from the JSON strings, through SymPy's own parser."""
    def conv(t):
        return [conv(e) for e in t] if isinstance(t, list) else sp.parse_expr(t)
    params = {k: conv(v) for k, v in witness_json["params"].items()}
    return params, conv(witness_json["data"]["x"]), conv(witness_json["data"]["y"])


def oracle_gradient(net, params, x, y, name, idx):
    t = sp.Symbol("t")
    p = {k: [list(r) if isinstance(r, list) else r for r in v] for k, v in params.items()}
    value = p[name][idx[0]][idx[1]] if len(idx) == 2 else p[name][idx[0]]
    if len(idx) == 2:
        p[name][idx[0]][idx[1]] = t
    else:
        p[name][idx[0]] = t
    return sp.diff(loss_expression(net, p, x, y), t).subs(t, value)


def numerically(value, digits=60):
    return sp.N(value, digits)


@pytest.mark.parametrize("act", SMOOTH)
def test_single_sample_claim_is_proved_for_every_activation(act):
    r = prove("grad(b2) == 0 -> grad(W1) == 0 and grad(b1) == 0", Network(act=act), batch=1,
              timeout=30)
    assert r.verdict == "proved"
    assert r.method == "certificate"


@pytest.mark.parametrize("act", SMOOTH)
def test_batch_claim_is_refuted_with_a_closed_form_witness_that_round_trips(act):
    net = Network(act=act)
    r = prove("grad(b2) == 0 -> grad(W1) == 0", net, batch=3, timeout=60)
    assert r.verdict == "refuted" and r.checked
    data = json.loads(r.render("json"))
    params, x, y = read_back(data["counterexample"])
    g_b2 = oracle_gradient(net, params, x, y, "b2", (0,))
    g_w1 = oracle_gradient(net, params, x, y, "W1", (0, 0))
    assert abs(numerically(g_b2)) < 1e-50
    assert abs(numerically(g_w1)) > 1e-6
    # the printed gradients are the oracle's, to 60 digits
    printed = sp.parse_expr(data["counterexample"]["gradients"]["W1"][0][0])
    assert abs(numerically(printed - g_w1)) < 1e-50


def test_tanh_seed_002_smallest_batch_is_three():
    r = find("grad(b2) == 0 and grad(W2) == 0 and grad(W1) != 0 and grad(b1) != 0",
             Network(act="tanh"), batch="1..3", timeout=60)
    assert [s.verdict for s in r.sizes] == ["impossible", "impossible", "found"]
    assert r.checked
    # M = 2 is impossible by the abstraction, which must name the facts it used
    assert "monotone" in str(r.to_json()["sizes"]) or r.sizes[1].method == "smt"


def test_tanh_zero_weights_and_biases_kill_the_output_weight_gradient():
    r = prove("W1 == 0 and W2 == 0 and b1 == 0 -> grad(W2) == 0",
              Network(layers="1,2,1", act="tanh"), batch=2, timeout=30)
    assert r.verdict == "proved"


def test_sigmoid_zero_weights_do_not_kill_the_output_weight_gradient():
    # sigmoid(0) = 1/2, so a1 = 1/2 and grad(W2) = residual/2: not zero in general
    r = prove("W1 == 0 and W2 == 0 and b1 == 0 -> grad(W2) == 0",
              Network(layers="1,2,1", act="sigmoid"), batch=1, timeout=30)
    assert r.verdict == "refuted" and r.checked


def test_facts_are_named_in_the_evidence():
    r = prove("b1 == 0 and W1 == 0 -> grad(W2) == 0", Network(act="tanh"), batch=1, timeout=30)
    assert r.verdict == "proved"
    if r.method == "smt":
        assert "tanh_sign" in r.certificate["encoding"]
