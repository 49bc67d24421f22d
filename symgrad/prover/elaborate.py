"""From a claim's syntax tree to a quantifier-free formula over one domain's values.

Quantifiers ``all m:`` / ``any m:`` become a conjunction / disjunction over the samples
1..M; a comparison of vectors or matrices becomes a conjunction over entries.  The
*domain* supplies the tensors (``source(src)``) and constants (``const(q)``); arithmetic
is ``+ - *`` on the domain's values.
"""

from __future__ import annotations

from ..claims import ast
from ..claims.names import resolve
from ..errors import ClaimNameError
from ..network import Network
from .formula import FALSE, TRUE, Atom, conj, disj, neg


def _pick(tensor, path):
    for k in path:
        tensor = tensor[k]
    return tensor


def _shape(t):
    return (len(t),) + _shape(t[0]) if isinstance(t, list) else ()


def _zip(f, a, b, where):
    """Elementwise f with a scalar broadcast over a tensor."""
    la, lb = isinstance(a, list), isinstance(b, list)
    if la and lb:
        if _shape(a) != _shape(b):
            raise ClaimNameError(
                f"{where}: the two sides have shapes {_shape(a)} and {_shape(b)}; "
                "compare or combine terms of the same shape, or index an entry")
        return [_zip(f, x, y, where) for x, y in zip(a, b, strict=True)]
    if la:
        return [_zip(f, x, b, where) for x in a]
    if lb:
        return [_zip(f, a, y, where) for y in b]
    return f(a, b)


def _flat(t):
    if isinstance(t, list):
        for e in t:
            yield from _flat(e)
    else:
        yield t


def _indices(shape):
    if not shape:
        return [()]
    return [(i,) + rest for i in range(1, shape[0] + 1) for rest in _indices(shape[1:])]


def _flat_pairs(t):
    if isinstance(t, list):
        for e in t:
            yield from _flat_pairs(e)
    else:
        yield t


def _side(term, env, idx) -> str:
    """Claim text of one entry of a side, e.g. grad(W1) at (2, 1) -> grad(W1[2,1])."""
    if isinstance(term, ast.Grad | ast.Buf | ast.Ref):
        full = [env.get(i, i) if isinstance(i, str) else i for i in term.indices] + list(idx)
        inner = (term.name if isinstance(term, ast.Ref) else term.param) + (
            "[" + ",".join(map(str, full)) + "]" if full else "")
        return inner if isinstance(term, ast.Ref) else f"{str(term).split('(')[0]}({inner})"
    text = str(term)
    return f"({text})[{','.join(map(str, idx))}]" if idx else text


def _label(c: ast.Cmp, env, idx, tensors: tuple[bool, bool]) -> str:
    left = _side(c.left, env, idx if tensors[0] else ())
    if isinstance(c.right, ast.Num) and c.right.value == 0:
        return left
    return f"{left} - ({_side(c.right, env, idx if tensors[1] else ())})"


class Elaborator:
    """Elaborate claims for one network, batch size and domain."""

    def __init__(self, net: Network, M: int, domain):
        self.net, self.M, self.domain = net, M, domain

    def formula(self, f: ast.Formula, env: dict | None = None):
        env = env or {}
        if isinstance(f, ast.Bool):
            return TRUE if f.value else FALSE
        if isinstance(f, ast.Cmp):
            return self.compare(f, env)
        if isinstance(f, ast.Not):
            return neg(self.formula(f.arg, env))
        if isinstance(f, ast.And):
            return conj(self.formula(a, env) for a in f.args)
        if isinstance(f, ast.Or):
            return disj(self.formula(a, env) for a in f.args)
        if isinstance(f, ast.Implies):
            return disj([neg(self.formula(f.left, env)), self.formula(f.right, env)])
        if isinstance(f, ast.Iff):
            a, b = self.formula(f.left, env), self.formula(f.right, env)
            return disj([conj([a, b]), conj([neg(a), neg(b)])])
        if isinstance(f, ast.Always):
            raise ClaimNameError("'always:' may only be a whole claim or the conclusion of "
                                 "'H -> always: F' or 'H -> after k: always: F' (it is "
                                 "proved by induction)")
        if isinstance(f, ast.After):
            later = Elaborator(self.net, self.M, self.domain.after(f.steps))
            return later.formula(f.body, env)
        if isinstance(f, ast.Quant):
            parts = [self.formula(f.body, {**env, f.var: m}) for m in range(1, self.M + 1)]
            return conj(parts) if f.q == "all" else disj(parts)
        raise TypeError(f)  # pragma: no cover

    def compare(self, c: ast.Cmp, env):
        left, right = self.term(c.left, env), self.term(c.right, env)
        op = "==" if c.op == "!=" else c.op
        pairs = _zip(lambda a, b: (a, b), left, right, str(c))
        shape = _shape(pairs)
        tensors = (isinstance(left, list), isinstance(right, list))
        atoms = [Atom(op, a, b, _label(c, env, idx, tensors))
                 for idx, (a, b) in zip(_indices(shape), _flat_pairs(pairs), strict=True)]
        every = conj(atoms)
        return neg(every) if c.op == "!=" else every

    def term(self, t: ast.Term, env):
        d = self.domain
        if isinstance(t, ast.Num):
            return d.const(t.value)
        if isinstance(t, ast.Ref | ast.Grad | ast.Buf | ast.Loss):
            source, path = resolve(t, env, self.net, self.M)
            if source[0] in ("buf", "opt") and d.inst.optimizer is None:
                raise ClaimNameError(f"{t} is the optimizer's: give --lr (and, if wanted, "
                                     "--momentum, --weight-decay, --decay-biases)")
            return _pick(d.source(source), path)
        if isinstance(t, ast.At):
            return Elaborator(self.net, self.M, d.after(t.steps)).term(t.term, env)
        if isinstance(t, ast.Neg):
            return _zip(lambda a, _: -a, self.term(t.arg, env), 0, str(t))
        if isinstance(t, ast.BinOp):
            left = self.term(t.left, env)
            if t.op == "/":
                if not isinstance(t.right, ast.Num) or t.right.value == 0:
                    raise ClaimNameError(
                        f"in {t}: divide only by a nonzero number, as in grad(W1) / 2; "
                        "to divide by a term, multiply the other side instead")
                inv = d.const(1 / t.right.value)
                return _zip(lambda a, b: a * b, left, inv, str(t))
            right = self.term(t.right, env)
            op = {"+": lambda a, b: a + b, "-": lambda a, b: a - b,
                  "*": lambda a, b: a * b}[t.op]
            return _zip(op, left, right, str(t))
        raise TypeError(t)  # pragma: no cover
