"""Exact gradients of piecewise-linear nets at rational points, fast.

Every tensor is held as integer numerators over one common positive denominator,
``N / D``.  Products and sums of numerators run as NumPy ``int64`` array operations
when a bound computed *before* the operation proves that no entry can overflow
(|entry| < 2**62); otherwise the operands switch to Python integers (``dtype=object``),
which never overflow.  So every result is exact; int64 is only a fast path for numbers
known to fit.  Applies when every value is rational, the activations are piecewise
linear, the output is the identity and the loss is mse.

>>> R = sp.Rational
>>> a = Exact.of([[R(1, 2)], [R(-1, 3)]])
>>> a.matmul(Exact.of([[R(3)]])).rationals()
[[3/2], [-1]]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import sympy as sp

from .problem import Instance

_LIMIT = 2**62


def _bound(n: np.ndarray) -> int:
    if n.size == 0:
        return 0
    if n.dtype == object:
        return max(abs(int(v)) for v in n.flat)
    return max(int(n.max()), -int(n.min()))


def _as(n: np.ndarray, obj: bool) -> np.ndarray:
    if obj and n.dtype != object:
        return n.astype(object)
    return n


class NotRational(Exception):
    """A value is not a rational number: the fast path does not apply."""


def _limbs(a: np.ndarray, k: int) -> list[tuple[int, np.ndarray]]:
    """int64 ``a`` as [(shift, limb)] with a == sum(limb << shift) and |limb| < 2**k."""
    bound = _bound(a)
    if bound < 2**k:
        return [(0, a)]
    mask = (1 << k) - 1
    out, shift = [], 0
    while bound >= 2**k:
        out.append((shift, a & mask))
        a = a >> k  # floor shift: exact for negatives too
        bound >>= k
        shift += k
    out.append((shift, a))
    return out


def _matmul(a: np.ndarray, b: np.ndarray, product_bound: int) -> np.ndarray:
    """Exact ``a @ b`` on integers.

    When ``max|a| * max|b| * inner`` is below 2**62 it is one int64 product.  Otherwise
    both operands are cut into k-bit limbs with ``2**(2k) * inner < 2**62``, each pair of
    limbs is multiplied in int64 (provably without overflow), and the pieces are shifted
    and added as Python integers.  Operands that are already Python integers multiply as
    such.
    """
    inner = a.shape[-1]
    if a.dtype == object or b.dtype == object:
        return _as(a, True) @ _as(b, True)
    if product_bound * max(1, inner) < _LIMIT:
        return a @ b
    k = (61 - inner.bit_length()) // 2
    if k < 8:  # an absurdly long inner dimension: plain Python integers
        return _as(a, True) @ _as(b, True)
    total = None
    for sa, la in _limbs(a, k):
        for sb, lb in _limbs(b, k):
            part = (la @ lb).astype(object)
            if sa + sb:
                part = part * (1 << (sa + sb))
            total = part if total is None else total + part
    return total


@dataclass(frozen=True)
class Exact:
    """An exact rational tensor N / D with integer numerators and D > 0."""

    n: np.ndarray
    d: int
    bound: int  # an upper bound on max |n|

    @staticmethod
    def of(values) -> Exact:
        """From a vector or matrix (nested lists) of SymPy Rationals."""
        matrix = bool(values) and isinstance(values[0], list)
        flat = [v for row in values for v in row] if matrix else list(values)
        if not all(isinstance(v, sp.Rational) for v in flat):
            raise NotRational
        qs = [v.q for v in flat]
        d = math.lcm(*set(qs)) if flat else 1
        nums = [v.p * (d // q) for v, q in zip(flat, qs, strict=True)]
        shape = (len(values), len(values[0])) if matrix else (len(values),)
        bound = max(map(abs, nums), default=0)
        arr = np.array(nums, dtype=np.int64 if bound < _LIMIT else object).reshape(shape)
        return Exact.from_ints(arr, d)

    @staticmethod
    def from_ints(n: np.ndarray, d: int) -> Exact:
        """N / d with the common factor of N and d cancelled; int64 when it fits."""
        bound = _bound(n)
        if bound == 0:  # all zero: 0/1 (the gcd would be d itself, perhaps beyond int64)
            return Exact(np.zeros(n.shape, dtype=np.int64), 1, 0)
        if n.size and d > 1:
            g = math.gcd(d, *map(int, n.flat)) if n.dtype == object else \
                math.gcd(d, int(np.gcd.reduce(n.ravel())))
            if g > 1:
                n, d, bound = n // g, d // g, bound // g
        if bound < _LIMIT and n.dtype == object:
            n = n.astype(np.int64)
        return Exact(n, d, bound)

    def _combine(self, other: Exact, bound: int) -> tuple[np.ndarray, np.ndarray]:
        obj = bound >= _LIMIT or self.n.dtype == object or other.n.dtype == object
        return _as(self.n, obj), _as(other.n, obj)

    def matmul(self, other: Exact) -> Exact:
        return Exact.from_ints(_matmul(self.n, other.n, self.bound * other.bound),
                               self.d * other.d)

    def mul(self, other: Exact) -> Exact:
        """Elementwise product (with broadcasting)."""
        bound = self.bound * other.bound
        a, b = self._combine(other, bound)
        return Exact.from_ints(a * b, self.d * other.d)

    def add(self, other: Exact, sign: int = 1) -> Exact:
        d = math.lcm(self.d, other.d)
        fa, fb = d // self.d, d // other.d
        # the factors themselves must fit too (a zero tensor has bound 0 whatever fa is)
        bound = max(self.bound * fa + other.bound * fb, fa, fb)
        a, b = self._combine(other, bound)
        return Exact.from_ints(a * fa + sign * (b * fb), d)

    def scale(self, q: sp.Rational) -> Exact:
        p, r = int(q.p), int(q.q)
        bound = self.bound * abs(p)
        a = _as(self.n, max(bound, abs(p)) >= _LIMIT)
        return Exact(a * p, self.d * r, bound)

    def transpose(self) -> Exact:
        return Exact(self.n.T, self.d, self.bound)

    def sum_rows(self) -> Exact:
        ones = np.ones((1, self.n.shape[0]), dtype=np.int64)
        return Exact.from_ints(_matmul(ones, self.n, self.bound)[0], self.d)

    def piecewise(self, neg: sp.Rational, pos: sp.Rational, at_zero: sp.Rational | None):
        """Slope ``pos`` where > 0, ``neg`` where < 0: the activation (at_zero None, 0 at 0)
        or, with at_zero given, its derivative as a 0/1-style mask (values only)."""
        s = math.lcm(int(neg.q), int(pos.q), int(at_zero.q) if at_zero is not None else 1)
        pn, pp = int(neg * s), int(pos * s)
        n = self.n
        if at_zero is None:
            bound = self.bound * max(abs(pn), abs(pp))
            n = _as(n, bound >= _LIMIT)
            act = np.maximum(n, 0) * pp
            if pn:
                act = act + np.minimum(n, 0) * pn
            return Exact.from_ints(act, self.d * s)
        pz = int(at_zero * s)
        mask = np.where(n > 0, pp, np.where(n < 0, pn, pz)).astype(np.int64)
        return Exact(mask, s, max(abs(pn), abs(pp), abs(pz)))

    def rationals(self) -> list:
        """Nested lists of exact SymPy Rationals."""
        def conv(v):
            if isinstance(v, list):
                return [conv(e) for e in v]
            return sp.Rational(int(v), self.d)
        return conv(self.n.tolist())


def applies(inst: Instance) -> bool:
    """True when the network is piecewise linear with mse and nothing is free; the values
    must also be rational, which :func:`gradients` checks as it reads them."""
    return not inst.free and inst.network.piecewise_linear


def gradients(inst: Instance) -> dict[str, list] | None:
    """Exact batch gradients of a fully fixed piecewise-linear instance (None when a value
    is not rational)."""
    try:
        return _gradients(inst)
    except NotRational:
        return None


def _gradients(inst: Instance) -> dict[str, list]:
    net = inst.network
    L = net.depth
    W = {l: Exact.of(inst.values[f"W{l}"]) for l in range(1, L + 1)}
    b = {l: Exact.of([inst.values[f"b{l}"]]) for l in range(1, L + 1)}  # 1 x n, broadcast
    A = [Exact.of(inst.values["x"])]
    masks = []
    hidden = net.hidden()
    for l in range(1, L + 1):
        z = A[-1].matmul(W[l].transpose()).add(b[l])
        if l < L:
            neg, pos = hidden.slopes
            A.append(z.piecewise(neg, pos, None))
            masks.append(z.piecewise(neg, pos, hidden.grad_at_zero))
        else:
            A.append(z)
    n_total = inst.batch * net.n_out if net.reduction == "mean" else 1
    delta = A[-1].add(Exact.of(inst.values["y"]), sign=-1).scale(sp.Rational(2, n_total))
    out = {}
    for l in range(L, 0, -1):
        out[f"W{l}"] = delta.transpose().matmul(A[l - 1]).rationals()
        out[f"b{l}"] = delta.sum_rows().rationals()
        if l > 1:
            delta = delta.matmul(W[l]).mul(masks[l - 2])
    return {name: out[name] for name in net.param_names}
