"""--timeout is honoured even where SymPy has no time limit of its own, and a run that
timed out does not keep the prover busy for the next question."""

from __future__ import annotations

import time

from symgrad import Network, Problem, prove
from symgrad.prover import busy
from symgrad.train import Optimizer


def test_a_timed_out_run_frees_the_prover():
    # steps of a sigmoid net from W = 0 make nested exponentials whose exact-zero tests
    # (expand, simplify) run far past any deadline
    slow = Problem(Network(layers="1,2,1", act="sigmoid"), batch=1, optimizer=Optimizer("1/2"))
    start = time.monotonic()
    r = prove("W1 == 0 and W2 == 0 -> always: grad(W1) == 0", problem=slow, timeout=3)
    assert r.verdict == "unknown" and "timed out" in r.reason
    assert time.monotonic() - start < 3 + 2 + 5 + 5  # deadline, grace, abandon wait, slack
    assert not busy()
    assert prove("grad(b2) == 0 -> grad(W1) == 0", batch=2, timeout=30).verdict == "refuted"
