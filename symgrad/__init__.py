"""symgrad: exact gradients of small neural networks, and a prover for claims about them.

>>> import symgrad
>>> net = symgrad.Network(layers=(1, 1, 1), act="relu")
>>> symgrad.gradients(net, params={"W1": 1, "b1": -1, "W2": 1, "b2": -1},
...                   x="0; 2; 3", y="-2; 2; 0")["W1"]
[[-2/3]]
"""

from .errors import (
    ClaimNameError,
    ClaimSyntaxError,
    NumberError,
    SpecError,
    SymgradError,
    UnsupportedError,
)
from .exact import parse_number
from .gradients import GradientResult, gradients
from .network import Network
from .problem import Problem
from .prover import find, prove
from .results import ProofResult

__version__ = "0.1.0"

__all__ = [
    "ClaimNameError",
    "ClaimSyntaxError",
    "GradientResult",
    "Network",
    "NumberError",
    "Problem",
    "ProofResult",
    "SpecError",
    "SymgradError",
    "UnsupportedError",
    "__version__",
    "find",
    "gradients",
    "parse_number",
    "prove",
]
