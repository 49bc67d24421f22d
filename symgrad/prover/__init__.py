"""The prover: ``prove`` (for all free values) and ``find`` (there exist), by strategies
tried in order under one time budget, with every witness re-checked independently.

Strategies, cheapest first:

1. ``evaluate`` -- everything fixed: exact evaluation.
2. ``certificate`` -- (prove only) cofactor identities over opaque activation symbols.
3. ``smt`` -- Z3 nlsat, exact for piecewise-linear nets, an abstraction for smooth ones.
4. ``inverse`` -- (smooth nets, sigmoid outputs) choose activation values, solve for the
   parameters through the activations' exact inverses (logit, atanh).
5. ``constructive`` -- draw parameters and inputs, solve for the targets.

A witness from any strategy is accepted only if :mod:`symgrad.check` (forward-mode
gradients, its own claim walk) agrees, and the printed gradients agree with the checker's.
"""

from __future__ import annotations

import threading
from dataclasses import replace

from .. import check, signs
from ..claims import parse
from ..claims.ast import Formula
from ..errors import SpecError, SymgradError
from ..network import Network
from ..problem import Instance, Problem
from ..results import ProofResult, SizeVerdict
from ..witness import Witness
from . import certificate, constructive, evaluate, induction, inverse, sizes, smt
from .constructive import _Slice
from .domains import SympyDomain
from .elaborate import Elaborator
from .outcome import Budget, Sat, Unknown, Unsat

_LOCK = threading.Lock()  # Z3's global context is not thread-safe: one prover run at a time


def _same(a, b) -> bool:
    if a.is_Rational and b.is_Rational:
        return a == b
    return signs.compare("==", a, b) is True


def _gradients_agree(witness: Witness) -> bool:
    other = check.forward_mode_gradients(witness.instance)

    def flat(t):
        return [e for row in t for e in (row if isinstance(row, list) else [row])]
    return all(_same(a, b) for name in other
               for a, b in zip(flat(witness.gradients[name]), flat(other[name]), strict=True))


def _strategies(command: str):
    """(name, run(claim, instance, budget)) in the order they are tried.

    Z3 gets a short first try; on smooth nets and sigmoid outputs the inverse search
    then gets at most 8 s (a third of what is left), since nlsat's models of the smooth
    abstraction are not witnesses; the constructive search then looks for a witness in
    seconds where nlsat can take minutes on larger batches; Z3 then gets the rest.
    """
    want = command == "find"
    first = [("evaluate", lambda c, i, b: evaluate.run(c, i, want, b))]
    if command == "prove":
        first.append(("certificate", certificate.run))
    return first + [
        ("smt", lambda c, i, b: smt.run(c, i, want, _Slice(b, 1.0))),
        ("inverse", lambda c, i, b: inverse.run(c, i, want,
                                                 _Slice(b, min(8.0, b.remaining() / 3)))),
        ("constructive", lambda c, i, b: constructive.run(c, i, want, b)),
        ("smt", lambda c, i, b: smt.run(c, i, want, b)),
    ]


def decide(claim: Formula, inst: Instance, command: str, budget: Budget) -> dict:
    """Run the strategies at one batch size; a dict of ProofResult fields."""
    want = command == "find"
    notes = []
    for name, strategy in _strategies(command):
        if budget.expired():
            notes.append("out of time")
            break
        out = strategy(claim, inst, budget)
        if isinstance(out, Unsat):
            return {"verdict": "proved" if command == "prove" else "impossible",
                    "method": out.method, "certificate": out.certificate}
        if isinstance(out, Sat):
            concrete = inst.substitute(out.assignment)
            verdict = check.holds(claim, concrete)
            if verdict is want:
                witness = Witness.of(concrete)
                if _gradients_agree(witness):
                    return {"verdict": "found" if want else "refuted", "method": out.method,
                            "witness": witness, "checked": True}
                notes.append(f"{name}: the printed gradients disagreed with the checker's "
                             "(a bug; the witness was withheld)")
            elif verdict is None:
                notes.append(f"{name}: its witness could not be certified exactly")
            else:
                notes.append(f"{name}: its witness failed the independent check "
                             "(a bug; the witness was withheld)")
            continue
        if isinstance(out, Unknown) and out.reason not in ("some values are free",
                                                            "everything is fixed; evaluation decides"):
            note = f"{name}: {out.reason}"
            if note not in notes:
                notes.append(note)
    return {"verdict": "unknown", "method": "none", "reason": "; ".join(notes) or "no strategy applies"}


def _validate(claim: Formula, inst: Instance) -> None:
    """Resolve every name and shape once, so errors come before any search."""
    Elaborator(inst.network, inst.batch, _NameOnly(inst)).formula(claim)


class _NameOnly(SympyDomain):
    """A domain that only needs shapes: every value is 0 (no gradient is computed)."""

    def __init__(self, inst):
        self.inst = inst

    def after(self, k):
        if k and self.inst.optimizer is None:
            from ..errors import ClaimNameError
            raise ClaimNameError("'after k:' needs an optimizer: give --lr (and, if wanted, "
                                 "--momentum, --weight-decay, --decay-biases)")
        return self

    def const(self, q):
        return q

    def source(self, src):
        import sympy as sp

        from ..claims.names import shape_of

        def zeros(shape):
            return [zeros(shape[1:]) for _ in range(shape[0])] if shape else sp.Integer(0)
        return zeros(shape_of(src, self.inst.network, self.inst.batch))


def _run(command: str, claim: Formula, problem: Problem, budget: Budget,
         progress=None) -> ProofResult:
    for M in problem.batch_sizes:  # every name and index, at every size, before any search
        _validate(claim, problem.instance(M))
    per_size = []  # (M, fields, instance)
    for M in problem.batch_sizes:
        if progress is not None and len(problem.batch_sizes) > 1:
            progress(f"batch size {M}: deciding ({budget.elapsed():.1f} s so far)")
        inst = problem.instance(M)
        if not per_size:
            if command == "find" and not inst.free:
                raise SpecError("find has nothing to look for: every parameter and datum is "
                                "fixed; use 'symgrad prove' to evaluate the claim there")
        if budget.expired():
            per_size.append((M, {"verdict": "unknown", "method": "none",
                                 "reason": "out of time"}, inst))
            break
        fields = decide(claim, inst, command, budget)
        per_size.append((M, fields, inst))
        if fields["verdict"] in ("refuted", "found"):
            break
    sizes = tuple(SizeVerdict(M, f["verdict"], f["method"], f.get("reason") or "")
                  for M, f, _ in per_size)
    base = {"command": command, "claim": claim, "network": problem.network, "sizes": sizes,
            "optimizer": problem.optimizer}
    M, fields, inst = per_size[-1]
    free = tuple(map(str, inst.free))
    if fields["verdict"] in ("refuted", "found"):
        undecided = [str(s.batch) for s in sizes[:-1] if s.verdict == "unknown"]
        note = ("batch sizes " + ", ".join(undecided) + " were not decided, so " + str(M)
                + " may not be the smallest") if undecided else None
        return ProofResult(batch=M, free=free, note=note, seconds=budget.elapsed(), **base,
                           **fields)
    if len(per_size) == 1 and len(problem.batch_sizes) == 1:
        return ProofResult(batch=M, free=free, seconds=budget.elapsed(), **base, **fields)
    if len(per_size) == len(problem.batch_sizes) and all(
            s.verdict in ("proved", "impossible") for s in sizes):
        methods = sorted({s.method for s in sizes})
        certificate = {"kind": "per batch size",
                       "sizes": {str(m): f.get("certificate") for m, f, _ in per_size}}
        return ProofResult(verdict=sizes[0].verdict, method=", ".join(methods), batch=None,
                           certificate=certificate, free=free, seconds=budget.elapsed(), **base)
    reasons = "; ".join(f"M = {s.batch}: {s.detail}" for s in sizes if s.verdict == "unknown")
    return ProofResult(verdict="unknown", method="none", batch=None, free=free,
                       reason=reasons or "out of time", seconds=budget.elapsed(), **base)


def _as_problem(network, problem, params, x, y, batch) -> Problem:
    if isinstance(network, Problem):
        return network
    if problem is not None:
        return problem
    return Problem(network or Network(), params=params or {}, x=x, y=y, batch=batch)


def _always(command, formula, prob: Problem, budget, progress) -> ProofResult:
    if command != "prove":
        raise SpecError("'always:' claims are proved by induction: use prove (for find, ask "
                        "'after k:' for a given k)")
    fields = induction.prove_always(
        formula, prob, budget, lambda c, p: _run("prove", c, p, budget, progress))
    return ProofResult(command=command, claim=formula, network=prob.network,
                       batch=fields.pop("batch", None) or (
                           prob.batch[0] if prob.batch[0] == prob.batch[1] else None),
                       optimizer=prob.optimizer,
                       seconds=budget.elapsed(), **fields)


def _all_sizes(command, formula, prob: Problem, budget, progress) -> ProofResult:
    """``prove --all-sizes``: a derivation valid at every width (and depth), else the
    given size decides a refutation, else a search at neighbouring sizes, else unknown."""
    if command != "prove":
        raise SpecError("--all-sizes is for prove: a witness has one size, so use find at "
                        "the sizes you want")
    if prob.params or prob.x is not None or prob.y is not None:
        raise SpecError("--all-sizes needs every parameter and datum free (a fixed value has "
                        "one shape); state values as hypotheses instead, e.g. 'W2 == 0 -> ...'")
    if prob.optimizer is not None:
        raise SpecError("--all-sizes does not cover training steps; drop --lr")
    for M in prob.batch_sizes:
        _validate(formula, prob.instance(M))
    base = {"command": command, "claim": formula, "network": prob.network,
            "batch": prob.batch[0] if prob.batch[0] == prob.batch[1] else None}
    found = {M: sizes.derive(formula, prob.network, M) for M in prob.batch_sizes}
    if all(d.proved for d in found.values()):
        certs = {M: d.certificate() for M, d in found.items()}
        cert = certs[prob.batch[0]] if len(certs) == 1 else {
            "kind": "per batch size", "sizes": {str(M): c for M, c in certs.items()}}
        return ProofResult(verdict="proved", method="all sizes", certificate=cert,
                           seconds=budget.elapsed(), **base)
    why = "; ".join(f"M = {M}: {d.reason}" if len(found) > 1 else d.reason
                    for M, d in found.items() if not d.proved)
    given = _run(command, formula, prob, budget, progress)
    if given.verdict == "refuted":
        return replace(given, note="false at the given size, so not true for all sizes")
    for layers in _neighbours(prob.network.layers):
        if budget.expired():
            break
        if progress is not None:
            progress(f"looking for a counterexample at layers {','.join(map(str, layers))}")
        other = replace(prob, network=replace(prob.network, layers=layers))
        try:
            share = min(budget.remaining(), max(0.5, budget.remaining() / 4))
            res = _run(command, formula, other, Budget(share), None)
        except SymgradError:  # the claim names something this size lacks
            continue
        if res.verdict == "refuted":
            return replace(res, note=f"false at layers {','.join(map(str, layers))}, so not "
                           "true for all sizes (the given size: " + given.verdict + ")")
    at = f"{given.verdict} at layers {prob.network.layers_text}"
    return ProofResult(verdict="unknown", method="none", seconds=budget.elapsed(),
                       reason=f"no size-independent argument ({why}); {at} "
                       f"({given.method}), and no counterexample at the neighbouring sizes "
                       "tried", **base)


def _neighbours(layers: tuple[int, ...]) -> list[tuple[int, ...]]:
    """Sizes one unit wider at one layer, then one hidden layer deeper."""
    wider = [tuple(n + (k == i) for k, n in enumerate(layers)) for i in range(len(layers))]
    deeper = [layers[:-1] + (layers[-2],) + layers[-1:]] if len(layers) > 2 else []
    return wider + deeper


_STALE: list[threading.Thread] = []  # workers past their deadline that have not stopped yet


class Abandoned(BaseException):
    """Raised inside a prover thread that outlived its --timeout.  A BaseException, so no
    ``except Exception`` on the way up swallows it; the thread unwinds and frees the lock."""


def _abandon(worker: threading.Thread, wait: float = 5.0) -> None:
    """Stop a worker past its deadline: SymPy's expand/simplify have no time limit of
    their own, so an exception is set in the thread (CPython delivers it at the next
    bytecode; a Z3 call, which has its own timeout, is left to return first).  It is set
    again while the thread lives: one delivered inside a garbage-collector callback or a
    ``__del__`` is swallowed there."""
    import ctypes
    import time
    end = time.monotonic() + wait
    while worker.is_alive() and time.monotonic() < end:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(worker.ident),
                                                   ctypes.py_object(Abandoned))
        worker.join(0.5)


def busy() -> bool:
    """True while a prover run (perhaps one that timed out) is still working."""
    return _LOCK.locked()


def _entry(command: str, claim, network, problem, params, x, y, batch, timeout,
           progress=None, all_sizes=False) -> ProofResult:
    formula = parse(claim) if isinstance(claim, str) else claim
    prob = _as_problem(network, problem, params, x, y, batch)
    try:
        seconds = float(timeout)  # a time limit, not a reported value
    except (TypeError, ValueError):
        raise SpecError(f"--timeout {timeout!r} is not a number of seconds") from None
    if not seconds > 0:
        raise SpecError("--timeout must be a positive number of seconds")
    budget = Budget(seconds)
    box: dict = {}

    def work():
        try:
            _work()
        except Abandoned:  # a second stop that arrived after the first had unwound
            pass

    def _work():
        with _LOCK:
            try:
                if all_sizes:
                    box["result"] = _all_sizes(command, formula, prob, budget, progress)
                elif induction.split(formula) is not None:
                    box["result"] = _always(command, formula, prob, budget, progress)
                else:
                    box["result"] = _run(command, formula, prob, budget, progress)
            except BaseException as exc:  # handed to the caller's thread below
                box["error"] = exc

    for old in [t for t in _STALE if t.is_alive()]:  # one that outlived an earlier stop
        _abandon(old, wait=min(10.0, seconds))
    _STALE[:] = [t for t in _STALE if t.is_alive()]
    worker = threading.Thread(target=work, daemon=True, name=f"symgrad-{command}")
    worker.start()
    worker.join(seconds + min(2.0, 0.1 * seconds))
    if worker.is_alive():
        _abandon(worker)
        if worker.is_alive():
            _STALE.append(worker)
    if "error" in box and not isinstance(box["error"], Abandoned):
        raise box["error"]
    if "result" in box:
        return box["result"]
    return ProofResult(command=command, verdict="unknown", claim=formula, network=prob.network,
                       batch=None, method="none",
                       reason=f"timed out after {timeout} s (--timeout)", seconds=seconds)


def prove(claim, network=None, *, problem: Problem | None = None, params=None, x=None, y=None,
          batch=None, timeout=60, progress=None, all_sizes=False) -> ProofResult:
    """Decide whether the claim holds for every value of the free variables.

    With ``all_sizes=True`` it must hold at every layer width (and, when the claim names
    only the first and the last layer, every depth): see :mod:`symgrad.prover.sizes`.

    >>> prove("grad(b2) == 0 -> grad(W1) == 0", batch=1).verdict
    'proved'
    >>> r = prove("grad(b2) == 0 -> grad(W1) == 0", batch=3)
    >>> r.verdict, r.checked
    ('refuted', True)
    """
    return _entry("prove", claim, network, problem, params, x, y, batch, timeout, progress,
                  all_sizes)


def find(condition, network=None, *, problem: Problem | None = None, params=None, x=None,
         y=None, batch=None, timeout=60, progress=None) -> ProofResult:
    """Look for values of the free variables that make the condition true.

    >>> r = find("grad(b2) == 0 and grad(W2) == 0 and grad(W1) != 0 and grad(b1) != 0",
    ...          batch="1..3")
    >>> r.verdict, r.batch, [s.verdict for s in r.sizes]
    ('found', 3, ['impossible', 'impossible', 'found'])
    """
    return _entry("find", condition, network, problem, params, x, y, batch, timeout, progress)


__all__ = ["SymgradError", "decide", "find", "prove"]
