"""Claims for every optimizer step: ``always: F`` and ``H -> always: F``, by induction.

* base: ``H -> F`` at the starting point (``H -> after k: F`` for ``H -> after k: always: F``);
* step: for *every* parameter value (the data as given), ``F -> after 1: F``.

Both proved means F holds after every number of steps (the step is proved for all
parameters, which includes every point the trajectory visits).  If the base fails, its
counterexample is a real one.  If only the step fails, F is not inductive: the prover then
looks for a real trajectory that breaks F within a few steps (``H -> after k: F``) and
otherwise answers unknown, saying the induction failed.

With momentum the optimizer's state is the parameters *and* the buffer, so the step is
proved for every value of both (the buffer's entries become free variables ``buf_W1``...).
A dead unit's weight can then still move (its buffer need not be 0), so the plain body is
rarely inductive; the prover then tries one strengthening, ``F and buf(P) == 0`` for
every parameter (or entry) P whose gradient F forces to 0 (each found by proving
``F -> grad(P) == 0``), and uses it only if base and step both prove it -- an invariant
that implies F, so F holds at every step.  A free learning rate (or momentum, decay) is
quantified in base and step alike.
"""

from __future__ import annotations

import dataclasses

import sympy as sp

from ..claims import ast
from ..problem import Problem

BOUNDED_STEPS = 3


def split(claim: ast.Formula):
    """(hypothesis or None, steps k, body) when the claim is ``always: F``, ``H -> always:
    F``, or either with ``after k: always: F`` (F from step k on).

    >>> from symgrad.claims import parse
    >>> split(parse("W1 == 0 -> after 2: always: b1 == 0"))[1:]
    (2, Cmp(op='==', left=Ref(name='b1', indices=()), right=Num(value=0)))
    """
    hyp, goal = (claim.left, claim.right) if isinstance(claim, ast.Implies) else (None, claim)
    k = 0
    if isinstance(goal, ast.After) and isinstance(goal.body, ast.Always):
        k, goal = goal.steps, goal.body
    if isinstance(goal, ast.Always):
        return hyp, k, goal.body
    return None


def _implies(h, f, k=0):
    f = ast.After(k, f) if k else f
    return f if h is None else ast.Implies(h, f)


def _mentions(node, kind) -> bool:
    """Does the syntax tree contain a node of this class?"""
    if isinstance(node, kind):
        return True
    if isinstance(node, tuple):
        return any(_mentions(n, kind) for n in node)
    if dataclasses.is_dataclass(node):
        return any(_mentions(getattr(node, f.name), kind) for f in dataclasses.fields(node))
    return False


def _entries(shape):
    if len(shape) == 2:
        return [(i, j) for i in range(1, shape[0] + 1) for j in range(1, shape[1] + 1)]
    return [(i,) for i in range(1, shape[0] + 1)]


def _zero_gradients(body, state: Problem, run, budget) -> list[ast.Buf]:
    """The parameters (whole, or else entry by entry) whose gradient the body forces to 0
    at every state, each proved with ``body -> grad(P) == 0``."""
    zero = ast.Num(sp.Integer(0))
    out = []
    for name in state.network.param_names:
        if budget.expired():
            break
        whole = run(ast.Implies(body, ast.Cmp("==", ast.Grad(name), zero)), state)
        if whole.verdict == "proved":
            out.append(ast.Buf(name))
            continue
        for idx in _entries(state.network.shape(name)) if whole.verdict == "refuted" else ():
            if budget.expired():
                break
            r = run(ast.Implies(body, ast.Cmp("==", ast.Grad(name, idx), zero)), state)
            if r.verdict == "proved":
                out.append(ast.Buf(name, idx))
    return out


def _step_claim(inv):
    return ast.Implies(inv, ast.After(1, inv))


def _proved(base, step, invariant, body, note=None) -> dict:
    certificate = {
        "kind": "induction",
        "text": "base: the invariant holds at the start; step: for every value of the "
                "optimizer's state (the parameters, and the momentum buffer if it matters; "
                "same data), if the invariant holds then it holds after one more optimizer "
                "step; so it holds after every step" + (
                    "" if invariant is body else ", and it implies the claim's body"),
        "invariant": str(invariant),
        "base": {"method": base.method, "evidence": base.certificate},
        "step": {"claim": str(_step_claim(invariant)), "method": step.method,
                 "evidence": step.certificate}}
    if note:
        certificate["strengthening"] = note
    return {"verdict": "proved", "method": "induction", "certificate": certificate,
            "free": base.free}


def prove_always(claim, problem: Problem, budget, run) -> dict:
    """``run(claim, problem)`` decides one ordinary claim; returns ProofResult fields."""
    hyp, start, body = split(claim)
    opt = problem.optimizer
    base = run(_implies(hyp, body, start), problem)
    if base.verdict == "refuted":
        return {"verdict": "refuted", "method": f"induction base ({base.method})",
                "witness": base.witness, "checked": base.checked, "batch": base.batch,
                "free": base.free,
                "note": "the claim already fails before any step" if not start
                else f"the body already fails after {start} step(s)"}
    momentum = opt is not None and opt.momentum != 0
    # a mid-training state: any parameters, and any buffer when it matters
    state = dataclasses.replace(problem, params={}, buffer="free" if momentum or _mentions(
        body, ast.Buf) else None)
    step = run(_step_claim(body), state)
    if base.verdict == "proved" and step.verdict == "proved":
        return _proved(base, step, body, body)
    tried = None
    if momentum and base.verdict == "proved" and step.verdict != "proved" \
            and not budget.expired():
        zeros = _zero_gradients(body, state, run, budget)
        if zeros:
            invariant = ast.And((body,) + tuple(ast.Cmp("==", b, ast.Num(sp.Integer(0))) for b in zeros))
            tried = str(invariant)
            base2 = run(_implies(hyp, invariant, start), problem)
            step2 = run(_step_claim(invariant), state) if base2.verdict == "proved" else None
            if step2 is not None and step2.verdict == "proved":
                return _proved(base2, step2, invariant, body, note=(
                    "the body alone is not inductive with the momentum buffer free, so the "
                    "buffer of every parameter whose gradient the body forces to 0 is also "
                    "assumed 0 -- true at the start (a fresh buffer is 0) and kept by every "
                    "step"))
            tried += (f" (base {base2.verdict}" + (f", step {step2.verdict})" if step2
                                                    else ")"))
    for k in range(1, BOUNDED_STEPS + 1):
        if budget.expired():
            break
        bounded = run(_implies(hyp, body, start + k), problem)
        if bounded.verdict == "refuted":
            return {"verdict": "refuted", "method": f"trajectory search ({bounded.method})",
                    "witness": bounded.witness, "checked": bounded.checked,
                    "batch": bounded.batch, "free": bounded.free,
                    "note": f"the body fails after {start + k} step(s)",
                    "trajectory_steps": start + k}
    parts = []
    if base.verdict != "proved":
        parts.append(f"the base case is {base.verdict}" + (f" ({base.reason})"
                                                            if base.reason else ""))
    if step.verdict != "proved":
        parts.append("the body is not inductive: " + (
            "some values of the optimizer's state (parameters" + (", momentum buffer"
                                                                  if state.buffer else "")
            + ") satisfy it but not after one step" if step.verdict
            == "refuted" else f"the step could not be decided ({step.reason})"))
        if momentum:
            parts.append("the strengthened invariant " + tried + " did not prove either"
                         if tried else "no strengthening with buf(P) == 0 applied (the body "
                         "forces no gradient to 0)")
    return {"verdict": "unknown", "method": "induction",
            "reason": "; ".join(parts) + f"; no trajectory breaks it within {BOUNDED_STEPS} "
                      "steps"}
