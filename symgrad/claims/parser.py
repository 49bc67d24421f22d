"""A recursive-descent parser for claims (see ``docs/claims.md`` for the grammar).

>>> print(parse("grad(b2) == 0 -> grad(w1) == 0 and grad(b1) == 0"))
grad(b2) == 0 -> grad(W1) == 0 and grad(b1) == 0
>>> print(parse("all m: any n: x[m] != x[n] + -1/2"))
all m: any n: x[m] != x[n] + -1/2
>>> parse("grad(W1) ==")
Traceback (most recent call last):
 ...
symgrad.errors.ClaimSyntaxError: claim syntax error at column 12: expected a term (a number, a name such as W1 or x[m], grad(...) or loss), found the end of the claim
"""

from __future__ import annotations

import re

from ..errors import ClaimSyntaxError, NumberError
from ..exact import decimal_to_rational
from .ast import (
    After,
    Always,
    And,
    At,
    BinOp,
    Bool,
    Buf,
    Cmp,
    Formula,
    Grad,
    Iff,
    Implies,
    Loss,
    Neg,
    Not,
    Num,
    Or,
    Quant,
    Ref,
    Term,
)

_TOKEN = re.compile(r"""\s*(?:
    (?P<num>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
  | (?P<name>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<op><->|->|==|!=|<=|>=|[<>+\-*/()\[\],:])
)""", re.VERBOSE)
KEYWORDS = {"not", "and", "or", "all", "any", "true", "false", "grad", "buf", "at", "loss",
            "after", "always"}
CMP_OPS = ("==", "!=", "<=", ">=", "<", ">")
_PARAM = re.compile(r"^[WwBb]\d+$")
_LAYER = re.compile(r"^[za]\d+$")
TERM_HINT = "a term (a number, a name such as W1 or x[m], grad(...) or loss)"
_STEPS_HINT = "a whole number of optimizer steps"


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.toks: list[tuple[str, str, int]] = []
        pos = 0
        stripped = text.rstrip()
        while pos < len(stripped):
            m = _TOKEN.match(stripped, pos)
            if not m or m.end() == pos:
                col = pos + len(stripped[pos:]) - len(stripped[pos:].lstrip()) + 1
                raise ClaimSyntaxError(
                    f"claim syntax error at column {col}: unexpected character "
                    f"{stripped[col - 1]!r}; claims use names, numbers, grad(...), "
                    "== != < <= > >=, + - * /, not and or -> <->, all m: and any m:")
            kind = m.lastgroup
            self.toks.append((kind, m.group(kind), m.start(kind)))
            pos = m.end()
        self.i = 0
        self.furthest: tuple[int, str] = (-1, "")

    # -- token helpers -------------------------------------------------------------------
    def peek(self, k: int = 0):
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else ("end", "", len(self.text.rstrip()))

    def at(self, value: str) -> bool:
        kind, v, _ = self.peek()
        return v == value and kind != "num"

    def fail(self, expected: str):
        raise self._error(expected)

    def _error(self, expected: str) -> ClaimSyntaxError:
        kind, value, pos = self.peek()
        found = "the end of the claim" if kind == "end" else repr(value)
        return ClaimSyntaxError(
            f"claim syntax error at column {pos + 1}: expected {expected}, found {found}")

    def expect(self, value: str, what: str | None = None):
        if not self.at(value):
            self.fail(what or repr(value))
        self.i += 1

    # -- formulas ------------------------------------------------------------------------
    def parse(self) -> Formula:
        if not self.toks:
            raise ClaimSyntaxError("the claim is empty; write e.g. \"grad(b2) == 0 -> grad(W1) == 0\"")
        f = self.iff()
        if self.peek()[0] != "end":
            self.fail("'and', 'or', '->', '<->' or the end of the claim")
        return f

    def iff(self) -> Formula:
        f = self.implies()
        while self.at("<->"):
            self.i += 1
            f = Iff(f, self.implies())
        return f

    def implies(self) -> Formula:
        f = self.disj()
        if self.at("->"):
            self.i += 1
            return Implies(f, self.implies())
        return f

    def disj(self) -> Formula:
        args = [self.conj()]
        while self.at("or"):
            self.i += 1
            args.append(self.conj())
        return args[0] if len(args) == 1 else Or(tuple(args))

    def conj(self) -> Formula:
        args = [self.unary()]
        while self.at("and"):
            self.i += 1
            args.append(self.unary())
        return args[0] if len(args) == 1 else And(tuple(args))

    def unary(self) -> Formula:
        if self.at("not"):
            self.i += 1
            return Not(self.unary())
        if self.at("all") or self.at("any"):
            q = self.peek()[1]
            self.i += 1
            kind, var, _ = self.peek()
            if kind != "name" or var in KEYWORDS:
                self.fail(f"a variable name after '{q}', as in '{q} m: ...'")
            self.i += 1
            self.expect(":", f"':' after '{q} {var}'")
            return Quant(q, var, self.iff())
        if self.at("after"):
            self.i += 1
            steps = self.steps("'after', as in 'after 3: ...'")
            self.expect(":", f"':' after 'after {steps}'")
            return After(steps, self.iff())
        if self.at("always"):
            self.i += 1
            self.expect(":", "':' after 'always'")
            return Always(self.iff())
        return self.primary()

    def steps(self, where: str) -> int:
        kind, value, _ = self.peek()
        if kind != "num" or not value.isdigit() or len(value) > 6:
            self.fail(f"{_STEPS_HINT} after {where}")
        self.i += 1
        return int(value)

    def primary(self) -> Formula:
        if self.at("true") or self.at("false"):
            value = self.peek()[1] == "true"
            self.i += 1
            return Bool(value)
        start = self.i
        try:
            return self.comparison()
        except ClaimSyntaxError as first:
            progress = self.i
            self.i = start
            if not self.at("("):
                raise
            self.i += 1
            try:
                f = self.iff()
                self.expect(")", "')'")
                return f
            except ClaimSyntaxError as second:
                # report the reading that got further into the claim
                raise (second if self.i >= progress else first) from None

    def comparison(self) -> Cmp:
        left = self.term()
        kind, op, _ = self.peek()
        if kind != "op" or op not in CMP_OPS:
            self.fail("a comparison (== != < <= > >=)")
        self.i += 1
        return Cmp(op, left, self.term())

    # -- terms ---------------------------------------------------------------------------
    def term(self) -> Term:
        t = self.product()
        while self.at("+") or self.at("-"):
            op = self.peek()[1]
            self.i += 1
            t = BinOp(op, t, self.product())
        return t

    def product(self) -> Term:
        t = self.factor()
        while self.at("*") or self.at("/"):
            op, col = self.peek()[1], self.peek()[2]
            self.i += 1
            rhs = self.factor()
            if isinstance(t, Num) and isinstance(rhs, Num):  # a literal such as 2/3
                if op == "/" and rhs.value == 0:
                    raise ClaimSyntaxError(f"claim error at column {col + 1}: division by zero")
                t = Num(t.value / rhs.value if op == "/" else t.value * rhs.value)
            else:
                t = BinOp(op, t, rhs)
        return t

    def factor(self) -> Term:
        if self.at("-"):
            self.i += 1
            inner = self.factor()
            if isinstance(inner, Num):
                return Num(-inner.value)
            return Neg(inner)
        if self.at("+"):
            self.i += 1
            return self.factor()
        return self.atom()

    def atom(self) -> Term:
        kind, value, _ = self.peek()
        if kind == "num":
            self.i += 1
            try:
                return Num(decimal_to_rational(value))
            except NumberError as exc:
                raise ClaimSyntaxError(f"claim error at column {self.peek(-1)[2] + 1}: {exc}") \
                    from None
        if self.at("("):
            self.i += 1
            t = self.term()
            self.expect(")", "')'")
            return t
        if kind != "name":
            self.fail(TERM_HINT)
        if value == "loss":
            self.i += 1
            return Loss()
        if value in ("grad", "buf"):
            self.i += 1
            self.expect("(", f"'(' after {value}")
            kind, name, _ = self.peek()
            if kind != "name" or not _PARAM.match(name):
                self.fail(f"a parameter name inside {value}(...), such as W1 or b2")
            self.i += 1
            idx = self.indices()
            self.expect(")", f"')' to close {value}(")
            return (Grad if value == "grad" else Buf)(_canon(name), idx)
        if value == "at":
            self.i += 1
            self.expect("(", "'(' after at, as in at(2, W1)")
            steps = self.steps("at(")
            self.expect(",", "',' after the number of steps, as in at(2, W1)")
            t = self.term()
            self.expect(")", "')' to close at(")
            return At(steps, t)
        if value in KEYWORDS:
            self.fail(TERM_HINT)
        self.i += 1
        name = _canon(value) if _PARAM.match(value) else value
        return Ref(name, self.indices())

    def indices(self) -> tuple:
        if not self.at("["):
            return ()
        self.i += 1
        out = []
        while True:
            kind, value, _ = self.peek()
            if kind == "num" and value.isdigit() and len(value) <= 9:
                out.append(int(value))
            elif kind == "name" and value not in KEYWORDS:
                out.append(value)
            else:
                self.fail("an index: a whole number (1-based) or a variable such as m")
            self.i += 1
            if self.at(","):
                self.i += 1
                continue
            self.expect("]", "',' or ']'")
            return tuple(out)


def _canon(name: str) -> str:
    return ("W" if name[0] in "Ww" else "b") + name[1:]


def parse(text: str) -> Formula:
    """Parse claim text into a syntax tree; raise :class:`ClaimSyntaxError` with the column."""
    if not isinstance(text, str):
        raise ClaimSyntaxError(f"a claim is text, not {type(text).__name__}")
    try:
        return _Parser(text).parse()
    except RecursionError:
        raise ClaimSyntaxError("the claim is nested too deeply; use fewer parentheses") from None
