"""``make bench``: exact gradients against NumPy float64 and naive SymPy, side by side.

A 1-H-1 ReLU net with small random rationals (numerators in [-9, 9], denominators in
[1, 9]), full-batch mse.  Each timing is the best of several runs in this one process,
so the ratios compare like with like on a shared, noisy machine.
"""

from __future__ import annotations

import argparse
import random
import time

import numpy as np
import sympy as sp

from symgrad import Network, Problem
from symgrad.gradients import exact_gradients

SIZES = [(4, 100), (16, 1000), (64, 10000)]


def rational(rng):
    return sp.Rational(rng.randint(-9, 9), rng.randint(1, 9))


def make(H, M, seed=0):
    rng = random.Random(seed)
    params = {"W1": [[rational(rng)] for _ in range(H)], "b1": [rational(rng) for _ in range(H)],
              "W2": [[rational(rng) for _ in range(H)]], "b2": [rational(rng)]}
    x = [[rational(rng)] for _ in range(M)]
    y = [[rational(rng)] for _ in range(M)]
    return Problem(Network(layers=(1, H, 1)), params=params, x=x, y=y)


def numpy_reference(p):
    """The same computation in float64, vectorised (what a framework would do)."""
    f = lambda t: np.array(t, dtype=object).astype(float)  # noqa: E731
    W1, b1, W2, b2 = (f(p.params[k]) for k in ("W1", "b1", "W2", "b2"))
    X, Y = f(p.x), f(p.y)

    def run():
        z1 = X @ W1.T + b1
        a1 = np.maximum(z1, 0.0)
        out = a1 @ W2.T + b2
        delta = 2.0 * (out - Y) / len(X)
        gW2 = delta.T @ a1
        gb2 = delta.sum(0)
        d1 = (delta @ W2) * (z1 > 0)
        return d1.T @ X, d1.sum(0), gW2, gb2
    return run


def naive_sympy(p):
    """sympy.diff of the whole loss expression, then substitution of the values."""
    inst = p.instance()
    H = len(p.params["b1"])
    sym = {k: sp.Symbol(k) for k in ["b2"] + [f"w1_{i}" for i in range(H)]
           + [f"b1_{i}" for i in range(H)] + [f"w2_{i}" for i in range(H)]}
    loss = 0
    for xm, ym in zip(inst.values["x"], inst.values["y"], strict=True):
        out = sym["b2"] + sum(sym[f"w2_{i}"] * sp.Max(0, sym[f"w1_{i}"] * xm[0] + sym[f"b1_{i}"])
                              for i in range(H))
        loss += (out - ym[0]) ** 2
    loss = loss / len(inst.values["x"])
    values = {sym["b2"]: p.params["b2"][0]}
    for i in range(H):
        values[sym[f"w1_{i}"]] = p.params["W1"][i][0]
        values[sym[f"b1_{i}"]] = p.params["b1"][i]
        values[sym[f"w2_{i}"]] = p.params["W2"][0][i]
    return {k: sp.diff(loss, s).subs(values) for k, s in sym.items()}


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--naive-up-to", type=int, default=100,
                    help="run naive SymPy only for batches up to this size (it takes minutes)")
    args = ap.parse_args()
    print("1-H-1 ReLU, mse, random rationals; best-of-N wall times in one process")
    print(f"{'H':>4} {'M':>6} {'numpy f64':>11} {'symgrad':>11} {'ratio':>8} "
          f"{'naive sympy':>12} {'speed-up':>9}")
    for H, M in SIZES:
        p = make(H, M)
        inst = p.instance()
        ref = numpy_reference(p)
        t_np = best(ref, 50)
        t_ex = best(lambda inst=inst: exact_gradients(inst), 7)
        naive = speed = "-"
        if M <= args.naive_up_to:
            t0 = time.perf_counter()
            slow = naive_sympy(p)
            t_naive = time.perf_counter() - t0
            fast = exact_gradients(inst)
            assert slow["b2"] == fast["b2"][0], "naive and exact disagree"
            naive, speed = f"{t_naive:10.2f} s", f"{t_naive / t_ex:8.0f}x"
        print(f"{H:>4} {M:>6} {t_np * 1e3:9.3f}ms {t_ex * 1e3:9.3f}ms {t_ex / t_np:7.1f}x "
              f"{naive:>12} {speed:>9}")
    bench_seed_claims()
    bench_training()


def bench_seed_claims():
    """Each strategy alone on each seed question, and the prover end to end."""
    from symgrad.claims import parse
    from symgrad.prover import certificate, induction, smt
    from symgrad.prover.outcome import Budget, Sat, Unsat
    from symgrad.seeds import QUESTIONS, ask, problem_of

    print("\nSeed questions: each strategy alone (largest batch of the question) and the prover")
    print(f"{'thread':<8} {'claim':<58} {'certif.':>9} {'smt':>9} {'prover':>9}  verdict")
    for q in QUESTIONS:
        claim = parse(q.claim)
        M = int(q.batch.split("..")[-1])
        inst = problem_of(q, batch=M).instance()
        want = q.command == "find"
        cells = []
        runs = (("certificate", lambda c=claim, i=inst: certificate.run(c, i, Budget(60))),
                ("smt", lambda c=claim, i=inst, w=want: smt.run(c, i, w, Budget(60))))
        for name, run in runs:
            if induction.split(claim) is not None:  # proved by induction: no single run
                cells.append("-")
                continue
            if name == "certificate" and want:
                cells.append("-")
                continue
            t0 = time.perf_counter()
            out = run()
            dt = time.perf_counter() - t0
            mark = "" if isinstance(out, Sat | Unsat) else "?"
            cells.append(f"{dt * 1e3:.0f}ms{mark}")
        t0 = time.perf_counter()
        result = ask(q)
        dt = time.perf_counter() - t0
        text = q.claim if len(q.claim) <= 58 else q.claim[:55] + "..."
        print(f"{q.thread:<8} {text:<58} {cells[0]:>9} {cells[1]:>9} {dt * 1e3:7.0f}ms  "
              f"{result.verdict} ({result.method})")
    print("('?' = that strategy alone could not decide; the prover tries them in order)")


def bench_training():
    """1-4-1 ReLU, 100 samples, lr 1/10: exact steps, then certified enclosures."""
    from symgrad.train import _short, train

    rng = random.Random(1)

    def small():
        return sp.Rational(rng.randint(-3, 3), rng.randint(1, 4))
    H, M = 4, 100
    p = Problem(Network(layers=(1, H, 1)),
                params={"W1": [[small()] for _ in range(H)], "b1": [small() for _ in range(H)],
                        "W2": [[small() for _ in range(H)]], "b2": [small()]},
                x=[[small()] for _ in range(M)], y=[[small()] for _ in range(M)])
    print("\nTraining 1-4-1 ReLU, 100 samples, lr 1/10 (goal: 1,000 steps in under 10 s)")
    for steps in (10, 100, 1000):
        t0 = time.perf_counter()
        t = train(p, steps=steps, lr="1/10")
        dt = time.perf_counter() - t0
        last = t.steps[-1]
        print(f"  {steps:>5} steps: {dt:6.2f} s, {t.exact_steps} exact, final loss "
              f"{_short(last.loss)}"
              + (f" (stopped: {t.stopped})" if t.stopped else ""))


if __name__ == "__main__":
    main()
