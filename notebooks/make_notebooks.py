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
    md("## Summary: which conditions decide the answer"),
    code("""
conditions([
    ("output-layer gradients 0 ⇒ hidden 0", single),
    ("same, 2-3-2-1 net", deep),
    ("same, batch", batch),
    ("only grad(W2) = 0 ⇒ grad(W1) = 0", w_relu0),
    ("same, relu'(0) = 1", w_relu1),
    ("same, leaky ReLU", w_leaky),
    ("same, tanh", w_tanh),
    ("same, ReLU with 3 hidden units", w_wide),
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
## Will the weights ever move again?

Under plain gradient descent on a fixed dataset, no: $z_1^{[m]} = W_1 x^{[m]} + b_1$ depends
only on $W_1$ and $b_1$, whose gradients are 0, so every step leaves $z_1$ unchanged and the
unit stays dead. Exact gradient descent on three samples that are all on the dead side
($z_1 = x - 5 < 0$), step size 1/10:
"""),
    code("""
def step(params, grads, lr):
    def sub(p, g):
        return [sub(a, b) for a, b in zip(p, g)] if isinstance(p, list) else p - lr * g
    return {k: sub(params[k], grads[k]) for k in params}

lr = symgrad.parse_number("1/10")
params = {"W1": 1, "b1": -5, "W2": 1, "b2": 0}
params = {k: [[v]] if k[0] == "W" else [v] for k, v in params.items()}
x, y = "0; 1; 2", "1; 2; 4"
rows = ["| step | W1 | b1 | W2 | b2 | dL/dW1 | dL/db1 | dL/dW2 | dL/db2 |",
        "|---|---|---|---|---|---|---|---|---|"]
for t in range(6):
    g = gradients(net, params=params, x=x, y=y)
    flat = lambda d: [d[k][0][0] if k[0] == "W" else d[k][0] for k in ("W1", "b1", "W2", "b2")]
    rows.append(f"| {t} | " + " | ".join(map(str, flat(params) + flat(g.grads))) + " |")
    params = step(params, g.grads, lr)
display(Markdown("\\n".join(rows)))
"""),
    md(r"""
Only $b_2$ moves. The dead region, seen along a line: start from the initial values above and
move $b_1$ alone. While $b_1 < -2$ every sample has $z_1 < 0$ and the gradients of $W_1$,
$b_1$, $W_2$ are exactly 0; each sample that crosses $z_1 = 0$ switches its terms on.
"""),
    code("""
start = gradients(net, params={"W1": 1, "b1": -5, "W2": 1, "b2": 0}, x=x, y=y)
show(plot_gradient_along(start, "b1", span=5))
"""),
    md(r"""
 Momentum (a running mean of past gradients) or weight decay
(an extra term $\lambda W$ in the update) are different update rules: they can move $W_1$,
$b_1$ out of the dead region, as the thread's answer notes. The statements here are about the
gradients themselves.

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
out of zero; in the next iteration the next layer's derivative is not zero." Exact gradient
descent from $W = 0$ with equal hidden biases shows exactly that — and shows that the two
hidden units stay identical (the rows of $W_1$ and the entries of $W_2$ remain equal):
"""),
    code("""
def step(params, grads, lr):
    def sub(p, g):
        return [sub(a, b) for a, b in zip(p, g)] if isinstance(p, list) else p - lr * g
    return {k: sub(params[k], grads[k]) for k in params}

half = symgrad.parse_number("1/2")
params = {"W1": [[0], [0]], "b1": [half, half], "W2": [[0, 0]], "b2": [0]}
x, y = "1; 2; -1", "1; 2; 0"
rows = ["| step | W1 | W2 | dL/dW1 | dL/dW2 |", "|---|---|---|---|---|"]
for t in range(8):
    g = gradients(net, params=params, x=x, y=y)
    if t < 3:
        rows.append(f"| {t} | {params['W1']} | {params['W2']} | {g['W1']} | {g['W2']} |")
    params = step(params, g.grads, symgrad.parse_number("1/10"))
display(Markdown("\\n".join(rows)))
same = params["W1"][0] == params["W1"][1] and params["W2"][0][0] == params["W2"][0][1]
print("after 8 exact steps the two hidden units are identical:", same)
print("digits in the exact value of W1[1,1]:", len(str(params["W1"][0][0])))
print("W1 =", [[float(v) for v in row] for row in params["W1"]],
      " W2 =", [float(v) for v in params["W2"][0]])
"""),
    md(r"""
At step 0 only $W_2$ has a gradient; after one step $W_2 \ne 0$ and $W_1$ gets a gradient —
but identical rows, step after step. Only an asymmetric change separates the units: from the
same start ($W = 0$, equal biases), moving the single entry $(W_2)_{1,1}$ away from 0 switches
on the gradient of the first hidden unit's weight and leaves the second one's at 0:
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
