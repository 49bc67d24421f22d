"""Claims for every optimizer step: ``always: F`` and ``H -> always: F``, by induction.

* base: ``H -> F`` at the starting point;
* step: for *every* parameter value (the data as given), ``F -> after 1: F``.

Both proved means F holds after every number of steps (the step is proved for all
parameters, which includes every point the trajectory visits).  If the base fails, its
counterexample is a real one.  If only the step fails, F is not inductive: the prover then
looks for a real trajectory that breaks F within a few steps (``H -> after k: F``) and
otherwise answers unknown, saying the induction failed.
"""

from __future__ import annotations

import dataclasses

from ..claims import ast
from ..problem import Problem

BOUNDED_STEPS = 3


def split(claim: ast.Formula):
    """(hypothesis or None, body) when the claim is ``always: F`` or ``H -> always: F``."""
    if isinstance(claim, ast.Always):
        return None, claim.body
    if isinstance(claim, ast.Implies) and isinstance(claim.right, ast.Always):
        return claim.left, claim.right.body
    return None


def _implies(h, f):
    return f if h is None else ast.Implies(h, f)


def prove_always(claim, problem: Problem, budget, run) -> dict:
    """``run(claim, problem)`` decides one ordinary claim; returns ProofResult fields."""
    hyp, body = split(claim)
    opt = problem.optimizer
    if opt is not None and opt.momentum != 0:
        return {"verdict": "unknown", "method": "induction",
                "reason": "induction over steps with momentum is not supported yet (the "
                          "buffer would be part of the state); try 'after k:' claims"}
    base = run(_implies(hyp, body), problem)
    if base.verdict == "refuted":
        return {"verdict": "refuted", "method": f"induction base ({base.method})",
                "witness": base.witness, "checked": base.checked, "batch": base.batch,
                "note": "the claim already fails before any step"}
    free_params = dataclasses.replace(problem, params={})
    step = run(ast.Implies(body, ast.After(1, body)), free_params)
    if base.verdict == "proved" and step.verdict == "proved":
        return {"verdict": "proved", "method": "induction", "certificate": {
            "kind": "induction",
            "text": "base: the body holds at the start; step: for every value of the "
                    "parameters (same data), if the body holds then it holds after one "
                    "more optimizer step; so it holds after every step",
            "base": {"method": base.method, "evidence": base.certificate},
            "step": {"claim": str(ast.Implies(body, ast.After(1, body))),
                     "method": step.method, "evidence": step.certificate}}}
    for k in range(1, BOUNDED_STEPS + 1):
        if budget.expired():
            break
        bounded = run(_implies(hyp, ast.After(k, body)), problem)
        if bounded.verdict == "refuted":
            return {"verdict": "refuted", "method": f"trajectory search ({bounded.method})",
                    "witness": bounded.witness, "checked": bounded.checked,
                    "batch": bounded.batch, "note": f"the body fails after {k} step(s)"}
    parts = []
    if base.verdict != "proved":
        parts.append(f"the base case is {base.verdict}" + (f" ({base.reason})"
                                                            if base.reason else ""))
    if step.verdict != "proved":
        parts.append("the body is not inductive: " + (
            "some parameter values satisfy it but not after one step" if step.verdict
            == "refuted" else f"the step could not be decided ({step.reason})"))
    return {"verdict": "unknown", "method": "induction",
            "reason": "; ".join(parts) + f"; no trajectory breaks it within {BOUNDED_STEPS} "
                      "steps"}
