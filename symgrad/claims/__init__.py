"""The claim language: grammar, parser, syntax tree and printing back (no eval anywhere).

>>> c = parse("(all m: z1[m] < 0) -> grad(W1) == 0")
>>> print(c)
(all m: z1[m] < 0) -> grad(W1) == 0
"""

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
from .parser import parse

__all__ = ["After", "Always", "And", "At", "BinOp", "Bool", "Buf", "Cmp", "Formula", "Grad", "Iff", "Implies",
           "Loss", "Neg", "Not", "Num", "Or", "Quant", "Ref", "Term", "parse"]
