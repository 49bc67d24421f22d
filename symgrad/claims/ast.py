"""Syntax tree of claims: immutable nodes that print themselves back as claim text.

Terms: ``Num``, ``Ref`` (a parameter, data or layer value, with 1-based indices; also
the optimizer's ``lr``, ``momentum``, ``weight_decay``), ``Grad``, ``Buf`` (the momentum
buffer), ``At`` (a term k optimizer steps later), ``Loss``, ``Neg``, ``BinOp``.
Formulas: ``Cmp``, ``Not``, ``And``, ``Or``, ``Implies``, ``Iff``, ``Quant``, ``Bool``,
``After``, ``Always``.  An index is an int or a bound variable name.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..exact import to_str

Index = int | str

# binding strength, for printing back with the fewest parentheses
_PREC = {"iff": 1, "implies": 2, "or": 3, "and": 4, "not": 5, "quant": 0, "atom": 6}


class Term:
    prec = 9


class Formula:
    kind = "atom"

    def __str__(self) -> str:
        return self.show()


def _idx(indices: tuple[Index, ...]) -> str:
    return "[" + ",".join(str(i) for i in indices) + "]" if indices else ""


@dataclass(frozen=True)
class Num(Term):
    value: sp.Rational

    def __str__(self):
        return to_str(self.value)

    @property
    def prec(self):
        # a fraction prints as p/q, so it binds like a product of two numbers
        if not self.value.is_Integer:
            return 6
        return 9 if self.value >= 0 else 8


@dataclass(frozen=True)
class Ref(Term):
    """``W1``, ``b2[1]``, ``x[m,2]``, ``z1[m]``, ``a2[m,i]``: name and indices as written
    (the name is canonical: ``w1`` is stored as ``W1``)."""

    name: str
    indices: tuple[Index, ...] = ()

    def __str__(self):
        return self.name + _idx(self.indices)


@dataclass(frozen=True)
class Grad(Term):
    """``grad(W1)`` or ``grad(W1[i,j])``."""

    param: str
    indices: tuple[Index, ...] = ()

    def __str__(self):
        return f"grad({self.param}{_idx(self.indices)})"


@dataclass(frozen=True)
class Buf(Term):
    """``buf(W1)`` or ``buf(W1[i,j])``: the optimizer's momentum buffer for a parameter,
    the step that led to the current parameters (0 before the first step)."""

    param: str
    indices: tuple[Index, ...] = ()

    def __str__(self):
        return f"buf({self.param}{_idx(self.indices)})"


@dataclass(frozen=True)
class At(Term):
    """``at(k, t)``: the term t read k optimizer steps later than where ``at`` stands
    (relative, as ``after k:``), so ``at(2, W1) - at(1, W1)`` is one update of W1."""

    steps: int
    term: Term

    def __str__(self):
        return f"at({self.steps}, {self.term})"


@dataclass(frozen=True)
class Loss(Term):
    def __str__(self):
        return "loss"


@dataclass(frozen=True)
class Neg(Term):
    arg: Term
    prec = 8

    def __str__(self):
        inner = str(self.arg)
        return "-" + (inner if self.arg.prec >= 8 else f"({inner})")


@dataclass(frozen=True)
class BinOp(Term):
    op: str  # + - * /
    left: Term
    right: Term

    @property
    def prec(self):
        return 6 if self.op in "+-" else 7

    def __str__(self):
        left = str(self.left) if self.left.prec >= self.prec else f"({self.left})"
        # the parser groups to the left, so a right operand of equal precedence keeps its
        # parentheses -- except a fraction after + or -, which still reads as one number
        tight = self.right.prec > self.prec or (isinstance(self.right, Num)
                                                and self.op in "+-")
        right = str(self.right) if tight else f"({self.right})"
        return f"{left} {self.op} {right}"


def _needs_parens(f: Formula, parent: str, right_side: bool) -> bool:
    if f.kind == "quant":
        return not right_side  # its body would swallow what follows
    if _PREC[f.kind] < _PREC[parent]:
        return True
    if f.kind == parent == "implies":
        return not right_side  # -> is right-associative
    if f.kind == parent == "iff":
        return right_side or _ends_open(f)  # <-> groups to the left
    return not right_side and _ends_open(f)


def _ends_open(f: Formula) -> bool:
    """Does the printed text end inside a quantifier body (so a suffix would join it)?"""
    last = {"quant": None, "not": "arg", "and": "args", "or": "args", "implies": "right",
            "iff": "right"}.get(f.kind, "")
    if last is None:
        return True
    if not last:
        return False
    child = getattr(f, last)
    child = child[-1] if isinstance(child, tuple) else child
    return not _needs_parens(child, f.kind, True) and _ends_open(child)


def _wrap(f: Formula, parent: str, right_side: bool = False) -> str:
    text = f.show()
    return f"({text})" if _needs_parens(f, parent, right_side) else text


@dataclass(frozen=True)
class Bool(Formula):
    value: bool

    def show(self):
        return "true" if self.value else "false"


@dataclass(frozen=True)
class Cmp(Formula):
    op: str  # == != < <= > >=
    left: Term
    right: Term

    def show(self):
        return f"{self.left} {self.op} {self.right}"


@dataclass(frozen=True)
class Not(Formula):
    arg: Formula
    kind = "not"

    def show(self):
        return "not " + _wrap(self.arg, "not", True)


class _Junction(Formula):
    """``and`` / ``or`` of two or more formulas; ``kind`` is also the keyword."""

    def show(self):
        last = len(self.args) - 1
        return f" {self.kind} ".join(_wrap(a, self.kind, i == last)
                                     for i, a in enumerate(self.args))


@dataclass(frozen=True)
class And(_Junction):
    args: tuple[Formula, ...]
    kind = "and"


@dataclass(frozen=True)
class Or(_Junction):
    args: tuple[Formula, ...]
    kind = "or"


class _Connective(Formula):
    """``left -> right`` / ``left <-> right``; ``symbol`` is the operator."""

    def show(self):
        return (f"{_wrap(self.left, self.kind)} {self.symbol} "
                f"{_wrap(self.right, self.kind, True)}")


@dataclass(frozen=True)
class Implies(_Connective):
    left: Formula
    right: Formula
    kind = "implies"
    symbol = "->"


@dataclass(frozen=True)
class Iff(_Connective):
    left: Formula
    right: Formula
    kind = "iff"
    symbol = "<->"


@dataclass(frozen=True)
class Quant(Formula):
    q: str  # all | any
    var: str
    body: Formula
    kind = "quant"

    def show(self):
        return f"{self.q} {self.var}: {self.body.show()}"


@dataclass(frozen=True)
class After(Formula):
    """``after k: body`` -- the body at the parameters after k optimizer steps (the data
    stay fixed; the optimizer comes with the problem, e.g. ``--lr``)."""

    steps: int
    body: Formula
    kind = "quant"  # prints and binds like a quantifier: the body reaches right

    def show(self):
        return f"after {self.steps}: {self.body.show()}"


@dataclass(frozen=True)
class Always(Formula):
    """``always: body`` -- the body after every number of optimizer steps (0, 1, 2, ...).
    Allowed as a whole claim or as the conclusion of ``H -> always: F``; proved by
    induction."""

    body: Formula
    kind = "quant"

    def show(self):
        return f"always: {self.body.show()}"
