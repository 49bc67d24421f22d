"""Hypothesis strategies shared by the tests: networks, exact values, instances."""

from __future__ import annotations

import sympy as sp
from hypothesis import strategies as st

from symgrad.network import Network

ACTS = ("relu", "leaky_relu", "tanh", "sigmoid", "softplus", "identity")
PL_ACTS = ("relu", "leaky_relu", "identity")


@st.composite
def rationals(draw, max_num=6, max_den=4):
    p = draw(st.integers(-max_num, max_num))
    q = draw(st.integers(1, max_den))
    return sp.Rational(p, q)


@st.composite
def networks(draw, acts=ACTS, max_depth=3, max_width=4, losses=("mse", "bce")):
    depth = draw(st.integers(1, max_depth))
    layers = tuple(draw(st.integers(1, max_width)) for _ in range(depth + 1))
    act = draw(st.sampled_from(acts))
    loss = draw(st.sampled_from(losses))
    out = "sigmoid" if loss == "bce" else draw(st.sampled_from(("identity", "sigmoid")))
    if acts == PL_ACTS:
        out = "identity"
    return Network(
        layers=layers, act=act, out=out, loss=loss,
        reduction=draw(st.sampled_from(("mean", "sum"))),
        relu_grad_at_zero=draw(st.sampled_from((sp.Integer(0), sp.Integer(1), sp.Rational(1, 2)))),
        slope=draw(st.sampled_from((sp.Rational(1, 100), sp.Rational(1, 3), sp.Integer(2)))),
    )


def tensor(draw, shape, elements):
    if len(shape) == 2:
        return [[draw(elements) for _ in range(shape[1])] for _ in range(shape[0])]
    return [draw(elements) for _ in range(shape[0])]


@st.composite
def fixed_problems(draw, nets=None, max_batch=3, labels01=False):
    """(network, params, x, y): everything fixed, small rationals."""
    net = draw(nets if nets is not None else networks())
    M = draw(st.integers(1, max_batch))
    params = {n: tensor(draw, net.shape(n), rationals()) for n in net.param_names}
    x = [[draw(rationals()) for _ in range(net.n_in)] for _ in range(M)]
    ys = st.sampled_from((sp.Integer(0), sp.Integer(1), sp.Rational(1, 3))) \
        if net.loss == "bce" else rationals()
    y = [[draw(ys) for _ in range(net.n_out)] for _ in range(M)]
    return net, params, x, y
