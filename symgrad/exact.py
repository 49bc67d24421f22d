"""Exact numbers: read what a user writes, print what SymPy reads back.

Numbers are read by a small grammar of our own, never by ``eval`` or ``sympify``:
integers, decimals as written (``0.1`` is 1/10), scientific notation, fractions, and
closed forms built from ``+ - * / ^`` (or ``**``), parentheses, the constants ``pi`` and
``E``, and the functions ``sqrt log exp tanh atanh sinh cosh`` ...

>>> parse_number("-2/3")
-2/3
>>> parse_number("0.1")
1/10
>>> parse_number("1e-3")
1/1000
>>> parse_number("sqrt(2)/3")
sqrt(2)/3
>>> to_str(parse_number("log(2)"))
'log(2)'
"""

from __future__ import annotations

import re
from fractions import Fraction

import sympy as sp

from .errors import NumberError

_FUNCS = {
    "sqrt": sp.sqrt,
    "log": sp.log,
    "exp": sp.exp,
    "tanh": sp.tanh,
    "atanh": sp.atanh,
    "sinh": sp.sinh,
    "cosh": sp.cosh,
    "asinh": sp.asinh,
    "sin": sp.sin,
    "cos": sp.cos,
    "atan": sp.atan,
    "Abs": sp.Abs,
    "abs": sp.Abs,
}
_CONSTS = {"pi": sp.pi, "E": sp.E}

_TOKEN = re.compile(
    r"\s*(?:(?P<num>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)|(?P<name>[A-Za-z_]\w*)"
    r"|(?P<op>\*\*|[-+*/^(),]))"
)
DECIMAL = re.compile(r"^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")


MAX_DIGITS = 1000
MAX_EXPONENT = 1000


def decimal_to_rational(text: str) -> sp.Rational:
    """The exact value of a decimal literal as written.

    >>> decimal_to_rational("2.50e1")
    25
    """
    mantissa, _, exponent = text.lower().partition("e")
    if len(mantissa) > MAX_DIGITS or (exponent and abs(int(exponent)) > MAX_EXPONENT):
        raise NumberError(f"the number {text[:20]}{'...' if len(text) > 20 else ''} is too "
                          f"large to handle exactly; use at most {MAX_DIGITS} digits and "
                          f"exponents up to {MAX_EXPONENT}")
    return sp.Rational(Fraction(text))


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise NumberError(
                f"cannot read {text!r} as an exact number: unexpected {text[pos:].strip()[:10]!r} "
                f"at column {pos + 1}; write e.g. 3, -2/3, 0.1, 1e-3 or sqrt(2)/3"
            )
        kind = m.lastgroup
        out.append((kind, m.group(kind), m.start(kind)))
        pos = m.end()
    return out


class _NumberParser:
    """Precedence climbing over the token list: + -, then * /, then unary -, then ^."""

    def __init__(self, text: str):
        self.text = text
        self.toks = _tokens(text)
        self.i = 0

    def fail(self, what: str):
        raise NumberError(
            f"cannot read {self.text!r} as an exact number: {what}; "
            "write e.g. 3, -2/3, 0.1, 1e-3 or sqrt(2)/3"
        )

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None, len(self.text))

    def take(self, value=None):
        tok = self.peek()
        if tok[0] is None or (value is not None and tok[1] != value):
            self.fail(f"expected {value or 'a number'} at column {tok[2] + 1}")
        self.i += 1
        return tok

    def parse(self) -> sp.Expr:
        if not self.toks:
            self.fail("it is empty")
        value = self.sum()
        if self.peek()[0] is not None:
            self.fail(f"unexpected {self.peek()[1]!r} at column {self.peek()[2] + 1}")
        return value

    def sum(self):
        value = self.product()
        while self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            rhs = self.product()
            value = value + rhs if op == "+" else value - rhs
        return value

    def product(self):
        value = self.unary()
        while self.peek()[1] in ("*", "/"):
            op = self.take()[1]
            rhs = self.unary()
            if op == "/":
                if rhs.is_zero:
                    self.fail("it divides by zero")
                value = value / rhs
            else:
                value = value * rhs
        return value

    def unary(self):
        if self.peek()[1] in ("-", "+"):
            op = self.take()[1]
            inner = self.unary()
            return -inner if op == "-" else inner
        return self.power()

    def power(self):
        base = self.atom()
        if self.peek()[1] in ("^", "**"):
            self.take()
            exponent = self.unary()
            if base.is_zero and (exponent.is_negative or exponent.is_zero is None):
                self.fail("it raises zero to a negative power")
            return base**exponent
        return base

    def atom(self):
        kind, value, pos = self.take()
        if kind == "num":
            return decimal_to_rational(value)
        if kind == "name":
            if value in _CONSTS:
                return _CONSTS[value]
            if value in _FUNCS:
                self.take("(")
                arg = self.sum()
                self.take(")")
                if value == "log" and arg.is_positive is not True:
                    self.fail("log needs a positive argument")
                if value == "atanh" and not (abs(arg) < 1) == sp.true:
                    self.fail("atanh needs an argument between -1 and 1")
                return _FUNCS[value](arg)
            self.fail(f"unknown name {value!r} at column {pos + 1}")
        if value == "(":
            inner = self.sum()
            self.take(")")
            return inner
        self.fail(f"unexpected {value!r} at column {pos + 1}")


def parse_number(text: str | int | Fraction | sp.Expr) -> sp.Expr:
    """Read one exact real number; raise :class:`NumberError` with a one-line fix otherwise."""
    if isinstance(text, bool):
        raise NumberError(f"{text!r} is not a number")
    if isinstance(text, int):
        return sp.Integer(text)
    if isinstance(text, Fraction):
        return sp.Rational(text)
    if isinstance(text, float):
        raise NumberError(
            f"{text!r} is a float and may not be exact; write it as a string such as '0.1' or '1/10'"
        )
    if isinstance(text, sp.Expr):
        value = text
    elif isinstance(text, str):
        value = _NumberParser(text).parse()
    else:
        raise NumberError(f"{text!r} is not a number")
    if value.free_symbols or value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        raise NumberError(f"{text!r} is not a finite number")
    if value.is_real is False or value.is_extended_real is False:
        raise NumberError(f"{text!r} is not a real number")
    return value


def to_str(value: sp.Expr) -> str:
    """The string SymPy's parser reads back to the same exact value.

    >>> to_str(sp.Rational(-2, 3))
    '-2/3'
    """
    return sp.sstr(value, full_prec=True)


def is_rational(value) -> bool:
    return isinstance(value, sp.Rational)
