"""Verdicts of ``prove`` and ``find`` as objects that print themselves.

>>> from symgrad import prove, Network
>>> r = prove("grad(b2) == 0 -> grad(W1) == 0", Network(), batch=1)
>>> r.verdict, r.exit_code, r.checked
('proved', 0, False)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from .claims.ast import Formula
from .exact import to_str
from .network import Network
from .render import Renderable, md_escape, strings, text_tensor
from .witness import Witness


def horizon(f) -> int:
    """How many optimizer steps ahead a claim looks (``after``/``at`` nest and add up).

    >>> from symgrad.claims import parse
    >>> horizon(parse("at(2, W1) != at(1, W1) and after 1: (all m: z1[m] < 0)"))
    2
    """
    from dataclasses import fields, is_dataclass

    from .claims import ast
    if isinstance(f, tuple):
        return max((horizon(e) for e in f), default=0)
    if not is_dataclass(f):
        return 0
    inner = max((horizon(getattr(f, x.name)) for x in fields(f)), default=0)
    return inner + (f.steps if isinstance(f, ast.After | ast.At) else 0)


def _optimizer_text(o) -> str:
    def show(v):
        return "free" if v.free_symbols else to_str(v)
    return (f"full-batch SGD, lr {show(o.lr)}"
            + (f", momentum {show(o.momentum)}" if o.momentum else "")
            + (f", weight decay {show(o.weight_decay)}" if o.weight_decay else "")
            + (" (biases too)" if o.decay_biases and o.weight_decay else ""))


EXIT = {"proved": 0, "found": 0, "refuted": 1, "impossible": 1, "unknown": 3}
HEADLINE = {
    "proved": "proved: the claim holds for every value of the free variables",
    "refuted": "refuted: the claim is false; here is a counterexample",
    "found": "found: values that make the condition true",
    "impossible": "impossible: no values make the condition true",
    "unknown": "unknown: symgrad could not decide this",
}


@dataclass(frozen=True)
class SizeVerdict:
    batch: int
    verdict: str
    method: str
    detail: str = ""


@dataclass(frozen=True)
class ProofResult(Renderable):
    """The answer of ``prove`` / ``find``."""

    command: str  # "prove" | "find"
    verdict: str
    claim: Formula
    network: Network
    batch: int | None  # the batch size the verdict is about (None: every size tried)
    method: str
    certificate: dict | None = None
    witness: Witness | None = None
    reason: str | None = None
    checked: bool = False
    sizes: tuple[SizeVerdict, ...] = field(default_factory=tuple)
    free: tuple[str, ...] = ()
    note: str | None = None
    seconds: float = 0.0
    optimizer: object = None  # for claims with ``after k:``
    trajectory_steps: int | None = None  # steps of the witness's trajectory to show

    def trajectory(self) -> list[dict]:
        """The witness's trajectory as far as the claim looks ahead, replayed by the
        independent checker (:func:`symgrad.check.stepped`): [{step, params, buffer}]."""
        w = self.witness
        if w is None or w.instance.optimizer is None:
            return []
        steps = self.trajectory_steps if self.trajectory_steps is not None else horizon(self.claim)
        if not steps:
            return []
        from .check import stepped
        out, inst = [], w.instance
        for k in range(steps + 1):
            state = stepped(inst, k)
            entry = {"step": k, "params": {n: state.values[n] for n in w.params}}
            if state.buffer is not None and w.instance.optimizer.momentum != 0:
                entry["buffer"] = dict(state.buffer)
            out.append(entry)
        return out

    def _free_optimizer(self) -> bool:
        return self.optimizer is not None and bool(self.optimizer.free)

    @property
    def exit_code(self) -> int:
        return EXIT[self.verdict]

    def __bool__(self) -> bool:
        return self.verdict in ("proved", "found")

    # -- JSON ----------------------------------------------------------------------------
    def to_json(self) -> dict:
        data = {"verdict": self.verdict, "claim": str(self.claim),
                "network": self.network.to_json(), "method": self.method}
        if self.optimizer is not None:
            data["optimizer"] = self.optimizer.to_json()
        if self.batch is not None:
            data["batch"] = self.batch
        if self.certificate is not None:
            data["certificate"] = self.certificate
        if self.witness is not None:
            witness = self.witness.to_json()
            trajectory = self.trajectory()
            if trajectory:
                witness["trajectory"] = [
                    {"step": t["step"], "params": {n: strings(v) for n, v in t["params"].items()},
                     **({"buffer": {n: strings(v) for n, v in t["buffer"].items()}}
                        if "buffer" in t else {})} for t in trajectory]
            data["counterexample" if self.verdict == "refuted" else "witness"] = witness
        if self.reason is not None:
            data["reason"] = self.reason
        if self.note:
            data["note"] = self.note
        if len(self.sizes) > 1 or (self.sizes and self.batch is None):
            data["sizes"] = [{"batch": s.batch, "verdict": s.verdict, "method": s.method,
                              **({"detail": s.detail} if s.detail else {})}
                             for s in self.sizes]
        data["checked"] = self.checked
        return data

    # -- text ----------------------------------------------------------------------------
    def _batch_text(self) -> str:
        if self.batch is None:
            sizes = [s.batch for s in self.sizes]
            if not sizes:
                return "-"
            return f"{sizes[0]}" if len(sizes) == 1 else f"{sizes[0]}..{sizes[-1]} (each size)"
        return f"{self.batch} sample{'s' if self.batch != 1 else ''}"

    def _certificate_lines(self) -> list[str]:
        cert = self.certificate or {}
        lines = []
        if cert.get("text"):
            lines.append(cert["text"])
        for key in ("solver", "encoding", "invariant", "strengthening"):
            if cert.get(key):
                lines.append(f"{key}: {cert[key]}")
        for key in ("base", "step"):  # an induction's two proofs
            if isinstance(cert.get(key), dict):
                what = f" ({cert[key]['claim']})" if cert[key].get("claim") else ""
                lines.append(f"{key}{what}: proved by {cert[key]['method']}")
        if cert.get("kind") == "all sizes":
            lines.append(f"holds for: {cert['scope']}")
            lines.append("hypotheses: " + (", ".join(cert["hypotheses"]) or "none"))
            if cert["dropped"]:
                lines.append("not used (outside the size-independent facts): "
                             + ", ".join(cert["dropped"]))
            lines.append("derivation:")
            lines += ["  " + step for step in cert["derivation"]]
            lines.append("rules:")
            lines += [f"  {name}: {text}" for name, text in cert["rules"].items()]
            return lines
        for ident in cert.get("identities", []):
            lines.append("  " + ident)
        if cert.get("regions"):
            lines.append("in the activation region the hypotheses fix:")
            lines += ["  " + r for r in cert["regions"]]
        if cert.get("hypotheses"):
            lines.append("where")
            lines += ["  " + h for h in cert["hypotheses"]]
        for sym, meaning in cert.get("symbols", {}).items():
            lines.append(f"  {sym} stands for {meaning}")
        return lines

    def to_text(self) -> str:
        lines = [HEADLINE[self.verdict],
                 f"  claim:   {self.claim}",
                 f"  network: {self.network.describe()}",
                 f"  batch:   {self._batch_text()}"]
        if self.optimizer is not None:
            lines.append("  steps:   " + _optimizer_text(self.optimizer)
                         + ("" if not self.optimizer.free else " (" + ", ".join(
                             self.optimizer.ranges()) + ")"))
        if self.free:
            lines.append(f"  free:    {', '.join(self.free)}"
                         f" ({'for all' if self.command == 'prove' else 'there exist'})")
        lines.append(f"  method:  {self.method}")
        if self.reason:
            lines.append(f"  reason:  {self.reason}")
        if self.note:
            lines.append(f"  note:    {self.note}")
        cert = self._certificate_lines()
        if cert:
            lines.append("  evidence:")
            lines += ["    " + c for c in cert]
        if self.witness is not None:
            what = "counterexample" if self.verdict == "refuted" else "witness"
            lines.append(f"  {what} (re-checked exactly: {'yes' if self.checked else 'no'}):")
            if self._free_optimizer():
                lines.append("    optimizer: " + _optimizer_text(self.witness.instance.optimizer))
            lines.append(self.witness.to_text())
            trajectory = self.trajectory()
            if trajectory:
                lines.append("    trajectory (replayed by the checker):")
                for t in trajectory:
                    lines.append(f"      step {t['step']}: " + ", ".join(
                        f"{n} = {text_tensor(v)}" for n, v in t["params"].items())
                        + ("; buffer " + ", ".join(f"{n} = {text_tensor(v)}"
                                                   for n, v in t["buffer"].items())
                           if "buffer" in t else ""))
        if len(self.sizes) > 1:
            lines.append("  by batch size:")
            for s in self.sizes:
                lines.append(f"    M = {s.batch}: {s.verdict} ({s.method})"
                             + (f" - {s.detail}" if s.detail else ""))
        return "\n".join(lines)

    def to_markdown(self) -> str:
        lines = [f"**{HEADLINE[self.verdict]}**", "",
                 f"- claim: `{self.claim}`",
                 f"- network: {md_escape(self.network.describe())}",
                 f"- batch: {self._batch_text()}",
                 f"- method: {self.method}"]
        if self.free:
            lines.append(f"- free variables ({'for all' if self.command == 'prove' else 'exist'}):"
                         f" {', '.join(self.free)}")
        if self.reason:
            lines.append(f"- reason: {md_escape(self.reason)}")
        cert = self._certificate_lines()
        if cert:
            lines += ["", "Evidence:", "", "```", *cert, "```"]
        if self.witness is not None:
            what = "Counterexample" if self.verdict == "refuted" else "Witness"
            lines += ["", f"{what} (re-checked exactly: {'yes' if self.checked else 'no'}):", "",
                      self.witness.to_markdown()]
        if len(self.sizes) > 1:
            lines += ["", "| batch size | verdict | method |", "|---|---|---|"]
            lines += [f"| {s.batch} | {s.verdict} | {s.method} |" for s in self.sizes]
        return "\n".join(lines)

    def to_latex(self) -> str:
        claim = str(self.claim).replace("_", r"\_")
        parts = [rf"\textbf{{{self.verdict}}}: \texttt{{{claim}}}\\",
                 rf"{self.network.describe()}; batch: {self._batch_text()}; "
                 rf"method: {self.method}\\".replace("_", r"\_")]
        if self.reason:
            parts.append(rf"reason: {self.reason}\\".replace("_", r"\_"))
        cert = self._certificate_lines()
        if cert:
            parts.append("\\begin{verbatim}\n" + "\n".join(cert) + "\n\\end{verbatim}")
        if self.witness is not None:
            parts.append(self.witness.to_latex())
        return "\n".join(parts)

    def _repr_latex_(self) -> str | None:
        return None  # Markdown (with inline LaTeX) reads better in notebooks

    def __repr__(self) -> str:
        return f"<ProofResult {self.verdict} {json.dumps(str(self.claim))}>"
