"""What the names in a claim refer to, checked against a network and a batch size.

A reference resolves to a *source* tensor and a *path* of 0-based indices into it:

==============  ===================  ================================
claim           source               shape of the source
==============  ===================  ================================
``W1``          ("param", "W1")      (n1, n0)
``grad(b2)``    ("grad", "b2")       (n2,)
``buf(W1)``     ("buf", "W1")        (n1, n0)
``lr``          ("opt", "lr")        scalar (also momentum, weight_decay)
``x``, ``y``    ("data", "x")        (M, n0) -- samples first
``z1``, ``a1``  ("layer", "z", 1)    (M, n1); ``a0`` is the input x
``loss``        ("loss",)            scalar
==============  ===================  ================================

>>> from symgrad.network import Network
>>> from symgrad.claims.ast import Ref
>>> resolve(Ref("x", (3,)), {}, Network(), 3)
(('data', 'x'), (2,))
"""

from __future__ import annotations

import re

from ..errors import ClaimNameError
from ..network import Network
from .ast import Buf, Grad, Loss, Ref

_LAYER = re.compile(r"^([za])(\d+)$")
OPTIMIZER_NAMES = ("lr", "momentum", "weight_decay")


def shape_of(source: tuple, net: Network, M: int) -> tuple[int, ...]:
    kind = source[0]
    if kind in ("param", "grad", "buf"):
        return net.shape(source[1])
    if kind == "data":
        return (M, net.n_in if source[1] == "x" else net.n_out)
    if kind == "layer":
        return (M, net.layers[source[2]])
    return ()


def _index(value, env: dict, what: str, size: int, label: str) -> int:
    if isinstance(value, str):
        if value not in env:
            raise ClaimNameError(
                f"index variable {value!r} in {label} is not bound; write e.g. "
                f"'all {value}: ...' or use a number")
        value = env[value]
    if not 1 <= value <= size:
        raise ClaimNameError(
            f"index {value} in {label} is out of range: {what} runs from 1 to {size} "
            "(indices are 1-based)")
    return value - 1


def resolve(ref, env: dict, net: Network, M: int) -> tuple[tuple, tuple[int, ...]]:
    """(source, path) for a Ref/Grad/Loss; raise :class:`ClaimNameError` if it is not there."""
    if isinstance(ref, Loss):
        return ("loss",), ()
    label = str(ref)
    if isinstance(ref, Grad | Buf):
        what = "grad" if isinstance(ref, Grad) else "buf"
        if ref.param not in net.param_names:
            raise ClaimNameError(
                f"{what}({ref.param}): the network {net.layers_text} has parameters "
                f"{', '.join(net.param_names)}")
        source = (what, ref.param)
        dims = ["row", "column"] if ref.param[0] == "W" else ["entry"]
    elif isinstance(ref, Ref):
        name = ref.name
        m = _LAYER.match(name)
        if name in net.param_names:
            source = ("param", name)
            dims = ["row", "column"] if name[0] == "W" else ["entry"]
        elif name in OPTIMIZER_NAMES:
            source = ("opt", name)
            dims = []
        elif name in ("x", "y"):
            source = ("data", name)
            dims = ["sample", "component"]
        elif m and int(m.group(2)) <= net.depth and (m.group(1) == "a" or int(m.group(2)) >= 1):
            layer = int(m.group(2))
            source = ("layer", m.group(1), layer) if layer else ("data", "x")
            dims = ["sample", "unit"]
        else:
            raise ClaimNameError(
                f"unknown name {name!r}; the network {net.layers_text} has "
                f"{', '.join(net.param_names)}, grad(...), x, y, "
                f"z1..z{net.depth}, a0..a{net.depth} and loss (and with an optimizer buf(...), "
                "at(k, ...), lr, momentum, weight_decay)")
    else:  # pragma: no cover - the parser makes no other references
        raise TypeError(ref)
    shape = shape_of(source, net, M)
    if len(ref.indices) > len(shape):
        raise ClaimNameError(
            f"{label} has {len(ref.indices)} indices, but it takes at most {len(shape)} "
            f"({', '.join(dims)})")
    path = tuple(_index(v, env, dims[k], shape[k], label) for k, v in enumerate(ref.indices))
    return source, path
