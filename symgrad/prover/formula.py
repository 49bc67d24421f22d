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


_FLIP = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}


def nnf(f, negate: bool = False):
    """Negations pushed down to the atoms (``not ==`` stays a negated atom)."""
    if isinstance(f, Const):
        return Const(f.value != negate)
    if isinstance(f, Atom):
        if not negate:
            return f
        return Negation(f) if f.op == "==" else Atom(_FLIP[f.op], f.left, f.right, f.label)
    if isinstance(f, Negation):
        return nnf(f.arg, not negate)
    kind = f.kind if not negate else ("or" if f.kind == "and" else "and")
    args = [nnf(a, negate) for a in f.args]
    return conj(args) if kind == "and" else disj(args)


def branch(f, rng) -> list:
    """One conjunction of the NNF formula's DNF, picking a random argument at every
    ``or``: a way to try the branches of a formula whose full DNF is too large."""
    if isinstance(f, Const):
        return [] if f.value else [f]
    if isinstance(f, Atom | Negation):
        return [f]
    if f.kind == "or":
        return branch(rng.choice(f.args), rng)
    return [lit for a in f.args for lit in branch(a, rng)]


def branches(f, rng, count: int, limit: int = 256) -> list[list]:
    """Every DNF conjunction when there are at most ``limit``, else ``count`` random ones."""
    every = dnf(f, limit)
    if every is not None:
        return every
    out = []
    for _ in range(count):
        b = branch(f, rng)
        if b not in out:
            out.append(b)
    return out


def dnf(f, limit: int = 64) -> list[list] | None:
    """Disjunctive normal form of an NNF formula: a list of conjunctions (lists of
    literals); None if it would have more than ``limit`` conjunctions."""
    if isinstance(f, Const):
        return [[]] if f.value else []
    if isinstance(f, Atom | Negation):
        return [[f]]
    parts = [dnf(a, limit) for a in f.args]
    if any(p is None for p in parts):
        return None
    if f.kind == "or":
        out = [c for p in parts for c in p]
        return out if len(out) <= limit else None
    out = [[]]
    for p in parts:
        out = [c + d for c in out for d in p]
        if len(out) > limit:
            return None
    return out
