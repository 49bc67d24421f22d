"""From user input (command-line options and a TOML spec file) to a :class:`Problem`.

Flags given on the command line win over the file.  TOML floats are read from their text
(``0.1`` stays 1/10), never through a float.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SpecError
from .network import Network
from .problem import Problem

NETWORK_KEYS = ("layers", "act", "out", "loss", "reduction", "relu_grad_at_zero", "slope")


@dataclass
class Options:
    """What a command line says; ``None`` means not given."""

    layers: str | None = None
    act: str | None = None
    out: str | None = None
    loss: str | None = None
    reduction: str | None = None
    relu_grad_at_zero: str | None = None
    slope: str | None = None
    batch: str | None = None
    sets: list[str] = field(default_factory=list)
    x: str | None = None
    y: str | None = None
    spec: Path | None = None
    lr: str | None = None  # an optimizer, for claims with ``after k:``
    momentum: str | None = None
    weight_decay: str | None = None
    decay_biases: bool = False

    def optimizer(self):
        """The optimizer the options give, or None without --lr."""
        if self.lr is None:
            if self.momentum is not None or self.weight_decay is not None or self.decay_biases:
                raise SpecError("--momentum, --weight-decay and --decay-biases need --lr")
            return None
        from .train import Optimizer
        return Optimizer(self.lr, self.momentum or "0", self.weight_decay or "0",
                         self.decay_biases)


def load_spec(path: Path) -> dict:
    """Read a TOML spec; floats keep their written text so they stay exact."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"cannot read --spec {str(path)!r}: {exc.strerror}") from None
    try:
        data = tomllib.loads(text, parse_float=str)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"--spec {str(path)!r} is not valid TOML: {exc}") from None
    unknown = set(data) - {"network", "params", "data", "claim"}
    if unknown:
        raise SpecError(
            f"--spec {str(path)!r} has unknown table(s) {sorted(unknown)}; "
            "use [network], [params], [data], [claim]"
        )
    return data


def _split_set(item: str) -> tuple[str, str]:
    if "=" not in item:
        raise SpecError(f"--set {item!r} needs NAME=VALUE, e.g. --set W1=1 or --set \"W1=[[1],[2]]\"")
    name, value = item.split("=", 1)
    if not name.strip() or not value.strip():
        raise SpecError(f"--set {item!r} needs NAME=VALUE, e.g. --set W1=1")
    return name.strip(), value.strip()


def _text(v):
    return v if isinstance(v, str) else str(v) if isinstance(v, int) else v


def build(opts: Options) -> tuple[Problem, str | None]:
    """The problem the options describe, and the claim text of the spec file, if any."""
    spec = load_spec(opts.spec) if opts.spec else {}
    net_table = dict(spec.get("network", {}))
    data_table = dict(spec.get("data", {}))
    unknown = set(net_table) - set(NETWORK_KEYS) - {"batch"}
    if unknown:
        raise SpecError(f"[network] has unknown key(s) {sorted(unknown)}; "
                        f"use {', '.join(NETWORK_KEYS)}")
    kwargs = {}
    for key in NETWORK_KEYS:
        flag = getattr(opts, key)
        value = flag if flag is not None else net_table.get(key)
        if value is not None:
            kwargs[key] = _text(value) if key != "layers" or isinstance(value, str) else value
    network = Network(**kwargs)

    params = {}
    for name, value in dict(spec.get("params", {})).items():
        params[network.canonical(name)] = _text(value)
    for item in opts.sets:
        name, value = _split_set(item)
        params[network.canonical(name)] = value  # flags win

    x = opts.x if opts.x is not None else data_table.get("x")
    y = opts.y if opts.y is not None else data_table.get("y")
    batch = opts.batch if opts.batch is not None else (
        data_table.get("batch", net_table.get("batch")))
    if opts.x is not None or opts.y is not None:
        batch = opts.batch
    claim = spec.get("claim", {}).get("text") if isinstance(spec.get("claim"), dict) else None
    return Problem(network, params=params, x=x, y=y, batch=batch,
                   optimizer=opts.optimizer()), claim
