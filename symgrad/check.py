"""The independent checker: re-evaluate a claim on fully fixed values, exactly.

It shares no path with the strategies that search for witnesses: gradients come from
*forward-mode* differentiation (one tangent pass per parameter entry), layer values from
its own forward pass, and the claim is interpreted by its own walk over the syntax tree;
comparisons are decided by :func:`symgrad.signs.compare` (exact for rationals, certified
balls otherwise).  The answer is True, False, or None when a sign cannot be certified.

>>> from symgrad import Network, Problem
>>> from symgrad.claims import parse
>>> inst = Problem(Network(), params={"W1": 1, "b1": -1, "W2": 1, "b2": -1},
...                x="0; 2; 3", y="-2; 2; 0").instance()
>>> holds(parse("grad(b2) == 0 and grad(W2) == 0 and grad(W1) != 0"), inst)
True
>>> forward_mode_gradients(inst)["b1"]
[-2/3]
"""

from __future__ import annotations

import sympy as sp

from . import signs
from .claims import ast
from .claims.names import resolve
from .problem import Instance


def _forward(inst: Instance, m: int, tangent: dict | None):
    """Values z_l, a_l of sample m (0-based) and, with a tangent direction, their tangents."""
    net = inst.network
    a = list(inst.values["x"][m])
    da = [sp.Integer(0)] * len(a)
    zs, as_ = [], [a]
    for l in range(1, net.depth + 1):
        W, b = inst.values[f"W{l}"], inst.values[f"b{l}"]
        act = net.activation(l)
        z = [sp.Add(*[W[i][j] * a[j] for j in range(len(a))]) + b[i] for i in range(len(b))]
        if tangent is not None:
            dW = tangent.get(f"W{l}", {})
            db = tangent.get(f"b{l}", {})
            dz = [sp.Add(*[W[i][j] * da[j] + dW.get((i, j), 0) * a[j] for j in range(len(a))])
                  + db.get((i,), 0) for i in range(len(b))]
            if l < net.depth or net.loss == "mse":
                da = [act.derivative(zi) * dzi for zi, dzi in zip(z, dz, strict=True)]
            else:
                da = dz  # bce with sigmoid: the loss's derivative is taken at z_L below
        a = [act.value(zi) for zi in z]
        zs.append(z)
        as_.append(a)
    return zs, as_, da


def _loss_slope(net, aL, y):
    """dL_m/da_L per output (mse), or dL_m/dz_L (bce with sigmoid), unreduced."""
    if net.loss == "mse":
        return [2 * (p - t) for p, t in zip(aL, y, strict=True)]
    return [p - t for p, t in zip(aL, y, strict=True)]


def forward_mode_gradients(inst: Instance) -> dict:
    """The batch gradient of every parameter entry, one tangent pass per entry."""
    net = inst.network
    n = inst.batch * net.n_out if net.reduction == "mean" else 1
    out = {}
    for name in net.param_names:
        shape = net.shape(name)
        keys = [(i, j) for i in range(shape[0]) for j in range(shape[1])] if len(shape) == 2 \
            else [(i,) for i in range(shape[0])]
        grads = {}
        for key in keys:
            total = []
            for m in range(inst.batch):
                _, as_, da = _forward(inst, m, {name: {key: sp.Integer(1)}})
                slope = _loss_slope(net, as_[-1], inst.values["y"][m])
                total += [s * d for s, d in zip(slope, da, strict=True)]
            grads[key] = sp.Add(*total) / n
        if len(shape) == 2:
            out[name] = [[grads[(i, j)] for j in range(shape[1])] for i in range(shape[0])]
        else:
            out[name] = [grads[(i,)] for i in range(shape[0])]
    return out


class _Values:
    """Everything a claim can name, computed here and only here."""

    def __init__(self, inst: Instance):
        self.inst = inst
        net = inst.network
        passes = [_forward(inst, m, None) for m in range(inst.batch)]
        self.z = {l: [p[0][l - 1] for p in passes] for l in range(1, net.depth + 1)}
        self.a = {l: [p[1][l] for p in passes] for l in range(0, net.depth + 1)}
        self._grads = None

    @property
    def grads(self):
        if self._grads is None:
            self._grads = forward_mode_gradients(self.inst)
        return self._grads

    def loss(self):
        net, inst = self.inst.network, self.inst
        terms = []
        for aL, y in zip(self.a[net.depth], inst.values["y"], strict=True):
            for p, t in zip(aL, y, strict=True):
                terms.append((p - t) ** 2 if net.loss == "mse"
                             else -(t * sp.log(p) + (1 - t) * sp.log(1 - p)))
        n = inst.batch * net.n_out if net.reduction == "mean" else 1
        return sp.Add(*terms) / n

    def source(self, src):
        kind = src[0]
        if kind == "param":
            return self.inst.values[src[1]]
        if kind == "grad":
            return self.grads[src[1]]
        if kind == "buf":  # the buffer of the step that led here; 0 before any step
            buffer = self.inst.buffer or {}
            if src[1] in buffer:
                return buffer[src[1]]
            return _map2(lambda v, _: sp.Integer(0), self.inst.values[src[1]], 0)
        if kind == "opt":
            return getattr(self.inst.optimizer, src[1])
        if kind == "data":
            return self.inst.values[src[1]]
        if kind == "layer":
            return (self.z if src[1] == "z" else self.a)[src[2]]
        return self.loss()


def _map2(f, a, b):
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            raise ValueError("shape mismatch")
        return [_map2(f, x, y) for x, y in zip(a, b, strict=True)]
    if isinstance(a, list):
        return [_map2(f, x, b) for x in a]
    if isinstance(b, list):
        return [_map2(f, a, y) for y in b]
    return f(a, b)


def _three(values):
    """Kleene conjunction over True/False/None."""
    values = list(values)
    if False in values:
        return False
    return None if None in values else True


def holds(claim: ast.Formula, inst: Instance) -> bool | None:
    """Evaluate the claim on a fully fixed instance: True, False, or None (undecidable)."""
    if inst.free:
        raise ValueError("the checker needs every value fixed")
    if inst.optimizer is not None and not _in_range(inst.optimizer):
        return None  # not a point the claim speaks of: lr > 0, 0 <= momentum < 1, wd >= 0
    return _Checker(inst).formula(claim, {})


def _in_range(opt) -> bool:
    """The hyperparameters' ranges, checked here with exact signs: lr > 0, momentum >= 0
    (and < 1 if it was free), weight_decay >= 0."""
    below_one = "momentum" in getattr(opt, "free_names", ())
    for v, ok in ((opt.lr, lambda v: signs.compare(">", v, sp.Integer(0))),
                  (opt.momentum, lambda v: signs.compare(">=", v, sp.Integer(0))
                   and (not below_one or signs.compare("<", v, sp.Integer(1)))),
                  (opt.weight_decay, lambda v: signs.compare(">=", v, sp.Integer(0)))):
        if not isinstance(v, sp.Expr) or v.free_symbols or ok(v) is not True:
            return False
    return True


def stepped(inst: Instance, k: int) -> Instance:
    """The instance after k full-batch SGD steps, with gradients by forward mode and the
    update written out here: g = grad + wd*theta (weights; biases with decay_biases),
    buf = momentum*buf + g from buf = 0 (PyTorch's first step buf = g is the same),
    theta -= lr*buf.  The result carries the buffer that made its last step.

    >>> from symgrad import Network, Problem
    >>> from symgrad.train import Optimizer
    >>> inst = Problem(Network(), params={"W1": 1, "b1": -1, "W2": 1, "b2": -1}, x="0; 2; 3",
    ...                y="-2; 2; 0", optimizer=Optimizer("1/10", "1/2")).instance()
    >>> s = stepped(inst, 2)
    >>> s.values["W1"], s.buffer["W1"]
    ([[163/150]], [[-1/5]])
    """
    opt = inst.optimizer
    for _ in range(k):
        grads = forward_mode_gradients(inst)
        new, nbuf = {}, {}
        for name in inst.network.param_names:
            decay = opt.weight_decay if (name[0] == "W" or opt.decay_biases) else 0
            theta = inst.values[name]
            flat_t = theta if name[0] == "b" else [e for row in theta for e in row]
            flat_g = grads[name] if name[0] == "b" else [e for row in grads[name] for e in row]
            old = (inst.buffer or {}).get(name)
            flat_b = ([0] * len(flat_t) if old is None else old if name[0] == "b"
                      else [e for row in old for e in row])
            g = [gi + decay * ti for gi, ti in zip(flat_g, flat_t, strict=True)]
            b = [opt.momentum * bi + gi for bi, gi in zip(flat_b, g, strict=True)]
            out = [ti - opt.lr * bi for ti, bi in zip(flat_t, b, strict=True)]
            cols = len(theta[0]) if name[0] == "W" else 0
            new[name] = out if name[0] == "b" else [out[r * cols:(r + 1) * cols]
                                                    for r in range(len(theta))]
            nbuf[name] = b if name[0] == "b" else [b[r * cols:(r + 1) * cols]
                                                   for r in range(len(theta))]
        inst = Instance(inst.network, inst.batch, {**inst.values, **new}, (), {}, opt, nbuf)
    return inst


class _Checker:
    def __init__(self, inst: Instance):
        self.inst, self.values = inst, _Values(inst)
        self._later: dict[int, _Checker] = {}

    def formula(self, f, env):
        if isinstance(f, ast.Bool):
            return f.value
        if isinstance(f, ast.After):
            return self.later(f.steps).formula(f.body, env)
        if isinstance(f, ast.Cmp):
            left, right = self.term(f.left, env), self.term(f.right, env)
            pairs = _map2(lambda a, b: (a, b), left, right)
            if f.op == "!=":
                eq = _three(signs.compare("==", a, b) for a, b in _entries_pairs(pairs))
                return None if eq is None else not eq
            return _three(signs.compare(f.op, a, b) for a, b in _entries_pairs(pairs))
        if isinstance(f, ast.Not):
            v = self.formula(f.arg, env)
            return None if v is None else not v
        if isinstance(f, ast.And):
            return _three(self.formula(a, env) for a in f.args)
        if isinstance(f, ast.Or):
            vals = [self.formula(a, env) for a in f.args]
            return True if True in vals else None if None in vals else False
        if isinstance(f, ast.Implies):
            left = self.formula(f.left, env)
            if left is False:
                return True
            right = self.formula(f.right, env)
            return True if right is True else None if None in (left, right) else False
        if isinstance(f, ast.Iff):
            left, right = self.formula(f.left, env), self.formula(f.right, env)
            return None if None in (left, right) else left == right
        if isinstance(f, ast.Quant):
            vals = [self.formula(f.body, {**env, f.var: m})
                    for m in range(1, self.inst.batch + 1)]
            if f.q == "all":
                return _three(vals)
            return True if True in vals else None if None in vals else False
        raise TypeError(f)  # pragma: no cover

    def later(self, k: int) -> _Checker:
        """The checker of the state k steps on (its own replay, buffer included)."""
        if k == 0:
            return self
        if k not in self._later:
            self._later[k] = _Checker(stepped(self.inst, k))
        return self._later[k]

    def term(self, t, env):
        if isinstance(t, ast.Num):
            return t.value
        if isinstance(t, ast.At):
            return self.later(t.steps).term(t.term, env)
        if isinstance(t, ast.Ref | ast.Grad | ast.Buf | ast.Loss):
            source, path = resolve(t, env, self.inst.network, self.inst.batch)
            value = self.values.source(source)
            for k in path:
                value = value[k]
            return value
        if isinstance(t, ast.Neg):
            return _map2(lambda a, _: -a, self.term(t.arg, env), 0)
        if isinstance(t, ast.BinOp):
            left, right = self.term(t.left, env), self.term(t.right, env)
            op = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
                  "/": lambda a, b: a / b}[t.op]
            return _map2(op, left, right)
        raise TypeError(t)  # pragma: no cover


def _entries_pairs(pairs):
    if isinstance(pairs, list):
        for p in pairs:
            yield from _entries_pairs(p)
    else:
        yield pairs
