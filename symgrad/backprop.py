"""Reverse mode over the network's structure, one sample at a time, in any number domain.

The pass is written once and runs on whatever values the *ops* object gives it: SymPy
expressions (exact numbers or formulas with Piecewise ReLUs), Z3 terms (for the prover),
or opaque SymPy symbols standing for activation values (for algebraic certificates).
An ops object provides ``act(activation, z, tag) -> (value, derivative)``, ``const(q)``,
``add(terms)`` and ``log(t)``; everything else is ``+ - *``.

>>> from symgrad.network import Network
>>> from symgrad.problem import Problem
>>> inst = Problem(Network(), params={"W1": 1, "b1": -1, "W2": 1, "b2": -1},
...                x="0; 2; 3", y="-2; 2; 0").instance()
>>> run(inst, SympyOps()).grads
{'W1': [[-2/3]], 'b1': [-2/3], 'W2': [[0]], 'b2': [0]}
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from .problem import Instance


class SympyOps:
    """Exact SymPy values; an activation of a free symbol becomes a Piecewise."""

    def const(self, q):
        return q

    def add(self, terms):
        return sp.Add(*terms)

    def act(self, activation, z, tag):
        return activation.value(z), activation.derivative(z)

    def log(self, t):
        return sp.log(t)


@dataclass
class Pass:
    """Per-sample layer values and the batch gradients; ``z[l][m][i]`` is 0-based."""

    z: list  # z[l-1][m] -> list over units, l = 1..L
    a: list  # a[l][m]: a[0] is the input x
    d: list  # d[l-1][m]: the activation's derivative at z
    y: list
    params: dict
    grads: dict
    scale: object
    ops: object = field(repr=False)

    def loss(self, net):
        """The reduced loss (mse or bce), in the ops domain."""
        ops = self.ops
        terms = []
        for aL, ym in zip(self.a[-1], self.y, strict=True):
            for p, t in zip(aL, ym, strict=True):
                if net.loss == "mse":
                    terms.append((p - t) * (p - t))
                else:
                    one = ops.const(sp.Integer(1))
                    terms.append(-(t * ops.log(p) + (one - t) * ops.log(one - p)))
        return self.scale * ops.add(terms)


def run(inst: Instance, ops) -> Pass:
    """Forward and reverse pass over every sample of the instance."""
    net = inst.network
    L = net.depth
    P = {k: _const(v, ops) for k, v in inst.params.items()}
    acts = [net.activation(l) for l in range(1, L + 1)]
    n_total = inst.batch * net.n_out if net.reduction == "mean" else 1
    scale = ops.const(sp.Rational(1, n_total))
    zs = [[] for _ in range(L)]
    ds = [[] for _ in range(L)]
    As = [[] for _ in range(L + 1)]
    contrib = {name: [] for name in net.param_names}  # per-sample terms, summed at the end
    X = _const(inst.values["x"], ops)
    Y = _const(inst.values["y"], ops)
    for m in range(inst.batch):
        a_prev = X[m]
        As[0].append(a_prev)
        for l in range(1, L + 1):
            W, b = P[f"W{l}"], P[f"b{l}"]
            z = [ops.add([w * a for w, a in zip(row, a_prev, strict=True)] + [bi])
                 for row, bi in zip(W, b, strict=True)]
            pairs = [ops.act(acts[l - 1], zi, (l, m + 1, i + 1)) for i, zi in enumerate(z)]
            a_prev = [p[0] for p in pairs]
            zs[l - 1].append(z)
            As[l].append(a_prev)
            ds[l - 1].append([p[1] for p in pairs])
        # dL/dz_L per output unit, before the reduction's scale
        two = ops.const(sp.Integer(2))
        if net.loss == "mse":
            delta = [two * (p - t) * d for p, t, d in zip(a_prev, Y[m], ds[L - 1][m], strict=True)]
        else:  # bce with a sigmoid output: d/dz of the loss is p - y
            delta = [p - t for p, t in zip(a_prev, Y[m], strict=True)]
        for l in range(L, 0, -1):
            below = As[l - 1][m]
            contrib[f"W{l}"].append([[di * aj for aj in below] for di in delta])
            contrib[f"b{l}"].append(list(delta))
            if l > 1:
                W = P[f"W{l}"]
                delta = [ds[l - 2][m][j] * ops.add([W[i][j] * delta[i] for i in range(len(delta))])
                         for j in range(len(below))]
    grads = {name: _sum_scaled(terms, scale, ops) for name, terms in contrib.items()}
    return Pass(zs, As, ds, Y, P, grads, scale, ops)


def _const(v, ops):
    if isinstance(v, list):
        return [_const(e, ops) for e in v]
    return ops.const(v)


def _sum_scaled(terms, scale, ops):
    first = terms[0]
    if isinstance(first, list):
        return [_sum_scaled([t[i] for t in terms], scale, ops) for i in range(len(first))]
    return scale * ops.add(terms)
