"""PyTorch as an outside oracle: symgrad's exact gradients against torch float64 autograd.

Optional: skipped with a reason where torch is not installed (`pip install torch==2.13.0`
takes the CPU build on these machines).  At exact kinks torch's relu'(0) is 0, which is
symgrad's default convention; the comparison there is exact up to float64 rounding too.
"""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from strategies import fixed_problems, networks

from symgrad import Network, gradients

torch = pytest.importorskip("torch", reason="torch is not installed (optional oracle)")


def torch_gradients(net, params, x, y):
    t = {k: torch.tensor([[float(e) for e in r] for r in v] if k[0] == "W"
                         else [float(e) for e in v], dtype=torch.float64, requires_grad=True)
         for k, v in params.items()}
    X = torch.tensor([[float(e) for e in r] for r in x], dtype=torch.float64)
    Y = torch.tensor([[float(e) for e in r] for r in y], dtype=torch.float64)
    acts = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
            "softplus": torch.nn.functional.softplus, "identity": lambda z: z,
            "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, float(net.slope))}
    a = X
    for l in range(1, net.depth + 1):
        z = a @ t[f"W{l}"].T + t[f"b{l}"]
        a = acts[net.out if l == net.depth else net.act](z)
    if net.loss == "mse":
        loss = torch.nn.functional.mse_loss(a, Y, reduction=net.reduction)
    else:
        # the same loss as binary_cross_entropy(sigmoid(z)), in its numerically stable form:
        # through p, float64 loses most digits of 1 - p when p is near 1
        loss = torch.nn.functional.binary_cross_entropy_with_logits(z, Y,
                                                                     reduction=net.reduction)
    loss.backward()
    return {k: v.grad.tolist() for k, v in t.items()}


def close(a, b):
    if isinstance(a, list):
        return all(close(x, y) for x, y in zip(a, b, strict=True))
    exact = float(sp.N(a, 30))
    return abs(exact - b) <= 1e-9 * max(1.0, abs(exact))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fixed_problems(nets=networks(max_width=3), max_batch=3))
def test_exact_gradients_agree_with_torch_float64(problem):
    net, params, x, y = problem
    if net.act == "relu" and net.relu_grad_at_zero != 0:
        net = Network(layers=net.layers, act="relu", out=net.out, loss=net.loss,
                      reduction=net.reduction)  # torch's convention is relu'(0) = 0
    ours = gradients(net, params=params, x=x, y=y).grads
    theirs = torch_gradients(net, params, x, y)
    assert all(close(ours[k], theirs[k]) for k in ours)


def test_at_an_exact_kink_torch_uses_relu_prime_zero_equal_zero():
    net = Network()
    params = {"W1": [[sp.Integer(1)]], "b1": [sp.Integer(0)], "W2": [[sp.Integer(3)]],
              "b2": [sp.Integer(1)]}
    x, y = [[sp.Integer(0)]], [[sp.Integer(0)]]
    ours = gradients(net, params=params, x=x, y=y).grads
    assert ours["b1"] == [0]  # z1 = 0 exactly: relu'(0) = 0 kills the hidden gradient
    theirs = torch_gradients(net, params, x, y)
    assert all(close(ours[k], theirs[k]) for k in ours)
