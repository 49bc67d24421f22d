"""Certified signs of exact real numbers.

Rationals are compared exactly.  Anything else (``tanh(1)``, ``sqrt(2) - 1``, a
``CRootOf``) is enclosed in a python-flint ``arb`` ball at increasing precision until the
ball excludes zero; a ball that keeps containing zero is settled only by an exact proof of
zero (a minimal polynomial ``x`` for algebraic numbers), else the sign is unknown (None).

>>> sign(sp.Rational(-1, 3)), sign(sp.tanh(1) - sp.Rational(3, 4)), sign(sp.sqrt(2) ** 2 - 2)
(-1, 1, 0)
"""

from __future__ import annotations

import flint
import sympy as sp

_PRECISIONS = (64, 256, 1024)
_UNARY = {
    sp.exp: "exp", sp.log: "log", sp.tanh: "tanh", sp.atanh: "atanh", sp.sinh: "sinh",
    sp.cosh: "cosh", sp.asinh: "asinh", sp.atan: "atan", sp.sin: "sin", sp.cos: "cos",
}


class _NoBall(Exception):
    pass


def _ball(e: sp.Expr, prec: int) -> flint.arb:
    if e.is_Rational:
        return flint.arb(flint.fmpq(int(e.p), int(e.q)))
    if e is sp.pi:
        return flint.arb.pi()
    if e is sp.E:
        return flint.arb(1).exp()
    if e.is_Add:
        total = flint.arb(0)
        for a in e.args:
            total += _ball(a, prec)
        return total
    if e.is_Mul:
        total = flint.arb(1)
        for a in e.args:
            total *= _ball(a, prec)
        return total
    if e.is_Pow:
        base, ex = e.args
        b = _ball(base, prec)
        if ex.is_Integer:
            return b ** int(ex)
        if ex.is_Rational and b > 0:
            return (b.log() * _ball(ex, prec)).exp()
        if ex == sp.Rational(1, 2):
            return b.sqrt()
        raise _NoBall(e)
    if isinstance(e, sp.CRootOf):
        dx = sp.Rational(1, 2 ** (prec + 8))
        mid = e.eval_rational(dx=dx, dy=dx)
        return flint.arb(flint.fmpq(int(mid.p), int(mid.q)), flint.arb(flint.fmpq(1, 2 ** (prec + 7))))
    fn = _UNARY.get(e.func)
    if fn is not None:
        inner = _ball(e.args[0], prec)
        if fn == "atanh":
            return ((1 + inner) / (1 - inner)).log() / 2
        return getattr(inner, fn)()
    raise _NoBall(e)


def _as_rational_function(e: sp.Expr) -> sp.Expr:
    """e with every function application (tanh(1), exp(-2), log(3)) replaced by a symbol."""
    atoms = sorted(e.atoms(sp.Function, sp.Pow), key=sp.default_sort_key)
    mapping = {}
    for a in atoms:
        if isinstance(a, sp.Pow) and a.exp.is_Integer:
            continue  # a power with an integer exponent is already rational arithmetic
        mapping[a] = sp.Dummy("t")
    return e.xreplace(mapping)


def _exactly_zero(e: sp.Expr) -> bool:
    """A proof that e == 0, or False when none is found (which does not mean e != 0).

    Three proofs are tried: e is an algebraic number with minimal polynomial x; e is zero
    as a rational function of its transcendental parts taken as independent unknowns
    (an identity in the unknowns holds at their actual values); or SymPy's simplify
    returns 0 (simplify only rewrites into equal expressions).
    """
    if e.is_zero:
        return True
    try:
        if sp.cancel(sp.together(_as_rational_function(e))) == 0:
            return True
        if e.is_algebraic:
            x = sp.Dummy("x")
            return sp.minimal_polynomial(e, x) == x
        # simplify is a heuristic, but what it returns is equal to its input: 0 is a proof
        return sp.simplify(e.rewrite(sp.log)) == 0
    except (NotImplementedError, ValueError, TypeError):
        return False


def sign(e: sp.Expr) -> int | None:
    """-1, 0 or 1, proved; None when it cannot be certified."""
    if e.is_Rational:
        return 1 if e > 0 else -1 if e < 0 else 0
    old = flint.ctx.prec
    try:
        for prec in _PRECISIONS:
            flint.ctx.prec = prec
            try:
                ball = _ball(e, prec)
            except (_NoBall, ValueError, ZeroDivisionError):
                break
            if ball > 0:
                return 1
            if ball < 0:
                return -1
    finally:
        flint.ctx.prec = old
    return 0 if _exactly_zero(e) else None


def compare(op: str, left: sp.Expr, right: sp.Expr) -> bool | None:
    """Decide ``left op right`` exactly; None when the sign cannot be certified."""
    s = sign(sp.expand(left - right) if not (left.is_Rational and right.is_Rational)
             else left - right)
    if s is None:
        return None
    return {"==": s == 0, "!=": s != 0, "<": s < 0, "<=": s <= 0, ">": s > 0, ">=": s >= 0}[op]
