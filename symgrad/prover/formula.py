"""Quantifier-free formulas over the values of one domain (SymPy, Z3 or opaque symbols).

A claim elaborated at a batch size becomes a tree of :class:`Atom` (``left op right``
with op in ``== < <= > >=``), :class:`Junction` (and / or), :class:`Negation` and
:class:`Const`; ``!=`` is ``Negation(==)``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Atom:
    op: str
    left: object
    right: object
    label: str = ""  # the claim text of ``left - right``, for evidence


@dataclass(frozen=True)
class Junction:
    kind: str  # "and" | "or"
    args: tuple


@dataclass(frozen=True)
class Negation:
    arg: object


@dataclass(frozen=True)
class Const:
    value: bool


TRUE, FALSE = Const(True), Const(False)


def conj(args) -> object:
    args = tuple(a for a in args if a != TRUE)
    if FALSE in args:
        return FALSE
    return args[0] if len(args) == 1 else Junction("and", args) if args else TRUE


def disj(args) -> object:
    args = tuple(a for a in args if a != FALSE)
    if TRUE in args:
        return TRUE
    return args[0] if len(args) == 1 else Junction("or", args) if args else FALSE


def neg(f) -> object:
    if isinstance(f, Const):
        return Const(not f.value)
    if isinstance(f, Negation):
        return f.arg
    return Negation(f)


def atoms(f):
    """Every atom of the formula."""
    if isinstance(f, Atom):
        yield f
    elif isinstance(f, Junction):
        for a in f.args:
            yield from atoms(a)
    elif isinstance(f, Negation):
        yield from atoms(f.arg)
