"""Write and execute the seed-thread notebooks (run once: ``python notebooks/make_notebooks.py``).

Each notebook is built from the cells below with nbformat, executed from a clean kernel
with nbclient, and saved *with* its outputs so that a reader on a code host sees the
results.  Needs: ``pip install matplotlib nbclient nbformat ipykernel``.

    python notebooks/make_notebooks.py            # all four
    python notebooks/make_notebooks.py 02         # only those whose name contains 02
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = '''\
import io

from IPython.display import Image, Markdown, display

import symgrad
from symgrad import Network, Problem, find, gradients, prove
from symgrad.explain import explain
from symgrad.plot import plot_gradient_along, plot_witness, witness_figure


def show(fig):
    """Display a matplotlib Figure (symgrad.plot draws without pyplot)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return Image(buf.getvalue())


def conditions(rows):
    """A Markdown table: what was asked, under which conditions, and the verdict."""
    lines = ["| question | network (activation, relu'(0)) | batch | verdict | method |",
             "|---|---|---|---|---|"]
    for label, r in rows:
        sizes = [s.batch for s in r.sizes]
        batch = (f"M = {r.batch}" if r.batch is not None
                 else f"every M in {sizes[0]}..{sizes[-1]}" if len(sizes) > 1 else "-")
        if r.batch == 1:
            batch += " (one sample)"
        lines.append(f"| {label} | {r.network.describe()} | {batch} | **{r.verdict}** "
                     f"| {r.method} |")
    return Markdown("\\n".join(lines))
'''

TRAINING = '''\
import flint
import sympy as sp

from symgrad.plot import trajectory_data
from symgrad.signs import compare
from symgrad.signs import sign as exact_sign
from symgrad.train import Optimizer, train


def sign(v):
    """-1, 0 or 1, certified: an exact number, or a ball that excludes 0 (or is exactly 0);
    None when a ball contains 0 and is not exactly 0."""
    if isinstance(v, flint.arb):
        if v > 0:
            return 1
        if v < 0:
            return -1
        return 0 if v.is_exact() and v.is_zero() else None
    return exact_sign(v)


def ball(v):
    """A python-flint ball: an exact rational as a point ball, a ball as it is."""
    return v if isinstance(v, flint.arb) else flint.arb(flint.fmpq(int(v.p), int(v.q)))


def relation(a, b):
    """'equal' or 'different' (certified), 'identical balls' (the same enclosure: not a
    proof of equality) or 'undecided' (overlapping balls)."""
    if isinstance(a, flint.arb) and isinstance(b, flint.arb):
        if a.is_exact() and b.is_exact():
            return "equal" if a == b else "different"
        if not a.overlaps(b):
            return "different"
        same = a.mid() == b.mid() and a.rad() == b.rad()
        return "identical balls" if same else "undecided"
    if isinstance(a, flint.arb) or isinstance(b, flint.arb):  # an exact step next to a ball
        return relation(ball(a), ball(b))
    return {True: "equal", False: "different", None: "undecided"}[compare("==", a, b)]


def changed_at(traj):
    """For every parameter entry: the steps k at which it differs from step k - 1 (certified);
    an 'undecided' comparison is listed as '?k'."""
    out = {}
    for label, values in list(trajectory_data(traj).items())[2:]:
        rel = [relation(a, b) for a, b in zip(values, values[1:])]
        out[label] = [k + 1 if r == "different" else f"?{k + 1}"
                      for k, r in enumerate(rel) if r not in ("equal", "identical balls")]
    return out


def start_of(result):
    """The witness (or counterexample) of a prover answer as a fully fixed Problem."""
    w = result.witness
    return Problem(w.instance.network, params=w.params, x=w.instance.values["x"],
                   y=w.instance.values["y"])


def optimizer_text(o):
    return (f"lr {o.lr}" + (f", momentum {o.momentum}" if o.momentum else "")
            + (f", weight decay {o.weight_decay}" if o.weight_decay else ""))


def training_verdicts(rows):
    """A Markdown table of prover answers about training, with the optimizer they assume."""
    lines = ["| question | network | batch | optimizer | verdict | method |",
             "|---|---|---|---|---|---|"]
    for label, batch, r in rows:
        lines.append(f"| {label} | {r.network.describe()} | M = {batch} | "
                     f"{optimizer_text(r.optimizer)} | **{r.verdict}** | {r.method} |")
    return Markdown("\\n".join(lines))
'''


def md(text: str):
    return new_markdown_cell(text.strip("\n"))


def code(text: str):
    return new_code_cell(text.strip("\n"))


# ---------------------------------------------------------------------------------------
NB01 = [
    md(r"""
# 01 · Zero output-layer gradients: must the hidden layer's gradients be zero too?

*Seed threads 000 and 001 (Data Science Stack Exchange).*

**The question, in our words.** Take a network with one hidden layer. Suppose the gradients
of the loss with respect to the output layer's weights and bias are all zero. Backpropagation
multiplies everything below by something coming from the output layer, so does it follow that
the hidden layer's weights and biases get zero gradients too?

The accepted answer says: *yes* for the gradient of a single sample, *no* for the accumulated
gradient of a batch, and *no* if only the output **weights** (not the bias) have zero gradient.
Below, each of these three statements is decided exactly by symgrad's prover — and one more
condition the answer does not mention turns out to matter: the value used for relu'(0).
"""),
    code(SETUP),
    md(r"""
## The network and its gradients

A 1-1-1 network: $z_1 = W_1 x + b_1$, $a_1 = \operatorname{relu}(z_1)$,
$\hat y = W_2 a_1 + b_2$, mean squared error. With every value left free, symgrad returns
the exact gradients as formulas (ReLUs of free values are `Piecewise`, with relu'(0) = 0 as in
PyTorch):
"""),
    code("""
net = Network(layers=(1, 1, 1), act="relu")
display(gradients(net, batch=1))
"""),
    md(r"""
## One sample: proved

The claim in symgrad's claim language (`->` is *implies*):
"""),
    code("""
claim = "grad(W2) == 0 and grad(b2) == 0 -> grad(W1) == 0 and grad(b1) == 0"
single = prove(claim, net, batch=1)
display(single)
"""),
    md(r"""
The certificate is the chain-rule argument of the answer, made checkable: each hidden
gradient is a polynomial multiple of $\partial L/\partial b_2$, and the identity holds with the
activation values treated as arbitrary numbers — so it holds for ReLU, tanh, sigmoid, and every
relu'(0). The full write-up:
"""),
    code("""
display(Markdown(explain(single)))
"""),
    md(r"""
The same argument for a deeper and wider ReLU net (2-3-2-1): every gradient is a multiple of
the output bias's gradient, for one sample.
"""),
    code("""
deep = prove("grad(W3) == 0 and grad(b3) == 0 -> grad(W1) == 0 and grad(b1) == 0 "
             "and grad(W2) == 0 and grad(b2) == 0", Network(layers="2,3,2,1"), batch=1)
display(deep)
"""),
    md(r"""
## A batch: refuted, already with two samples

With $M$ samples the gradient is an average of per-sample gradients, and the averages can
cancel for the output layer without cancelling for the hidden layer. symgrad tries batch sizes
1, 2, 3, 4 in order and stops at the first counterexample:
"""),
    code("""
batch = prove(claim, net, batch="1..4")
display(batch)
"""),
    code("""
show(witness_figure(batch))
"""),
    md(r"""
Reading the figure: the two residuals have opposite signs and equal size, so
$\partial L/\partial b_2 = \frac{2}{M}\sum_m r^{[m]} = 0$; the hidden activation is the
same for both samples, so $\partial L/\partial W_2$ cancels too — but the inputs differ, so
$\partial L/\partial W_1 = \frac{2}{M}\sum_m r^{[m]} W_2 f'(z^{[m]}) x^{[m]}$ does not.
"""),
    md(r"""
## Weights only (the bias gradient ignored)

The answer's third point: if only $\partial L/\partial W_2 = 0$ is assumed, the hidden layer can
still have a gradient. symgrad finds that this depends on the activation's derivative at 0:
"""),
    code("""
weights_only = "grad(W2) == 0 -> grad(W1) == 0"
w_relu0 = prove(weights_only, net, batch=1)
w_relu1 = prove(weights_only, Network(relu_grad_at_zero=1), batch=1)
w_leaky = prove(weights_only, Network(act="leaky_relu"), batch=1)
w_tanh = prove(weights_only, Network(act="tanh"), batch=1)
w_wide = prove(weights_only, Network(layers="1,3,1"), batch=1)
for r in (w_relu0, w_relu1, w_leaky, w_tanh, w_wide):
    display(r)
"""),
    md(r"""
With relu'(0) = 0 (PyTorch, JAX) the weights-only claim is **true** for one sample, also with
three hidden units: $\partial L/\partial (W_2)_j = 2 r\, a_{1,j} = 0$ for every $j$ means
$r = 0$ or every $a_{1,j} = 0$, and $a_{1,j} = 0$ means $z_{1,j} \le 0$, where relu' is 0.
The answer's point holds for activations that output 0 where their derivative is not 0:
with relu'(0) = 1 the counterexample sits exactly on the kink ($z_1 = 0$, so $a_1 = 0$ but
$f'(z_1) = 1$); with tanh, $\tanh(0) = 0$ but $\tanh'(0) = 1$; with leaky ReLU the value at 0
is 0 but the derivative there is the slope $1/100$. The counterexample with relu'(0) = 1:
"""),
    code("""
display(Markdown(explain(w_relu1)))
show(witness_figure(w_relu1))
"""),
    md(r"""
## For every width and depth

The checks above are at one size each. `all_sizes=True` (`--all-sizes` on the command line)
asks for a proof in which no width appears: the claim is read as facts about whole vectors
($\partial L/\partial W_2 = 0$, $\delta_2 = 0$, where $\delta_l$ is the loss's derivative with
respect to $z_l$) and closed under backpropagation's rules, each an identity at every width.
For a claim about the first and the last layer, the derivation is also checked with a block
of any number of layers in between:
"""),
    code("""
every = prove(claim, net, batch=1, all_sizes=True)
every_w = prove(weights_only, net, batch=1, all_sizes=True)
every_sig = prove(weights_only, Network(act="sigmoid"), batch=1, all_sizes=True)
every_tanh = prove(weights_only, Network(act="tanh"), batch=1, all_sizes=True)
display(every_w)
assert every.verdict == every_w.verdict == every_sig.verdict == "proved"
assert every_tanh.verdict == "refuted"
for r in (every, every_w, every_sig):
    print(r.certificate["scope"])
"""),
    md(r"""
The weights-only proof splits into the two cases of the outer product
$\partial L/\partial W_2 = c\,\delta_2 a_1^\top$: either $\delta_2 = 0$, which passes down, or
$a_1 = 0$, where a ReLU with relu'(0) = 0 is dead — and for sigmoid the second case cannot
happen at all ($\sigma > 0$), so the claim holds for sigmoid at every size too. The scope says
"batch size 1 only": the derivation needs the one-sample rule, and the batch counterexample
above shows that it must.
"""),
    md("## Summary: which conditions decide the answer"),
    code("""
conditions([
    ("output-layer gradients 0 ⇒ hidden 0", single),
    ("same, every width and depth", every),
    ("same, 2-3-2-1 net", deep),
    ("same, batch", batch),
    ("only grad(W2) = 0 ⇒ grad(W1) = 0", w_relu0),
    ("same, relu'(0) = 1", w_relu1),
    ("same, leaky ReLU", w_leaky),
    ("same, tanh", w_tanh),
    ("same, ReLU with 3 hidden units", w_wide),
    ("same, every width and depth (ReLU)", every_w),
    ("same, every width and depth (sigmoid)", every_sig),
])
"""),
]

# ---------------------------------------------------------------------------------------
NB02 = [
    md(r"""
# 02 · A batch where the output layer's gradients vanish but the hidden layer's do not

*Seed thread 002 (Data Science Stack Exchange).*

**The question, in our words.** For the 1-1-1 network $\hat y = w_2\,\operatorname{relu}(w_1 x +
b_1) + b_2$ with MSE over $M$ samples, find weights, biases and a dataset such that
$\partial L/\partial b_2 = \partial L/\partial w_2 = 0$ while $\partial L/\partial b_1 \ne 0$
and $\partial L/\partial w_1 \ne 0$. The asker could not find one by hand.

The accepted answer gives $w_1 = w_2 = 1$, $b_1 = b_2 = -1$, $x = (0, 2, 3)$,
$y = (-2, 2, 0)$. A comment then doubts that such an example exists for a classifier with a
sigmoid output and cross-entropy loss. We check the example exactly, ask for the **smallest**
batch that admits one, and settle the comment's doubt.
"""),
    code(SETUP),
    md("## The answer's example, computed exactly"),
    code("""
net = Network(layers=(1, 1, 1), act="relu")
example = gradients(net, params={"W1": 1, "b1": -1, "W2": 1, "b2": -1},
                    x="0; 2; 3", y="-2; 2; 0")
display(example)
"""),
    md(r"""
Exactly as in the answer: $\partial L/\partial w_1 = \partial L/\partial b_1 = -2/3$ and the
output layer's gradients are 0. With every value fixed, `prove` simply evaluates the condition
exactly:
"""),
    code("""
condition = "grad(b2) == 0 and grad(W2) == 0 and grad(W1) != 0 and grad(b1) != 0"
fixed = Problem(net, params={"W1": 1, "b1": -1, "W2": 1, "b2": -1}, x="0; 2; 3", y="-2; 2; 0")
display(prove(condition, problem=fixed))
show(witness_figure(example))
"""),
    md(r"""
## The smallest batch: three samples

`find` looks for values that make the condition true, trying $M = 1, 2, \dots, 6$ and stopping
at the first size that has them. Sizes 1 and 2 are proved **impossible** (not merely "not
found"); size 3 has a witness, re-checked by an independent exact evaluation:
"""),
    code("""
smallest = find(condition, net, batch="1..6")
display(Markdown(explain(smallest)))
"""),
    code("""
show(witness_figure(smallest))
"""),
    md(r"""
Why two samples cannot work: $\partial L/\partial b_2 = 0$ forces $r^{[2]} = -r^{[1]}$, and then
$\partial L/\partial W_2 = 0$ forces $r^{[1]}(a^{[1]} - a^{[2]}) = 0$: either every residual is 0
(and every gradient with it), or $a^{[1]} = a^{[2]}$. Equal positive activations mean equal
pre-activations, hence equal $f'(z)$, and
$\partial L/\partial b_1 \propto W_2\, r^{[1]} \bigl(f'(z^{[1]}) - f'(z^{[2]})\bigr) = 0$;
zero activations mean $z \le 0$, where relu' is 0. Either way $\partial L/\partial b_1 = 0$.
The prover's `impossible` for $M = 2$ is this case analysis, done exhaustively — and the
last step uses relu'(0) = 0. With relu'(0) = 1, one sample on the kink and one below it
already work with two samples:

"""),
    code("""
kink = find(condition, Network(relu_grad_at_zero=1), batch="1..3")
display(kink)
"""),
    md(r"""
The gradients along a line through the three-sample witness (moving $b_1$, everything else
fixed) show how special the point is: the output-layer gradients cross zero there together,
while the hidden ones stay away from zero.
"""),
    code("""
show(plot_gradient_along(smallest, "b1", span=2))
"""),
    md(r"""
## The comment's doubt: sigmoid output with cross-entropy

Does such an example exist for a classifier, $\hat y = \sigma(z_2)$ with binary cross-entropy?
The witness then involves $e^{z}$; symgrad's constructive search fixes the parameters and
inputs and solves for the targets exactly, so the targets come out as closed forms in $e$:
"""),
    code("""
classifier = Network(layers=(1, 1, 1), act="relu", out="sigmoid", loss="bce")
bce = find(condition, classifier, batch="1..4")
display(bce)
"""),
    code("""
show(witness_figure(bce))
"""),
    md(r"""
So the answer is yes, with three samples again (smaller batches are impossible). The targets
are exact numbers in $(0, 1)$, as a cross-entropy target must be; the exact output-layer
gradients are certified to be exactly 0.
"""),
    md("## Summary"),
    code("""
conditions([
    ("the answer's example (all fixed)", prove(condition, problem=fixed)),
    ("smallest batch, ReLU + MSE", smallest),
    ("smallest batch, relu'(0) = 1", kink),
    ("smallest batch, ReLU + sigmoid/BCE", bce),
])
"""),
]

# ---------------------------------------------------------------------------------------
NB03 = [
    md(r"""
# 03 · A dead ReLU: does the network stop learning?

*Seed thread 003 (AI Stack Exchange).*

**The question, in our words.** In a one-hidden-layer ReLU network, suppose the weights and
biases are such that the hidden pre-activation is negative for every input in the data. Then
$\partial L/\partial W = 0$. Does the network learn nothing at all? And once a weight's
gradient is zero, will that weight never be updated again?

We separate what is exactly true from what is not: which gradients vanish, which do not,
what changes with leaky ReLU, and what the convention relu'(0) does at the boundary
$z = 0$.
"""),
    code(SETUP),
    md(r"""
## Which gradients vanish

In the claim language, `all m: z1[m] < 0` says that the hidden unit is negative on every sample.
For batch sizes 1 to 3:
"""),
    code("""
net = Network(layers=(1, 1, 1), act="relu")
dead = prove("(all m: z1[m] < 0) -> grad(W1) == 0 and grad(b1) == 0 and grad(W2) == 0",
             net, batch="1..3")
display(dead)
"""),
    md(r"""
The reason, from the gradient formulas: every hidden-layer term carries
$f'(z_1^{[m]}) = 0$, and every output-weight term carries $a_1^{[m]} = 0$.
The full write-up:
"""),
    code("""
display(Markdown(explain(dead)))
"""),
    md(r"""
## But the network is not frozen: the output bias still learns
"""),
    code("""
bias = find("(all m: z1[m] < 0) and grad(b2) != 0", net, batch=1)
display(bias)
show(witness_figure(bias))
"""),
    md(r"""
The network's output is the constant $b_2$ (the hidden unit outputs 0 everywhere), and
$\partial L/\partial b_2 = \frac{2}{M}\sum_m (b_2 - y^{[m]})$ moves $b_2$ towards the mean
target. So the net does learn — the best constant — and nothing else.

"""),
    md(r"""
## Will the weights ever move again? Exact training

Under plain gradient descent on a fixed dataset the argument is short: $z_1^{[m]} = W_1
x^{[m]} + b_1$ depends only on $W_1$ and $b_1$, whose gradients are 0 while the unit is dead,
so a step leaves $z_1$ unchanged and the unit stays dead. `symgrad.train.train` runs full-batch
SGD exactly (PyTorch's rules for momentum and weight decay), so we can watch it. The start:
$W_1 = 1$, $b_1 = -5$, $W_2 = 1$, $b_2 = 0$ on $x = (0, 1, 2)$, $y = (1, 2, 4)$, so
$z_1 = x - 5 < 0$ on every sample. Plain SGD, learning rate 1/10; the first steps as a table:
"""),
    code(TRAINING),
    code("""
x, y = "0; 1; 2", "1; 2; 4"
xs = [0, 1, 2]
dead_start = Problem(net, params={"W1": 1, "b1": -5, "W2": 1, "b2": 0}, x=x, y=y)
display(Markdown(train(dead_start, steps=4, lr="1/10").to_markdown()))


def dead_at(traj):
    \"\"\"The steps at which z1 = W1 x + b1 < 0 on every sample (certified).\"\"\"
    data = trajectory_data(traj)
    return [k for k, w, b in zip(data["step"], data["W1"], data["b1"])
            if all(sign(w * (ball(xm) if isinstance(w, flint.arb) else xm) + b) == -1
                   for xm in xs)]


plain = train(dead_start, steps=30, lr="1/10")
print(plain.to_text().splitlines()[1].strip())
print("steps at which each parameter changed:", changed_at(plain))
print("dead on every sample at all steps 0..30:", dead_at(plain) == list(range(31)))
assert plain.exact_steps == 31 and dead_at(plain) == list(range(31))
assert changed_at(plain)["W1"] == changed_at(plain)["b1"] == changed_at(plain)["W2"] == []
plain.plot()
"""),
    md(r"""
Over 30 exact steps only $b_2$ changes (the printed lists are empty for $W_1$, $b_1$, $W_2$),
and the unit is dead at every step: the network's output is the constant $b_2$, and that
constant is all it learns. For *every* dead start, not just this one, the prover settles it by induction: the
claim holds before any step, and one step preserves it for every value of the parameters.
With the learning rate fixed at 1/10 (the optimizer is part of the claim), for batch sizes
1 to 3:
"""),
    code("""
stays_dead = "(all m: z1[m] < 0) -> always: (all m: z1[m] < 0) and grad(W1) == 0"
plain_sgd = {M: prove(stays_dead, problem=Problem(net, batch=M, optimizer=Optimizer("1/10")))
             for M in (1, 2, 3)}
display(plain_sgd[2])
assert all(r.verdict == "proved" for r in plain_sgd.values())
training_verdicts([("dead stays dead, grad(W1) = 0 at every step", M, r)
                   for M, r in plain_sgd.items()])
"""),
    md(r"""
The dead region, seen along a line: from the same start, move $b_1$ alone. While $b_1 < -2$
every sample has $z_1 < 0$ and the gradients of $W_1$, $b_1$, $W_2$ are exactly 0; each
sample that crosses $z_1 = 0$ switches its terms on.
"""),
    code("""
start = gradients(net, params={"W1": 1, "b1": -5, "W2": 1, "b2": 0}, x=x, y=y)
show(plot_gradient_along(start, "b1", span=5))
"""),
    md(r"""
## Weight decay: $W_1$ shrinks

The thread's answer: weight decay (a term $\lambda W$ added to the gradient) moves weights even
without a signal from the loss. From the same dead start with $\lambda = 1/2$: the loss
gradient of $W_1$ is 0, so each step multiplies $W_1$ by $1 - \text{lr}\cdot\lambda = 19/20$.
"""),
    code("""
decay = train(dead_start, steps=30, lr="1/10", weight_decay="1/2")
shrink = [s.params["W1"][0][0] == sp.Rational(19, 20) ** s.step for s in decay.steps if s.exact]
print(decay.to_text().splitlines()[1].strip())
print("W1 = (19/20)^k at every exact step k:", all(shrink), f"({len(shrink)} exact steps)")
print("steps at which each parameter changed:", changed_at(decay))
print("dead on every sample at all steps 0..30:", dead_at(decay) == list(range(31)))
assert all(shrink) and changed_at(decay)["W1"] == list(range(1, 31))
assert dead_at(decay) == list(range(31))
decay.plot()
"""),
    md(r"""
$W_1$ changes at every step, yet from *this* start the unit stays dead (the last line above):
$b_1 = -5$ is not decayed (biases are not, unless asked) and $W_1 x$ only shrinks towards 0.
Can weight decay revive a dead unit at all? The prover, with $\lambda = 1/10$:
"""),
    code("""
revive = prove("(all m: z1[m] < 0) -> always: (all m: z1[m] < 0)",
               problem=Problem(net, batch="1..3", optimizer=Optimizer("1/10", weight_decay="1/10")))
display(revive)
assert revive.verdict == "refuted" and revive.checked
"""),
    md(r"""
The counterexample is a trajectory, re-checked exactly. Replayed with `train` from the
counterexample's values: the steps at which the unit is dead, and the plot.
"""),
    code("""
revived = train(start_of(revive), steps=10, lr="1/10", weight_decay="1/10")
xs = [row[0] for row in revive.witness.instance.values["x"]]
print("x =", xs, "; dead on every sample at steps:", dead_at(revived))
revived.plot()
"""),
    md(r"""
## Momentum: the buffer keeps moving $W_1$ after its gradient is 0

With momentum the update is $\text{lr}\cdot v$ with $v \leftarrow \mu v + g$, so a step
with $g = 0$ still moves the weights by $\text{lr}\cdot\mu v$. The optimizer's buffer is then
part of the state, and the induction's step has to hold for every parameter value *and every
buffer*. The body alone is not inductive then (a dead unit with a nonzero buffer moves), so
the prover strengthens it: the buffer `buf(P)` of every parameter whose gradient the body
forces to 0 is also 0. That holds at a fresh start and is kept by every step, so from a fresh
start a dead unit stays dead with momentum too (the invariant is printed in the evidence):
"""),
    code("""
momentum = Optimizer("1/10", momentum="1/2")
momentum_induction = prove(stays_dead, problem=Problem(net, batch=2, optimizer=momentum))
display(momentum_induction)
assert momentum_induction.verdict == "proved"
assert "buf(W1) == 0" in momentum_induction.certificate["invariant"]
"""),
    md(r"""
The buffer matters when the unit dies *after* a live step: then the buffer is not 0. Is
there a start where $W_1$ has a nonzero gradient, the unit is dead after one step, and alive
again after two?
"""),
    code("""
comeback = "grad(W1) != 0 and (after 1: all m: z1[m] < 0) and (after 2: not (all m: z1[m] < 0))"
back = find(comeback, problem=Problem(net, batch="1..2", optimizer=momentum))
display(back)
assert back.verdict == "found" and back.checked
"""),
    md(r"""
Train from that witness twice, with momentum 1/2 and with plain SGD. For each step: is the
unit dead on every sample, is $\partial L/\partial W_1$ exactly 0, and does $W_1$ change at
the next step?
"""),
    code("""
xs = [row[0] for row in back.witness.instance.values["x"]]
with_momentum = train(start_of(back), steps=20, lr="1/10", momentum="1/2")
without = train(start_of(back), steps=20, lr="1/10")


def story(traj, steps=5):
    moved = changed_at(traj)["W1"]
    dead = dead_at(traj)
    rows = ["| step | dead on every sample | dL/dW1 = 0 | W1 changes at the next step |",
            "|---|---|---|---|"]
    for s in traj.steps[:steps]:
        g = sign(s.gradients["W1"][0][0])
        rows.append(f"| {s.step} | {s.step in dead} | {g == 0 if g is not None else '?'} "
                    f"| {s.step + 1 in moved} |")
    return Markdown("\\n".join(rows))


display(Markdown("**momentum 1/2**"), story(with_momentum))
display(Markdown("**plain SGD**"), story(without))
print("plain SGD: W1 changed at steps", changed_at(without)["W1"],
      "; dead at every step from 1 to 20:", dead_at(without) == list(range(1, 21)))
# what the text below says, checked
assert 1 in dead_at(with_momentum) and with_momentum.steps[1].gradients["W1"] == [[0]]
assert 2 in changed_at(with_momentum)["W1"]
assert changed_at(without)["W1"] == [1] and dead_at(without) == list(range(1, 21))
"""),
    code("""
with_momentum.plot()
"""),
    code("""
without.plot()
"""),
    md(r"""
The tables show what momentum adds: at step 1 the unit is dead and its gradient is exactly 0,
yet with momentum $W_1$ still changes at step 2, and the claim found above says the unit is
then alive again. Plain SGD from the same start moves $W_1$ once (the gradient at step 0 is
not 0) and then never again: a unit dead at step 1 stays dead, as the induction proof says.
So the thread's answer is right on both counts — momentum and weight decay can move a dead
unit's weights — and the question's "never updated" holds exactly for plain gradient descent,
and with momentum only for a unit dead from the start (its buffer is then 0 for ever, as the
strengthened induction above proves).

## Leaky ReLU keeps a gradient
"""),
    code("""
leaky = find("(all m: z1[m] < 0) and grad(W1) != 0", Network(act="leaky_relu"), batch=1)
display(leaky)
show(witness_figure(leaky))
"""),
    md(r"""
## The boundary $z = 0$ and the convention for relu'(0)

If "dead" is read as $z_1 \le 0$ (the unit outputs 0), the answer depends on the value used for
relu'(0): with 0 (PyTorch, JAX) the hidden weight still gets no gradient; with 1 it can.
"""),
    code("""
boundary = "(all m: z1[m] <= 0) and grad(W1) != 0"
kink0 = find(boundary, net, batch=1)
kink1 = find(boundary, Network(relu_grad_at_zero=1), batch=1)
display(kink0)
display(Markdown(explain(kink1)))
"""),
    md("## Summary"),
    code("""
conditions([
    ("dead on all samples ⇒ grad(W1), grad(b1), grad(W2) = 0", dead),
    ("dead, yet grad(b2) ≠ 0", bias),
    ("dead (z < 0), leaky ReLU: grad(W1) ≠ 0", leaky),
    ("z ≤ 0 on all samples and grad(W1) ≠ 0, relu'(0) = 0", kink0),
    ("same with relu'(0) = 1", kink1),
])
"""),
    md("And the questions about training, each for the optimizer it states:"),
    code("""
training_verdicts([("dead stays dead, grad(W1) = 0 at every step", M, r)
                   for M, r in plain_sgd.items()]
                  + [("dead stays dead, with weight decay", revive.batch, revive),
                     ("dead stays dead, with momentum (induction)", 2, momentum_induction),
                     ("grad(W1) ≠ 0, dead after 1 step, alive after 2", back.batch, back)])
"""),
]

# ---------------------------------------------------------------------------------------
NB04 = [
    md(r"""
# 04 · Initialising W = 0: are all gradients killed?

*Seed thread 004 (Cross Validated).*

**The question, in our words.** With every weight matrix initialised to zero, does the chain
rule multiply every gradient by $W = 0$, so that nothing can ever be learned? Or does $W = 0$
"only" fail to break the symmetry between hidden units, as the usual explanation says?

We take a 1-2-1 network (two hidden units) with $W_1 = 0$, $W_2 = 0$ and the biases free, and
decide each statement of the thread exactly.
"""),
    code(SETUP),
    md(r"""
## The gradients at W = 0

Fix $W_1 = W_2 = 0$ and leave biases and data free (one sample):
"""),
    code("""
net = Network(layers=(1, 2, 1), act="relu")
display(gradients(net, params={"W1": 0, "W2": 0}, batch=1))
"""),
    md(r"""
The hidden layer's gradients carry the factor $W_2 = 0$ and vanish; the output weights'
gradients carry $a_1 = \operatorname{relu}(b_1)$ instead, which need not be 0. The prover
confirms both, for one and two samples:
"""),
    code("""
hidden = prove("W1 == 0 and W2 == 0 -> grad(W1) == 0", net, batch="1..2")
output = prove("W1 == 0 and W2 == 0 -> grad(W2) == 0", net, batch=1)
display(hidden)
display(output)
"""),
    code("""
display(Markdown(explain(output)))
show(witness_figure(output))
"""),
    md(r"""
## Symmetry is not broken

With $W = 0$ both hidden units compute the same function of the input, and their weight
gradients are equal; with equal hidden biases, the two output weights also get equal
gradients — so gradient descent keeps the units identical forever.
"""),
    code("""
sym_hidden = prove("W1 == 0 and W2 == 0 -> grad(W1[1,1]) == grad(W1[2,1])", net, batch="1..2")
sym_output = prove("W1 == 0 and W2 == 0 and b1[1] == b1[2] -> grad(W2[1,1]) == grad(W2[1,2])",
                   net, batch="1..2")
display(sym_hidden)
display(sym_output)
"""),
    md(r"""
## The answer's comment: the last layer steps out of zero first

"Consider a derivative of the weight in the last layer. It's not zero, so the weight will step
out of zero; in the next iteration the next layer's derivative is not zero." We train the
1-2-1 network exactly from $W_1 = 0$, $W_2 = 0$ on $x = (1, 2, -1)$, $y = (1, 2, 0)$ with
SGD, learning rate 1/10, for 30 steps — with tanh, ReLU and sigmoid hidden units, and three
choices of the hidden biases: zero, equal and nonzero ($b_1 = (1/2, 1/2)$), and unequal
($b_1 = (1/2, -1/2)$); $b_2 = 0$ throughout. For each run: the first step at which each
hidden unit's weight is (certified) nonzero, and how the two units compare.
"""),
    code(TRAINING),
    code("""
x, y = "1; 2; -1", "1; 2; 0"
half = symgrad.parse_number("1/2")
BIASES = {"zero": [0, 0], "equal (1/2, 1/2)": [half, half], "unequal (1/2, -1/2)": [half, -half]}
runs = {}
for act in ("tanh", "relu", "sigmoid"):
    for label, b1 in BIASES.items():
        p = Problem(Network(layers=(1, 2, 1), act=act),
                    params={"W1": 0, "b1": b1, "W2": 0, "b2": 0}, x=x, y=y)
        runs[act, label] = train(p, steps=30, lr="1/10")


def first_nonzero(values):
    \"\"\"The first step at which a value is certified nonzero; 'never' if it is exactly 0 at
    every step; '?' if undecided.\"\"\"
    signs = [sign(v) for v in values]
    hit = next((k for k, s in enumerate(signs) if s not in (0, None)), None)
    if hit is not None:
        return f"step {hit}"
    return "never (exactly 0 at every step)" if all(s == 0 for s in signs) else "?"


PAIRS = [("W1[1,1]", "W1[2,1]"), ("b1[1]", "b1[2]"), ("W2[1,1]", "W2[1,2]")]


def units(data):
    \"\"\"How the two hidden units compare over the run (their weights, biases, output weights).\"\"\"
    rel = [[relation(data[a][k], data[b][k]) for a, b in PAIRS] for k in range(len(data["step"]))]
    differ = [k for k, r in enumerate(rel) if "different" in r]
    if differ:
        return f"differ from step {differ[0]} (certified)"
    if all(r == "equal" for row in rel for r in row):
        return "equal at every step (exact)"
    exact = sum(all(r == "equal" for r in row) for row in rel)
    kinds = {r for row in rel for r in row}
    return (f"equal at the {exact} exact steps, then "
            + ("identical enclosures" if kinds <= {"equal", "identical balls"} else "undecided"))


rows = ["| hidden act | biases b1 | exact steps | unit 1 weight W1[1,1] moves | "
        "unit 2 weight W1[2,1] moves | the two units |", "|---|---|---|---|---|---|"]
for (act, label), t in runs.items():
    d = trajectory_data(t)
    rows.append(f"| {act} | {label} | {t.exact_steps} of {len(t.steps)} | "
                f"{first_nonzero(d['W1[1,1]'])} | {first_nonzero(d['W1[2,1]'])} | {units(d)} |")
display(Markdown("\\n".join(rows)))


def cell(act, label, entry):
    return first_nonzero(trajectory_data(runs[act, label])[entry])


# what the text below says, checked
never = "never (exactly 0 at every step)"
for act in ("tanh", "relu"):
    assert cell(act, "zero", "W1[1,1]") == cell(act, "zero", "W1[2,1]") == never
    assert cell(act, "zero", "W2[1,1]") == cell(act, "zero", "W2[1,2]") == never
    assert changed_at(runs[act, "zero"])["b1[1]"] == changed_at(runs[act, "zero"])["b1[2]"] == []
    assert changed_at(runs[act, "zero"])["b2"] != []
assert cell("sigmoid", "zero", "W2[1,1]") == "step 1" and cell("sigmoid", "zero", "W1[1,1]") == "step 2"
for act in ("tanh", "relu", "sigmoid"):
    for label in list(BIASES)[1:]:
        assert cell(act, label, "W1[1,1]") == "step 2"
    assert units(trajectory_data(runs[act, "zero"])).startswith("equal")
    assert units(trajectory_data(runs[act, "equal (1/2, 1/2)"])).startswith("equal")
    assert units(trajectory_data(runs[act, "unequal (1/2, -1/2)"])) == "differ from step 0 (certified)"
assert cell("relu", "unequal (1/2, -1/2)", "W1[2,1]") == never
"""),
    md(r"""
How to read the table (every entry is computed above; a value counts as nonzero only when
that is certified — exactly, or by a ball that excludes 0):

* **Zero biases.** With tanh and ReLU, $a_1 = f(0) = 0$, so the output weights get no
  gradient, the hidden ones get $W_2 \cdot (\dots) = 0$, and only $b_2$ learns: the rows
  saying "never" are these. Sigmoid is different, $\sigma(0) = 1/2$: $W_2$ steps out of zero
  first and the hidden weights follow a step later — the comment's story.
* **Nonzero biases.** The hidden weights move from step 2 (at step 0 their gradient
  carries the factor $W_2 = 0$; $W_2$ moves first), as the comment says. With *equal* biases
  the two units stay equal — exactly while the numbers are exact; after that the enclosures
  are identical, which by itself is not a proof, but the induction proof below is. With
  *unequal* biases the symmetry is broken from the start; with ReLU, the unit with
  $b_1 = -1/2$ starts dead on every sample ($z = b_1 < 0$ while its weight is 0) and its
  weight never moves.

The plots: one run for each kind of behaviour (the hidden and output weights only; the two
units' lines overlap while they are equal).
"""),
    code("""
runs["tanh", "zero"].plot(params=["W1", "W2", "b2"])
"""),
    code("""
runs["sigmoid", "zero"].plot(params=["W1", "W2"])
"""),
    code("""
runs["tanh", "equal (1/2, 1/2)"].plot(params=["W1", "W2"])
"""),
    code("""
runs["relu", "unequal (1/2, -1/2)"].plot(params=["W1", "W2"])
"""),
    md(r"""
## The prover on the same questions, for every start

The trajectories above are single runs. The prover answers for every value of the free
parameters and data (batch size and learning rate 1/10 as stated in the table): does the hidden
layer get a gradient after one step from $W = 0$; from $W = 0$ with zero hidden biases, do
the weights stay at zero for ever; do units that start equal stay equal for ever; and from
$W = 0$ (biases free), do the two units' weights stay equal for ever?
"""),
    code("""
sgd = Optimizer("1/10")
questions = [
    ("W = 0 ⇒ after 1 step grad(W1) = 0", "W1 == 0 and W2 == 0 -> after 1: grad(W1) == 0", 1),
    ("W = 0 and b1 = 0 ⇒ W1, W2, b1 stay 0 for ever",
     "W1 == 0 and W2 == 0 and b1 == 0 -> always: W1 == 0 and W2 == 0 and b1 == 0", 2),
    ("equal units stay equal for ever",
     "W1[1,1] == W1[2,1] and b1[1] == b1[2] and W2[1,1] == W2[1,2] -> always: "
     "W1[1,1] == W1[2,1] and b1[1] == b1[2] and W2[1,1] == W2[1,2]", 2),
    ("W = 0 ⇒ W1[1,1] = W1[2,1] for ever", "W1 == 0 and W2 == 0 -> always: W1[1,1] == W1[2,1]", 2),
]
answers = []
for act in ("tanh", "relu", "sigmoid"):
    for label, claim, M in questions:
        r = prove(claim, problem=Problem(Network(layers=(1, 2, 1), act=act), batch=M,
                                         optimizer=sgd))
        answers.append((f"{act}: {label}", M, r))
# what the text below says, checked
verdict = {label: r.verdict for label, M, r in answers}
assert all(verdict[f"{act}: equal units stay equal for ever"] == "proved"
           for act in ("tanh", "relu", "sigmoid"))
assert all(verdict[f"{act}: W = 0 ⇒ W1[1,1] = W1[2,1] for ever"] == "refuted"
           for act in ("tanh", "relu", "sigmoid"))
training_verdicts(answers)
"""),
    md(r"""
A refuted answer comes with a counterexample that has been re-checked exactly; for `always:`
it is a trajectory that breaks the claim within a few steps. The last question is refuted:
with the biases free they may differ, as in the unequal-bias runs above (the ReLU
counterexample below has $b_1^{(1)} \ne b_1^{(2)}$). The third question (units that start
equal) is the induction proof behind "identical enclosures". The ReLU counterexample:
"""),
    code("""
broken = [r for label, M, r in answers if label == "relu: W = 0 ⇒ W1[1,1] = W1[2,1] for ever"][0]
display(broken)
assert broken.witness.params["b1"][0] != broken.witness.params["b1"][1]
"""),
    md(r"""
Only an asymmetric change separates the units: from $W = 0$ with equal biases, moving the
single entry $(W_2)_{1,1}$ away from 0 switches on the gradient of the first hidden unit's
weight and leaves the second one's at 0:
"""),
    code("""
start = gradients(net, params={"W1": [[0], [0]], "b1": [half, half], "W2": [[0, 0]], "b2": [0]},
                  x=x, y=y)
show(plot_gradient_along(start, "W2[1,1]", span=2, grads=["W1", "W2"]))
"""),
    md(r"""
## tanh: with zero biases, the output weights get nothing either

For tanh, $a_1 = \tanh(b_1)$; with free biases the output weights learn (the counterexample has
closed-form gradients such as $2\tanh(1)$), but with $b_1 = 0$ as well every hidden activation
is $\tanh(0) = 0$ and the output weights' gradients vanish too.
"""),
    code("""
tanh_net = Network(layers=(1, 2, 1), act="tanh")
tanh_free = prove("W1 == 0 and W2 == 0 -> grad(W2) == 0", tanh_net, batch=1)
tanh_zero = prove("W1 == 0 and W2 == 0 and b1 == 0 -> grad(W2) == 0", tanh_net, batch="1..2")
display(tanh_free)
display(tanh_zero)
"""),
    md("## Summary"),
    code("""
conditions([
    ("W = 0 ⇒ hidden-weight gradients 0", hidden),
    ("W = 0 ⇒ output-weight gradients 0", output),
    ("W = 0 ⇒ equal hidden-unit gradients", sym_hidden),
    ("W = 0, equal biases ⇒ equal output-weight gradients", sym_output),
    ("tanh, W = 0 ⇒ output-weight gradients 0", tanh_free),
    ("tanh, W = 0 and b1 = 0 ⇒ output-weight gradients 0", tanh_zero),
])
"""),
]

NOTEBOOKS = {
    "01_output_layer_gradients.ipynb": NB01,
    "02_batch_counterexample.ipynb": NB02,
    "03_dead_relu.ipynb": NB03,
    "04_zero_init.ipynb": NB04,
}


def build(name: str, cells) -> Path:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(HERE)}})
    client.execute()
    path = HERE / name
    nbformat.write(nb, path)
    return path


def main(argv: list[str]) -> int:
    for name, cells in NOTEBOOKS.items():
        if argv and not any(a in name for a in argv):
            continue
        print("wrote", build(name, cells))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
