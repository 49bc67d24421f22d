"""The ``symgrad`` command: parse, call one library function, print.  Nothing else.

Errors caused by input are one line on stderr and exit status 2.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from . import __version__
from .errors import SymgradError
from .gradients import gradients
from .prover import busy
from .prover import find as find_values
from .prover import prove as prove_claim
from .render import FORMATS
from .spec import Options, build

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Exact gradients of small neural networks, and a prover for claims about them.",
)

Layers = Annotated[str | None, typer.Option("--layers", help="Layer sizes, e.g. 1,2,1 [default: 1,1,1]")]
Act = Annotated[str | None, typer.Option("--act", help="Hidden activation: relu, leaky_relu, tanh, sigmoid, softplus, identity [default: relu]")]
Out = Annotated[str | None, typer.Option("--out", help="Output activation: identity, sigmoid [default: identity]")]
Loss = Annotated[str | None, typer.Option("--loss", help="mse or bce (bce needs --out sigmoid) [default: mse]")]
Reduction = Annotated[str | None, typer.Option("--reduction", help="mean (over batch x outputs, like PyTorch) or sum [default: mean]")]
ReluZero = Annotated[str | None, typer.Option("--relu-grad-at-zero", help="Exact value used for relu'(0) [default: 0]")]
Slope = Annotated[str | None, typer.Option("--slope", help="leaky_relu slope [default: 1/100]")]
Batch = Annotated[str | None, typer.Option("--batch", help="Number of samples M when data are not given; prove/find take a range a..b [default: 1]")]
Sets = Annotated[list[str] | None, typer.Option("--set", help="Fix a parameter: NAME=VALUE, e.g. W1=1 or \"W1=[[1],[2]]\" (repeatable)")]
Xs = Annotated[str | None, typer.Option("--x", help="Inputs: samples separated by ';', components by ',' e.g. \"0; 2; 3\"")]
Ys = Annotated[str | None, typer.Option("--y", help="Targets, like --x")]
Spec = Annotated[Path | None, typer.Option("--spec", help="TOML file with [network], [params], [data], [claim]")]
Format = Annotated[str, typer.Option("--format", help="text, json, markdown or latex")]
AllSizes = Annotated[bool, typer.Option("--all-sizes", help="Prove it for every layer width (and every depth when the claim names only the first and last layer), not just --layers")]
Timeout = Annotated[str, typer.Option("--timeout", help="Seconds before the answer is 'unknown'")]
Plot = Annotated[Path | None, typer.Option("--plot", help="Also save a figure of the witness or counterexample: FILE.png or FILE.svg (needs matplotlib)")]
FindFlag = Annotated[bool, typer.Option("--find", help="Explain 'find' (there exist values) instead of 'prove' (for all values)")]
ExplainFormat = Annotated[str, typer.Option("--format", help="markdown or latex (a complete document)")]
Lr = Annotated[str | None, typer.Option("--lr", help="Learning rate of the optimizer that 'after k:' claims step with; 'free': every lr > 0 (prove) or some (find)")]
Momentum = Annotated[str | None, typer.Option("--momentum", help="Heavy-ball momentum for 'after k:' (PyTorch's rule); 'free': in [0, 1)")]
WeightDecay = Annotated[str | None, typer.Option("--weight-decay", help="L2 weight decay for 'after k:'; 'free': any >= 0")]
DecayBiases = Annotated[bool, typer.Option("--decay-biases", help="Weight decay on biases too")]
Claim = Annotated[str | None, typer.Argument(
    help="The claim, e.g. \"grad(b2) == 0 -> grad(W1) == 0\" (or [claim] text in --spec)",
    show_default=False)]


def _options(layers, act, out, loss, reduction, relu_grad_at_zero, slope, batch, sets, x, y,
             spec, lr=None, momentum=None, weight_decay=None, decay_biases=False) -> Options:
    return Options(layers=layers, act=act, out=out, loss=loss, reduction=reduction,
                   relu_grad_at_zero=relu_grad_at_zero, slope=slope, batch=batch,
                   sets=list(sets or []), x=x, y=y, spec=spec, lr=lr, momentum=momentum,
                   weight_decay=weight_decay, decay_biases=decay_biases)


def _check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise SymgradError(f"unknown --format {fmt!r}; use one of {', '.join(FORMATS)}")
    return fmt


@app.command(epilog="Example: symgrad grad --set W1=1 --set b1=-1 --set W2=1 --set b2=-1 "
                    "--x \"0;2;3\" --y \"-2;2;0\"")
def grad(
    layers: Layers = None, act: Act = None, out: Out = None, loss: Loss = None,
    reduction: Reduction = None, relu_grad_at_zero: ReluZero = None, slope: Slope = None,
    batch: Batch = None, set_: Sets = None, x: Xs = None, y: Ys = None, spec: Spec = None,
    format_: Format = "text",
):
    """Print the exact gradient of the loss with respect to every parameter.

    Formulas where values are free, exact numbers where everything is fixed.
    """
    fmt = _check_format(format_)
    problem, _ = build(_options(layers, act, out, loss, reduction, relu_grad_at_zero, slope,
                                batch, set_, x, y, spec))
    typer.echo(gradients(problem).render(fmt))


def _progress(message: str) -> None:
    typer.echo(f"symgrad: {message}", err=True)


def _run(command, claim, options: Options, timeout: str, plot: Path | None, **extra):
    """Check the --plot target, build the problem, run the prover: (result, problem)."""
    if plot is not None:
        from .plot import check_target
        check_target(plot)  # a bad file name or a missing matplotlib is bad input: exit 2
    problem, spec_claim = build(options)
    text = claim if claim is not None else spec_claim
    if text is None:
        raise SymgradError(f"{command} needs a claim: symgrad {command} \"grad(b2) == 0 -> "
                           "grad(W1) == 0\", or [claim] text = \"...\" in --spec")
    run = prove_claim if command == "prove" else find_values
    progress = _progress if sys.stderr.isatty() else None
    return run(text, problem=problem, timeout=timeout, progress=progress, **extra), problem


def _plot(result, plot: Path | None) -> None:
    """Save the witness figure; a verdict without a witness only gets a note on stderr."""
    if plot is None:
        return
    if result.witness is None:
        typer.echo(f"symgrad: note: no plot written: the verdict {result.verdict!r} has no "
                   "witness to draw", err=True)
        return
    from .plot import plot_witness
    plot_witness(result, plot)
    typer.echo(f"symgrad: plot written to {plot}", err=True)


def _decide(command, claim, options: Options, fmt: str, timeout: str,
            plot: Path | None = None, **extra) -> int:
    fmt = _check_format(fmt)
    result, _ = _run(command, claim, options, timeout, plot, **extra)
    typer.echo(result.render(fmt))
    _plot(result, plot)
    return result.exit_code


@app.command(epilog="Examples:\n\n"
             "  symgrad prove \"grad(b2) == 0 -> grad(W1) == 0\" --batch 1\n\n"
             "  symgrad prove \"(all m: z1[m] < 0) -> grad(W1) == 0\" --batch 1..4\n\n"
             "  symgrad prove \"grad(b2) == 0 -> grad(W1) == 0\" --all-sizes\n\n"
             "Exit status: 0 proved, 1 refuted, 3 unknown, 2 bad input.")
def prove(
    claim: Claim = None,
    layers: Layers = None, act: Act = None, out: Out = None, loss: Loss = None,
    reduction: Reduction = None, relu_grad_at_zero: ReluZero = None, slope: Slope = None,
    batch: Batch = None, set_: Sets = None, x: Xs = None, y: Ys = None, spec: Spec = None,
    timeout: Timeout = "60", format_: Format = "text", plot: Plot = None,
    lr: Lr = None, momentum: Momentum = None, weight_decay: WeightDecay = None,
    decay_biases: DecayBiases = False, all_sizes: AllSizes = False,
):
    """Decide a claim for every value of the free (unfixed) parameters and data.

    Answers proved (with evidence) or refuted (with an exact, re-checked counterexample).
    With --all-sizes the claim must hold at every layer width (and every depth, when it
    names only the first and the last layer); the evidence is a size-independent derivation.
    """
    opts = _options(layers, act, out, loss, reduction, relu_grad_at_zero, slope, batch, set_,
                    x, y, spec, lr, momentum, weight_decay, decay_biases)
    extra = {"all_sizes": True} if all_sizes else {}
    raise typer.Exit(_decide("prove", claim, opts, format_, timeout, plot, **extra))


@app.command(epilog="Examples:\n\n"
             "  symgrad find \"grad(b2) == 0 and grad(W2) == 0 and grad(W1) != 0 and "
             "grad(b1) != 0\" --batch 1..6\n\n"
             "Exit status: 0 found, 1 impossible, 3 unknown, 2 bad input.")
def find(
    condition: Claim = None,
    layers: Layers = None, act: Act = None, out: Out = None, loss: Loss = None,
    reduction: Reduction = None, relu_grad_at_zero: ReluZero = None, slope: Slope = None,
    batch: Batch = None, set_: Sets = None, x: Xs = None, y: Ys = None, spec: Spec = None,
    timeout: Timeout = "60", format_: Format = "text", plot: Plot = None,
    lr: Lr = None, momentum: Momentum = None, weight_decay: WeightDecay = None,
    decay_biases: DecayBiases = False,
):
    """Look for parameters and data that make a condition true.

    With --batch a..b it reports the smallest batch size that has a witness.
    """
    opts = _options(layers, act, out, loss, reduction, relu_grad_at_zero, slope, batch, set_,
                    x, y, spec, lr, momentum, weight_decay, decay_biases)
    raise typer.Exit(_decide("find", condition, opts, format_, timeout, plot))


@app.command(epilog="Examples:\n\n"
             "  symgrad explain \"grad(b2) == 0 -> grad(W1) == 0\" --batch 1..3\n\n"
             "  symgrad explain \"grad(b2) == 0 and grad(W2) == 0 and grad(W1) != 0\" --find "
             "--batch 1..6 --format latex > answer.tex\n\n"
             "Exit status: that of prove (or of find, with --find); 2 bad input.")
def explain(
    claim: Claim = None,
    layers: Layers = None, act: Act = None, out: Out = None, loss: Loss = None,
    reduction: Reduction = None, relu_grad_at_zero: ReluZero = None, slope: Slope = None,
    batch: Batch = None, set_: Sets = None, x: Xs = None, y: Ys = None, spec: Spec = None,
    timeout: Timeout = "60", format_: ExplainFormat = "markdown", find_: FindFlag = False,
    plot: Plot = None, lr: Lr = None, momentum: Momentum = None,
    weight_decay: WeightDecay = None, decay_biases: DecayBiases = False,
    all_sizes: AllSizes = False,
):
    """Decide a claim and write the answer an expert would post.

    Setting, gradient formulas, and the proof or the exact witness: Markdown or LaTeX.
    """
    from .explain import FORMATS as EXPLAIN_FORMATS
    from .explain import explain as explain_result
    if format_ not in EXPLAIN_FORMATS:
        raise SymgradError(f"unknown --format {format_!r} for explain; use markdown or latex")
    opts = _options(layers, act, out, loss, reduction, relu_grad_at_zero, slope, batch, set_,
                    x, y, spec, lr, momentum, weight_decay, decay_biases)
    if all_sizes and find_:
        raise SymgradError("--all-sizes is for proofs; drop --find")
    extra = {"all_sizes": True} if all_sizes else {}
    result, problem = _run("find" if find_ else "prove", claim, opts, timeout, plot, **extra)
    typer.echo(explain_result(result, format_, problem=problem))
    _plot(result, plot)
    raise typer.Exit(result.exit_code)


@app.command(epilog="Example: symgrad train --set W1=1 --set b1=-1 --set W2=1 --set b2=-1 "
                    "--x \"0;2;3\" --y \"-2;2;0\" --steps 5 --lr 1/10")
def train(
    layers: Layers = None, act: Act = None, out: Out = None, loss: Loss = None,
    reduction: Reduction = None, relu_grad_at_zero: ReluZero = None, slope: Slope = None,
    set_: Sets = None, x: Xs = None, y: Ys = None, spec: Spec = None,
    steps: Annotated[int, typer.Option("--steps", help="Number of optimizer steps")] = 10,
    lr: Annotated[str, typer.Option("--lr", help="Learning rate, an exact number")] = "1/10",
    momentum: Annotated[str, typer.Option("--momentum", help="Heavy-ball momentum (PyTorch's rule)")] = "0",
    weight_decay: Annotated[str, typer.Option("--weight-decay", help="L2 weight decay, added to the gradient")] = "0",
    decay_biases: Annotated[bool, typer.Option("--decay-biases", help="Apply weight decay to biases too")] = False,
    max_bits: Annotated[int, typer.Option("--max-bits", help="Stay exact while numbers fit in this many bits, then continue with certified enclosures")] = 4096,
    format_: Format = "text",
    plot: Annotated[Path | None, typer.Option("--plot", help="Also save a figure of the loss and the parameters per step: FILE.png or FILE.svg (needs matplotlib; enclosures drawn at their midpoints)")] = None,
):
    """Run full-batch SGD exactly and print the trajectory (parameters, loss, gradients).

    Steps stay exact while the numbers stay small; later steps are certified intervals.
    """
    from .train import train as run_training
    fmt = _check_format(format_)
    if plot is not None:
        from .plot import check_target
        check_target(plot)  # a bad file name or a missing matplotlib: exit 2 before training
    problem, _ = build(_options(layers, act, out, loss, reduction, relu_grad_at_zero, slope,
                                None, set_, x, y, spec))
    result = run_training(problem, steps=steps, lr=lr, momentum=momentum,
                          weight_decay=weight_decay, decay_biases=decay_biases,
                          max_bits=max_bits)
    typer.echo(result.render(fmt))
    if plot is not None:
        from .plot import plot_trajectory
        plot_trajectory(result, plot)
        typer.echo(f"symgrad: plot written to {plot}", err=True)


@app.command(epilog="Example: symgrad audit --layers 1,1 --out sigmoid --set W1=1 --set b1=-110 "
                    "--x 0 --y 1 --dtypes float32")
def audit(
    layers: Layers = None, act: Act = None, out: Out = None, loss: Loss = None,
    reduction: Reduction = None, relu_grad_at_zero: ReluZero = None, slope: Slope = None,
    set_: Sets = None, x: Xs = None, y: Ys = None, spec: Spec = None,
    dtypes: Annotated[str, typer.Option("--dtypes", help="Comma list of float16, float32, float64")] = "float16,float32,float64",
    threshold: Annotated[str, typer.Option("--threshold", help="Relative error above which an entry is flagged")] = "1/1000",
    search: Annotated[str | None, typer.Option("--search", help="Look for a point where this entry (e.g. b1[2]) is exactly nonzero but 0 in the first --dtypes type; free values are drawn")] = None,
    batch: Batch = None,
    format_: Format = "text",
):
    """Compare every gradient entry, computed exactly, with float16/32/64 (NumPy).

    Flags entries where the float vanished, is spurious, flipped sign or is inaccurate.
    With --search, first looks for a point where a chosen entry vanishes in float.
    """
    from .audit import audit as run_audit
    from .audit import search_vanishing
    fmt = _check_format(format_)
    problem, _ = build(_options(layers, act, out, loss, reduction, relu_grad_at_zero, slope,
                                batch, set_, x, y, spec))
    names = tuple(d.strip() for d in dtypes.split(",") if d.strip())
    if search is None:
        typer.echo(run_audit(problem, dtypes=names, threshold=threshold).render(fmt))
        return
    result, how = search_vanishing(problem, search, names[0] if names else "float32",
                                   threshold=threshold)
    typer.echo(f"symgrad: {how}", err=True)
    if result is None:
        raise typer.Exit(3)
    typer.echo(result.render(fmt))


def _version(value: bool):
    if value:
        typer.echo(f"symgrad {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit")] = False,
):
    """Exact gradients of small neural networks, and a prover for claims about them."""


def _one_line(message: str) -> str:
    return " ".join(str(message).split())


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app; input errors become one line and exit status 2."""
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="symgrad", standalone_mode=False)
    except SymgradError as exc:
        typer.echo(f"symgrad: error: {_one_line(exc)}", err=True)
        return 2
    except typer.TyperException as exc:  # Typer's usage errors: unknown option, bad value
        if not exc.format_message().strip():  # bare `symgrad`: the help was printed
            return 0
        ctx = getattr(exc, "ctx", None)
        where = f"symgrad {ctx.info_name}" if ctx is not None and ctx.parent else "symgrad"
        typer.echo(f"symgrad: error: {_one_line(exc.format_message())} (see '{where} --help')",
                   err=True)
        return 2
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        typer.echo("symgrad: aborted", err=True)
        return 130
    except RecursionError:
        typer.echo("symgrad: error: the input is nested too deeply", err=True)
        return 2
    return result if isinstance(result, int) else 0


def run() -> None:
    """Console-script entry: exit with main()'s status, even if a timed-out prover worker
    is still inside the solver (a daemon thread in native code must not block or crash
    the interpreter's shutdown)."""
    code = main()
    if busy():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
