"""``make run``: the seed threads' questions, asked of the prover (``python -m symgrad.seeds``).

Each question is a claim about a network; nothing here knows the answers -- the prover
decides each one and the verdicts are printed as they come.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

from . import Network, Problem, find, gradients, prove
from .train import Optimizer

RULE = "=" * 78


@dataclass(frozen=True)
class Question:
    thread: str
    text: str
    command: str  # prove | find
    claim: str
    network: Network
    batch: str = "1"
    params: tuple = ()
    lr: str | None = None  # an optimizer, for claims about training
    weight_decay: str = "0"
    momentum: str = "0"
    all_sizes: bool = False  # prove it for every width and depth


SEED_NET = Network()  # 1-1-1, relu hidden, identity output, mse, mean


QUESTIONS = [
    Question("000/001", "Single sample: zero output-layer gradients force zero hidden gradients?",
             "prove", "grad(W2) == 0 and grad(b2) == 0 -> grad(W1) == 0 and grad(b1) == 0",
             SEED_NET, "1"),
    Question("000/001", "The same, for a deeper and wider ReLU net (2-3-2-1)",
             "prove", "grad(W3) == 0 and grad(b3) == 0 -> grad(W1) == 0 and grad(b1) == 0 "
             "and grad(W2) == 0 and grad(b2) == 0", Network(layers="2,3,2,1"), "1"),
    Question("000/001", "... for every width and depth (one sample)",
             "prove", "grad(W2) == 0 and grad(b2) == 0 -> grad(W1) == 0 and grad(b1) == 0",
             SEED_NET, "1", all_sizes=True),
    Question("000/001", "... and for a batch of samples (smallest batch that breaks it)",
             "prove", "grad(W2) == 0 and grad(b2) == 0 -> grad(W1) == 0 and grad(b1) == 0",
             SEED_NET, "1..4"),
    Question("000/001", "Single sample, weights only (biases ignored), ReLU with relu'(0) = 0",
             "prove", "grad(W2) == 0 -> grad(W1) == 0", SEED_NET, "1"),
    Question("000/001", "... for every width and depth", "prove", "grad(W2) == 0 -> grad(W1) == 0",
             SEED_NET, "1", all_sizes=True),
    Question("000/001", "... the same with relu'(0) = 1",
             "prove", "grad(W2) == 0 -> grad(W1) == 0", Network(relu_grad_at_zero=1), "1"),
    Question("000/001", "... the same with leaky ReLU",
             "prove", "grad(W2) == 0 -> grad(W1) == 0", Network(act="leaky_relu"), "1"),
    Question("002", "Output-layer gradients 0 but hidden ones not: the smallest dataset",
             "find", "grad(b2) == 0 and grad(W2) == 0 and grad(W1) != 0 and grad(b1) != 0",
             SEED_NET, "1..6"),
    Question("003", "A dead ReLU (z1 < 0 on every sample) has zero hidden and output-weight "
             "gradients", "prove",
             "(all m: z1[m] < 0) -> grad(W1) == 0 and grad(b1) == 0 and grad(W2) == 0",
             SEED_NET, "1..3"),
    Question("003", "... at every width and depth (3 samples)", "prove",
             "(all m: z1[m] < 0) -> grad(W1) == 0 and grad(b1) == 0", SEED_NET, "3",
             all_sizes=True),
    Question("003", "... but the output bias can still learn",
             "find", "(all m: z1[m] < 0) and grad(b2) != 0", SEED_NET, "1"),
    Question("003", "... and with leaky ReLU the hidden weight still gets a gradient",
             "find", "(all m: z1[m] < 0) and grad(W1) != 0", Network(act="leaky_relu"), "1"),
    Question("003", "Under plain gradient descent a dead ReLU stays dead and its weight never moves",
             "prove", "(all m: z1[m] < 0) -> always: (all m: z1[m] < 0) and grad(W1) == 0",
             SEED_NET, "2", lr="1/10"),
    Question("003", "... for every learning rate > 0 (--lr free)",
             "prove", "(all m: z1[m] < 0) -> always: (all m: z1[m] < 0) and grad(W1) == 0",
             SEED_NET, "2", lr="free"),
    Question("003", "... and with momentum from a fresh start (the buffer is state)",
             "prove", "(all m: z1[m] < 0) -> always: (all m: z1[m] < 0) and grad(W1) == 0",
             SEED_NET, "2", lr="1/10", momentum="1/2"),
    Question("003", "... but with momentum a unit that just died keeps moving",
             "find", "at(2, W1) != at(1, W1) and after 1: (all m: z1[m] < 0)",
             SEED_NET, "1", lr="1/10", momentum="9/10"),
    Question("003", "... but with weight decay it can come back to life",
             "prove", "(all m: z1[m] < 0) -> always: (all m: z1[m] < 0)",
             SEED_NET, "2", lr="1/10", weight_decay="1/10"),
    Question("004", "W = 0 (biases free), 1-2-1 ReLU: are the hidden-weight gradients zero?",
             "prove", "W1 == 0 and W2 == 0 -> grad(W1) == 0", Network(layers="1,2,1"), "1..2"),
    Question("004", "... and the output-weight gradients?",
             "prove", "W1 == 0 and W2 == 0 -> grad(W2) == 0", Network(layers="1,2,1"), "1"),
    Question("004", "... the two hidden units get equal gradients (symmetry is not broken)",
             "prove", "W1 == 0 and W2 == 0 -> grad(W1[1,1]) == grad(W1[2,1])",
             Network(layers="1,2,1"), "1..2"),
    Question("004", "... and do they stay zero? (the weights step out of zero)",
             "prove", "W1 == 0 and W2 == 0 -> always: grad(W1) == 0",
             Network(layers="1,2,1"), "1", lr="1/2"),
    Question("004", "Hidden units that start equal stay equal for ever (tanh): symmetry never breaks",
             "prove", "W1[1,1] == W1[2,1] and b1[1] == b1[2] and W2[1,1] == W2[1,2] -> always: "
             "W1[1,1] == W1[2,1] and b1[1] == b1[2] and W2[1,1] == W2[1,2]",
             Network(layers="1,2,1", act="tanh"), "2", lr="1/10"),
    Question("004", "tanh, W = 0 and b1 = 0: the output weights get no gradient either",
             "prove", "W1 == 0 and W2 == 0 and b1 == 0 -> grad(W2) == 0",
             Network(layers="1,2,1", act="tanh"), "1..2"),
]


def seed_002_gradients() -> str:
    """The worked example of seed 002: w1 = w2 = 1, b1 = b2 = -1, x = (0, 2, 3), y = (-2, 2, 0)."""
    result = gradients(SEED_NET, params={"W1": 1, "b1": -1, "W2": 1, "b2": -1},
                       x="0; 2; 3", y="-2; 2; 0")
    return result.to_text()


def problem_of(q: Question, batch=None) -> Problem:
    """The question's network, fixed values, batch (or the one given) and optimizer."""
    optimizer = Optimizer(q.lr, momentum=q.momentum, weight_decay=q.weight_decay) if q.lr \
        else None
    return Problem(q.network, params=dict(q.params), batch=batch or q.batch,
                   optimizer=optimizer)


def ask(q: Question, timeout: float = 60):
    run = prove if q.command == "prove" else find
    extra = {"all_sizes": True} if q.all_sizes else {}
    return run(q.claim, problem=problem_of(q), timeout=timeout, **extra)


def main(argv: list[str] | None = None) -> int:
    verbose = "--verbose" in (argv if argv is not None else sys.argv[1:])
    print(RULE)
    print("Seed 002: exact gradients of the worked example (3 samples)")
    print(RULE)
    print(seed_002_gradients())
    print()
    print(RULE)
    print("The seed threads' questions, decided by the prover")
    print(RULE)
    for q in QUESTIONS:
        t0 = time.perf_counter()
        result = ask(q)
        seconds = time.perf_counter() - t0
        print(f"\n[{q.thread}] {q.text}")
        print(f"  symgrad {q.command} \"{q.claim}\" --layers {q.network.layers_text} "
              f"--act {q.network.act}"
              + (f" --relu-grad-at-zero {q.network.relu_grad_at_zero}"
                 if q.network.relu_grad_at_zero != 0 else "") + f" --batch {q.batch}"
              + (f" --lr {q.lr}" if q.lr else "")
              + (f" --momentum {q.momentum}" if q.momentum != "0" else "")
              + (f" --weight-decay {q.weight_decay}" if q.weight_decay != "0" else "")
              + (" --all-sizes" if q.all_sizes else ""))
        where = f" at batch size {result.batch}" if result.batch is not None else ""
        print(f"  => {result.verdict}{where} by {result.method} ({seconds:.2f} s)")
        if verbose or result.witness is not None:
            body = result.to_text().splitlines()[1:]
            keep = [ln for ln in body if ln.startswith("    ") or "witness" in ln
                    or "counterexample" in ln or "reason" in ln]
            print("\n".join(keep))
        elif result.reason:
            print(f"  reason: {result.reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
