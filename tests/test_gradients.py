"""Exact gradients against independent oracles: sympy.diff of the plain loss, exact
central differences of piecewise-linear nets, and the relu'(0) convention at a kink."""

from __future__ import annotations

import copy

import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from oracles import loss_expression, pre_activations
from strategies import PL_ACTS, fixed_problems, networks

from symgrad import Network, Problem, backprop, fastexact, gradients

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def entries(net):
    for name in net.param_names:
        shape = net.shape(name)
        if len(shape) == 2:
            for i in range(shape[0]):
                for j in range(shape[1]):
                    yield name, (i, j)
        else:
            for i in range(shape[0]):
                yield name, (i,)


def get(t, idx):
    return t[idx[0]][idx[1]] if len(idx) == 2 else t[idx[0]]


def with_entry(params, name, idx, value):
    out = copy.deepcopy(params)
    if len(idx) == 2:
        out[name][idx[0]][idx[1]] = value
    else:
        out[name][idx[0]] = value
    return out


def same(a, b):
    """Exact equality for rationals; 60-digit agreement for transcendental values."""
    if a.is_Rational and b.is_Rational:
        return a == b
    diff = sp.N(a - b, 60)
    return abs(diff) < sp.Float("1e-45")


@SETTINGS
@given(fixed_problems(nets=networks(max_width=3), max_batch=2))
def test_matches_diff_of_the_plain_loss(problem):
    net, params, x, y = problem
    if net.act in ("relu", "leaky_relu") and net.depth > 1:
        assume(all(z != 0 for z in pre_activations(net, params, x)))
    result = gradients(net, params=params, x=x, y=y)
    t = sp.Symbol("t", real=True)
    for name, idx in entries(net):
        value = get(params[name], idx)
        loss = loss_expression(net, with_entry(params, name, idx, t), x, y)
        expected = sp.diff(loss, t).subs(t, value)
        assert same(get(result[name], idx), expected), (name, idx)


@SETTINGS
@given(fixed_problems(nets=networks(acts=PL_ACTS, losses=("mse",))))
def test_piecewise_linear_nets_match_exact_central_differences(problem):
    """Along one parameter the loss of a ReLU net is quadratic inside an activation
    region, so a central difference there is the derivative exactly."""
    net, params, x, y = problem
    h = sp.Rational(1, 10**9)
    result = gradients(net, params=params, x=x, y=y)
    for name, idx in entries(net):
        value = get(params[name], idx)
        plus = with_entry(params, name, idx, value + h)
        minus = with_entry(params, name, idx, value - h)
        zs = [pre_activations(net, p, x) for p in (params, plus, minus)]
        signs = [[sp.sign(z) for z in zz] for zz in zs]
        assume(signs[0] == signs[1] == signs[2] and 0 not in signs[0])
        quotient = (loss_expression(net, plus, x, y) - loss_expression(net, minus, x, y)) / (2 * h)
        assert get(result[name], idx) == quotient


@pytest.mark.parametrize("c", [sp.Integer(0), sp.Integer(1), sp.Rational(1, 2), sp.Rational(-3, 7)])
def test_relu_derivative_at_zero_follows_the_convention(c):
    # z1 = W1*x + b1 = 0 exactly; dL/dz2 = 2*(W2*0 + b2 - y) = 2*(1 - 0) = 2
    net = Network(relu_grad_at_zero=c)
    g = gradients(net, params={"W1": 1, "b1": 0, "W2": 3, "b2": 1}, x="0", y="0")
    assert g["b1"] == [2 * 3 * c]
    assert g["W2"] == [[0]]
    assert g["b2"] == [2]


def test_symbolic_relu_never_uses_heaviside_half():
    net = Network(relu_grad_at_zero="1/3")
    g = gradients(net, params={"W2": 1, "b2": 0}, x="1", y="0")
    formula = g["b1"][0]
    assert not formula.has(sp.Heaviside)
    W1, b1 = sp.symbols("W1 b1", real=True)
    at_kink = formula.subs({W1: 1, b1: -1})
    assert at_kink == sp.Rational(0)  # z1 = 0: a1 = 0 so dL/dz2 = 0
    g2 = gradients(net, params={"W2": 1, "b2": 1}, x="1", y="0")
    assert g2["b1"][0].subs({W1: 1, b1: -1}) == sp.Rational(2, 3)  # 2 * 1 * 1/3


def test_seed_002_example():
    g = gradients(Network(), params={"W1": 1, "b1": -1, "W2": 1, "b2": -1},
                  x="0; 2; 3", y="-2; 2; 0")
    assert g.grads == {"W1": [[sp.Rational(-2, 3)]], "b1": [sp.Rational(-2, 3)],
                       "W2": [[0]], "b2": [0]}


@SETTINGS
@given(fixed_problems(nets=networks(acts=PL_ACTS, losses=("mse",)), max_batch=4))
def test_fast_path_agrees_with_the_general_pass(problem):
    net, params, x, y = problem
    inst = Problem(net, params=params, x=x, y=y).instance()
    assert fastexact.applies(inst)
    assert fastexact.gradients(inst) == backprop.run(inst, backprop.SympyOps()).grads


@given(st.integers(60, 200))
@settings(max_examples=10, deadline=None)
def test_fast_path_switches_to_big_integers_instead_of_overflowing(bits):
    big = sp.Integer(2) ** bits + 1
    net = Network(layers="1,2,1")
    params = {"W1": [[big], [-big]], "b1": [sp.Rational(1, 3), 1], "W2": [[big, 1]], "b2": [big]}
    inst = Problem(net, params=params, x=[[big], [sp.Rational(1, 7)]], y=[[1], [big]]).instance()
    assert fastexact.gradients(inst) == backprop.run(inst, backprop.SympyOps()).grads


def test_mean_is_over_batch_times_outputs_and_sum_is_plain():
    params = {"W1": [[1], [1]], "b1": [0, 0]}
    mean = gradients(Network(layers="1,2"), params=params, x="1; 1", y="0,0; 0,0")
    total = gradients(Network(layers="1,2", reduction="sum"), params=params, x="1; 1",
                      y="0,0; 0,0")
    assert total["b1"] == [4, 4]  # 2 samples, each 2*(1-0)
    assert mean["b1"] == [1, 1]  # divided by 2 samples x 2 outputs


def test_bce_with_sigmoid_output_has_residual_form():
    g = gradients(Network(layers="1,1", out="sigmoid", loss="bce"),
                  params={"W1": 0, "b1": 0}, x="3", y="1")
    assert g["b1"] == [sp.Rational(-1, 2)]  # sigmoid(0) - 1
    assert g["W1"] == [[sp.Rational(-3, 2)]]


def test_free_values_give_formulas_in_named_symbols():
    g = gradients(Network(layers="1,1"), batch=1)
    W1, b1, x1, y1 = sp.symbols("W1 b1 x_1 y_1", real=True)
    assert sp.expand(g["b1"][0] - 2 * (W1 * x1 + b1 - y1)) == 0


@given(st.lists(st.integers(-(2**61), 2**61), min_size=8, max_size=8), st.integers(1, 40))
@settings(max_examples=25, deadline=None)
def test_fast_path_limb_products_are_exact(values, M):
    """int64 operands whose products overflow 64 bits go through 31-bit-or-smaller limbs."""
    v = [sp.Integer(t) for t in values]
    net = Network(layers="1,2,1")
    params = {"W1": [[v[0]], [v[1]]], "b1": [v[2], v[3]], "W2": [[v[4], v[5]]], "b2": [v[6]]}
    x = [[v[7] // (m + 1)] for m in range(M)]
    y = [[sp.Integer(m)] for m in range(M)]
    inst = Problem(net, params=params, x=x, y=y).instance()
    assert fastexact.gradients(inst) == backprop.run(inst, backprop.SympyOps()).grads


def test_fast_path_with_a_huge_denominator_and_an_all_zero_tensor():
    """A layer whose values are all 0 over a denominator beyond int64 (found by the float
    audit's search: the gcd of zeros is the denominator itself)."""
    tiny = sp.Rational(1, 2**200)
    net = Network(layers="1,2,1")
    params = {"W1": [[tiny], [-tiny]], "b1": [-tiny, -tiny], "W2": [[tiny, 1]], "b2": [tiny]}
    inst = Problem(net, params=params, x=[[1], [sp.Rational(1, 3)]], y=[[0], [1]]).instance()
    assert fastexact.gradients(inst) == backprop.run(inst, backprop.SympyOps()).grads
