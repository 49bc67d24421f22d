"""Independent oracles for the tests, written without symgrad's reverse mode."""

from __future__ import annotations

import sympy as sp


def act_value(name, z, slope):
    """The activation as a plain SymPy expression (Max for the kinks)."""
    return {
        "relu": lambda: sp.Max(0, z),
        "leaky_relu": lambda: sp.Max(0, z) + slope * sp.Min(0, z),
        "identity": lambda: z,
        "tanh": lambda: sp.tanh(z),
        "sigmoid": lambda: 1 / (1 + sp.exp(-z)),
        "softplus": lambda: sp.log(1 + sp.exp(z)),
    }[name]()


def forward(net, params, xm):
    """(hidden pre-activations, outputs) of one sample, as plain SymPy expressions."""
    a, hidden = list(xm), []
    for l in range(1, net.depth + 1):
        W, b = params[f"W{l}"], params[f"b{l}"]
        z = [sum(W[i][j] * a[j] for j in range(len(a))) + b[i] for i in range(len(b))]
        if l < net.depth:
            hidden.extend(z)
        name = net.out if l == net.depth else net.act
        a = [act_value(name, zi, net.slope) for zi in z]
    return hidden, a


def loss_expression(net, params, x, y):
    """The reduced loss as one SymPy expression of the values given (symbols allowed)."""
    total = 0
    for xm, ym in zip(x, y, strict=True):
        _, a = forward(net, params, xm)
        for p, t in zip(a, ym, strict=True):
            if net.loss == "mse":
                total += (p - t) ** 2
            else:
                total += -(t * sp.log(p) + (1 - t) * sp.log(1 - p))
    n = len(x) * net.n_out if net.reduction == "mean" else 1
    return total / n


def pre_activations(net, params, x):
    """Every hidden pre-activation value, for checking that a point is away from kinks."""
    return [z for xm in x for z in forward(net, params, xm)[0]]


def predictions(net, params, x):
    """The network's output for every sample."""
    return [forward(net, params, xm)[1] for xm in x]
