"""Explain a verdict the way a careful expert would post it: setting, formulas, evidence.

``explain(result)`` turns a :class:`~symgrad.results.ProofResult` into a self-contained
answer -- the network and its notation, the loss and its reduction, the relu'(0)
convention and the batch size, the backpropagation formulas (entry by entry for small
nets), and then the proof (the certificate's evidence, in words and formulas), the
counterexample or witness (a table of data, layer values, predictions, residuals, the
per-sample gradient terms and the exact batch gradients), or the reason it is undecided.

``fmt="markdown"`` gives Markdown with ``$...$`` math (Jupyter, GitHub);
``fmt="latex"`` gives a complete document that compiles with ``pdflatex``.

Nothing here reads user text as code: claims are parsed by the project's grammar, the
certificate's strings are shown verbatim, and formulas are built from SymPy objects.

>>> from symgrad import Network, find
>>> r = find("grad(b2) == 0 and grad(W1) != 0", Network(), batch=2)
>>> text = explain(r)
>>> text.splitlines()[0]
'# Can `grad(b2) == 0 and grad(W1) != 0` hold? Yes: found'
>>> explain(r, "latex").startswith("\\\\documentclass")
True
"""

from __future__ import annotations

import dataclasses
import shlex
import textwrap

import sympy as sp

from . import backprop
from .claims import ast
from .errors import SpecError, SymgradError
from .exact import to_str
from .network import Network
from .problem import Instance, Problem
from .prover.domains import OpaqueOps
from .render import latex_tensor, name_latex
from .results import ProofResult

FORMATS = ("markdown", "latex")
MAX_ENTRIES_FOR_FORMULAS = 24  # parameter entries up to which gradients are shown entrywise
MAX_FORMULA_CHARS = 700  # a per-entry formula longer than this (in LaTeX) is not shown
MAX_TABLE_ROWS = 40


# ---------------------------------------------------------------------------------------
# A tiny document model rendered to Markdown or LaTeX
# ---------------------------------------------------------------------------------------
class M(str):
    """Inline math (LaTeX source)."""


class C(str):
    """Inline code."""


class B(str):
    """Bold text."""


def _segs(parts) -> tuple:
    return tuple(parts) if isinstance(parts, list | tuple) else (parts,)


class _Doc:
    def __init__(self):
        self.blocks: list[tuple] = []

    def h(self, level: int, *segs):
        self.blocks.append(("h", level, segs))

    def p(self, *segs):
        self.blocks.append(("p", segs))

    def math(self, *lines: str):
        """Display math; lines may contain ``&`` alignment points."""
        self.blocks.append(("math", lines))

    def items(self, rows):
        self.blocks.append(("items", [_segs(r) for r in rows]))

    def table(self, header, rows):
        self.blocks.append(("table", [_segs(c) for c in header],
                            [[_segs(c) for c in row] for row in rows]))

    def code(self, lines):
        self.blocks.append(("code", list(lines)))


def _md_text(s: str) -> str:
    for ch in ("\\", "*", "_", "`"):
        s = s.replace(ch, "\\" + ch)
    return s


def _md_segs(segs, in_table: bool = False) -> str:
    out = []
    for s in segs:
        if isinstance(s, M):
            out.append(f"${s}$")
        elif isinstance(s, C):
            out.append(f"`{s}`")
        elif isinstance(s, B):
            out.append(f"**{_md_text(s)}**")
        else:
            out.append(_md_text(str(s)))
    text = "".join(out)
    return text.replace("|", "\\|") if in_table else text


def _to_markdown(doc: _Doc) -> str:
    out: list[str] = []
    for block in doc.blocks:
        kind = block[0]
        if kind == "h":
            out.append("#" * block[1] + " " + _md_segs(block[2]))
        elif kind == "p":
            out.append(_md_segs(block[1]))
        elif kind == "math":
            lines = block[1]
            if len(lines) == 1:
                out.append("$$\n" + lines[0].replace("&=", "=") + "\n$$")
            else:
                out.append("$$\n\\begin{aligned}\n" + " \\\\\n".join(lines)
                           + "\n\\end{aligned}\n$$")
        elif kind == "items":
            out.append("\n".join("- " + _md_segs(r) for r in block[1]))
        elif kind == "table":
            header, rows = block[1], block[2]
            lines = ["| " + " | ".join(_md_segs(c, True) for c in header) + " |",
                     "|" + "---|" * len(header)]
            lines += ["| " + " | ".join(_md_segs(c, True) for c in row) + " |" for row in rows]
            out.append("\n".join(lines))
        elif kind == "code":
            out.append("```\n" + "\n".join(block[1]) + "\n```")
    return "\n\n".join(out) + "\n"


_UNICODE = {"\u00d7": "x", "\u2212": "-", "\u2014": "--", "\u2013": "--", "\u2026": "...",
            "\u2264": "<=", "\u2265": ">=", "\u2260": "!=", "\u2192": "->", "\u2019": "'",
            "\u201c": '"', "\u201d": '"'}


def _ascii(s: str) -> str:
    s = "".join(_UNICODE.get(ch, ch) for ch in s)
    return s.encode("ascii", "replace").decode("ascii")


def latex_escape(s: str) -> str:
    r"""Plain text for LaTeX: every special character escaped.

    >>> latex_escape("W1_1_1 & 50% {x} ~ ^ \\ $")
    'W1\\_1\\_1 \\& 50\\% \\{x\\} \\textasciitilde{} \\textasciicircum{} \\textbackslash{} \\$'
    """
    repl = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
            "#": r"\#", "%": r"\%", "_": r"\_", "~": r"\textasciitilde{}",
            "^": r"\textasciicircum{}", "<": r"\textless{}", ">": r"\textgreater{}",
            "|": r"\textbar{}"}
    return "".join(repl.get(ch, ch) for ch in _ascii(s))


def _tex_segs(segs) -> str:
    out = []
    for s in segs:
        if isinstance(s, M):
            out.append(f"${s}$")
        elif isinstance(s, C):
            out.append(r"\texttt{" + latex_escape(s) + "}")
        elif isinstance(s, B):
            out.append(r"\textbf{" + latex_escape(s) + "}")
        else:
            out.append(latex_escape(str(s)))
    return "".join(out)


def _verbatim_lines(lines, width: int = 84) -> list[str]:
    out = []
    for line in lines:
        line = _ascii(line).replace("\\end{verbatim}", "\\end {verbatim}")
        if len(line) <= width:
            out.append(line)
            continue
        indent = len(line) - len(line.lstrip())
        out += textwrap.wrap(line, width, subsequent_indent=" " * (indent + 4),
                             break_long_words=True, break_on_hyphens=False) or [line]
    return out


_PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[T1]{fontenc}
\usepackage{amsmath}
\usepackage{amssymb}
\usepackage{longtable}
\usepackage[margin=2cm]{geometry}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.6em}
"""


def _to_latex(doc: _Doc, title) -> str:
    out = [_PREAMBLE + r"\title{" + _tex_segs(title) + "}\n\\date{}\n\\begin{document}\n"
           "\\maketitle\n"]
    for block in doc.blocks:
        kind = block[0]
        if kind == "h":
            if block[1] == 1:
                continue  # the title
            cmd = {2: "section*", 3: "subsection*"}.get(block[1], "paragraph*")
            out.append(f"\\{cmd}{{{_tex_segs(block[2])}}}")
        elif kind == "p":
            out.append(_tex_segs(block[1]) + "\n")
        elif kind == "math":
            lines = block[1]
            if len(lines) == 1:
                out.append("\\[\n" + lines[0].replace("&=", "=") + "\n\\]")
            else:
                body = [ln if "&" in ln else "& " + ln for ln in lines]
                out.append("\\begin{align*}\n" + " \\\\\n".join(body) + "\n\\end{align*}")
        elif kind == "items":
            out.append("\\begin{itemize}\n" + "\n".join("\\item " + _tex_segs(r)
                                                       for r in block[1]) + "\n\\end{itemize}")
        elif kind == "table":
            header, rows = block[1], block[2]
            n = len(header)
            longest = max((len(_tex_segs(c)) for row in rows for c in row), default=0)
            col = "l" if longest <= 40 else \
                rf"p{{\dimexpr \linewidth / {n} - 2\tabcolsep - 1pt\relax}}"
            spec = "|" + (col + "|") * n
            lines = [f"\\begin{{longtable}}{{{spec}}}", "\\hline",
                     " & ".join(_tex_segs(c) for c in header) + " \\\\", "\\hline"]
            lines += [" & ".join(_tex_segs(c) for c in row) + " \\\\" for row in rows]
            lines += ["\\hline", "\\end{longtable}"]
            out.append("\n".join(lines))
        elif kind == "code":
            out.append("\\begin{verbatim}\n" + "\n".join(_verbatim_lines(block[1]))
                       + "\n\\end{verbatim}")
    out.append("\\end{document}\n")
    return "\n\n".join(out)


# ---------------------------------------------------------------------------------------
# Numbers, names and claims in LaTeX
# ---------------------------------------------------------------------------------------
def _approx(v) -> str:
    """`` \\approx 0.761594`` for a closed form (for reading only; the exact value is shown).
    Six significant digits from SymPy's arbitrary-precision evaluation, never a Python
    float, so a tiny nonzero value shows its exponent instead of rounding to 0."""
    return r" \approx " + _decimal(v)


def _decimal(v) -> str:
    value = sp.N(v, 6)
    return "0" if value == 0 else sp.latex(value)


def _num_seg(v, short: bool = False):
    """A number as a table cell: rationals as plain text (``-2/3``), closed forms as math
    with a decimal approximation (``short``: only the approximation, for long forms)."""
    if isinstance(v, sp.Rational) or (isinstance(v, sp.Expr) and v.is_Rational):
        return to_str(v)
    if isinstance(v, int):
        return str(v)
    tex = sp.latex(v)
    if short and len(tex) > 60:
        return M(_approx(v).strip())
    return M(tex + _approx(v))


def _is_zero(v) -> bool:
    from . import signs
    return v == 0 or signs.compare("==", v, sp.Integer(0)) is True


def _gradient_rows(name: str, t) -> list[str]:
    """``dL/dW = value`` rows; a long closed-form sum is split over lines, a closed form
    that is exactly zero (certified) says so."""
    lhs = rf"\frac{{\partial L}}{{\partial {name_latex(name)}}} &= "
    flat = _flat(t)
    if len(flat) != 1 or isinstance(flat[0], sp.Rational):
        return [lhs + _tensor_latex(t)]
    e = flat[0]
    tail = (" = 0" if _is_zero(e) else _approx(e))
    if not e.is_Add or len(sp.latex(e)) <= 110:
        return [lhs + sp.latex(e) + tail]
    lines, current = [], []
    for term in sp.Add.make_args(e):
        current.append(term)
        if len(sp.latex(sp.Add(*current, evaluate=False))) > 90:
            lines.append(current)
            current = []
    if current:
        lines.append(current)
    out = []
    for i, group in enumerate(lines):
        body = sp.latex(sp.Add(*group, evaluate=False))
        if i == 0:
            out.append(lhs + body)
        else:
            out.append(r"&\quad " + ("" if body.startswith("-") else "+ ") + body)
    out[-1] += tail
    return out


def _tensor_latex(t) -> str:
    """latex_tensor, followed by a decimal approximation when some entry is a closed form."""
    flat = _flat(t)
    if all(isinstance(e, sp.Rational) for e in flat):
        return latex_tensor(t)
    if len(flat) == 1:
        return latex_tensor(t) + _approx(flat[0])
    return latex_tensor(t) + r" \approx \left(" + ", ".join(map(_decimal, flat)) + r"\right)"


def _vec_seg(vs):
    """One sample's vector: the number itself for one component, else (a, b, c)."""
    if len(vs) == 1:
        return _num_seg(vs[0])
    if all(isinstance(v, sp.Rational) for v in vs):
        return "(" + ", ".join(to_str(v) for v in vs) + ")"
    return M(r"\left(" + ", ".join(sp.latex(v) for v in vs) + r"\right)")


def _tensor_text(t) -> str:
    if isinstance(t, list | tuple):
        if len(t) == 1 and not isinstance(t[0], list | tuple):
            return _tensor_text(t[0])
        if len(t) == 1 and len(t[0]) == 1:
            return _tensor_text(t[0][0])
        return "[" + ", ".join(_tensor_text(e) for e in t) + "]"
    return to_str(t)


def _act_tex(name: str) -> str:
    return {"relu": r"\operatorname{relu}", "leaky_relu": r"\operatorname{lrelu}",
            "tanh": r"\tanh", "sigmoid": r"\sigma", "softplus": r"\operatorname{softplus}",
            "identity": r"\operatorname{id}"}.get(name, r"\operatorname{" + name + "}")


def _idx_tex(indices) -> str:
    return ",".join(str(i) for i in indices)


def _ref_tex(name: str, indices: tuple) -> str:
    """``W1[1,2]`` -> ``(W_{1})_{1,2}``; ``x[m,2]`` -> ``x^{[m]}_{2}``; ``z1[m]`` -> ``z^{(1)[m]}``."""
    if name in ("x", "y") or (name[:1] in ("z", "a") and name[1:].isdigit()):
        if name in ("x", "y"):
            base, sup = name, ""
        elif name == "a0":
            base, sup = "x", ""
        else:
            base, sup = name[0], f"({name[1:]})"
        if not indices:
            return base + (f"^{{{sup}}}" if sup else "")
        sup += f"[{indices[0]}]"
        sub = f"_{{{_idx_tex(indices[1:])}}}" if len(indices) > 1 else ""
        return f"{base}^{{{sup}}}{sub}"
    if name[:1] in ("W", "b") and name[1:].isdigit():
        tex = name_latex(name)
        return f"({tex})_{{{_idx_tex(indices)}}}" if indices else tex
    return r"\mathrm{" + latex_escape(name) + "}"


def _term_tex(t) -> str:
    if isinstance(t, ast.Num):
        return sp.latex(t.value)
    if isinstance(t, ast.Ref):
        return _ref_tex(t.name, t.indices)
    if isinstance(t, ast.Grad):
        return r"\frac{\partial L}{\partial " + _ref_tex(t.param, t.indices) + "}"
    if isinstance(t, ast.Loss):
        return "L"
    if isinstance(t, ast.Neg):
        inner = _term_tex(t.arg)
        return "-" + (inner if t.arg.prec >= 8 else rf"\left({inner}\right)")
    if isinstance(t, ast.BinOp):
        if t.op == "/":
            return rf"\frac{{{_term_tex(t.left)}}}{{{_term_tex(t.right)}}}"
        left = _term_tex(t.left)
        left = left if t.left.prec >= t.prec else rf"\left({left}\right)"
        right = _term_tex(t.right)
        tight = t.right.prec > t.prec or (t.right.prec == t.prec and t.op in "+*")
        right = right if tight else rf"\left({right}\right)"
        op = {"*": r" \cdot ", "+": " + ", "-": " - "}[t.op]
        return left + op + right
    return r"\mathrm{" + latex_escape(str(t)) + "}"  # pragma: no cover - no other terms


_REL = {"==": "=", "!=": r"\neq", "<": "<", "<=": r"\le", ">": ">", ">=": r"\ge"}
_FPREC = {"iff": 1, "implies": 2, "or": 3, "and": 4, "not": 5, "atom": 6, "quant": 0}


def claim_latex(f) -> str:
    r"""A claim's syntax tree as a LaTeX formula.

    >>> from symgrad.claims import parse
    >>> claim_latex(parse("(all m: z1[m] < 0) -> grad(W1) == 0"))
    '\\left(\\forall m\\colon z^{(1)[m]} < 0\\right) \\Rightarrow \\frac{\\partial L}{\\partial W_{1}} = 0'
    """
    def wrap(child, parent, last):
        text = claim_latex(child)
        kind = child.kind
        need = (_FPREC[kind] < _FPREC[parent]) or (kind == "quant" and not last) \
            or (kind == parent and parent in ("implies", "iff") and not last)
        return rf"\left({text}\right)" if need else text

    if isinstance(f, ast.Bool):
        return r"\mathrm{true}" if f.value else r"\mathrm{false}"
    if isinstance(f, ast.Cmp):
        return f"{_term_tex(f.left)} {_REL[f.op]} {_term_tex(f.right)}"
    if isinstance(f, ast.Not):
        return r"\neg " + wrap(f.arg, "not", True)
    if isinstance(f, ast.And | ast.Or):
        op = r" \wedge " if isinstance(f, ast.And) else r" \vee "
        last = len(f.args) - 1
        return op.join(wrap(a, f.kind, i == last) for i, a in enumerate(f.args))
    if isinstance(f, ast.Implies | ast.Iff):
        op = r" \Rightarrow " if isinstance(f, ast.Implies) else r" \Leftrightarrow "
        return wrap(f.left, f.kind, False) + op + wrap(f.right, f.kind, True)
    if isinstance(f, ast.Quant):
        q = r"\forall " if f.q == "all" else r"\exists "
        return q + f.var + r"\colon " + claim_latex(f.body)
    return r"\mathrm{" + latex_escape(str(f)) + "}"  # pragma: no cover


# ---------------------------------------------------------------------------------------
# The setting
# ---------------------------------------------------------------------------------------
def _activation_lines(net: Network) -> list[str]:
    """Display-math lines defining the hidden activation f and its derivative."""
    c = sp.latex(net.relu_grad_at_zero)
    s = sp.latex(net.slope)
    if net.act == "relu":
        return [r"f(z) &= \operatorname{relu}(z) = \max(z, 0)",
                r"f'(z) &= \begin{cases} 1 & z > 0 \\ 0 & z < 0 \\ " + c
                + r" & z = 0 \text{ (the convention for } \operatorname{relu}'(0)\text{)}"
                r"\end{cases}"]
    if net.act == "leaky_relu":
        return [r"f(z) &= \begin{cases} z & z > 0 \\ " + s + r"\, z & z \le 0 \end{cases}",
                r"f'(z) &= \begin{cases} 1 & z > 0 \\ " + s + r" & z \le 0 \end{cases}"
                r"\quad\text{(so } f'(0) = \text{the slope, as in PyTorch)}"]
    if net.act == "tanh":
        return [r"f(z) &= \tanh z", r"f'(z) &= 1 - \tanh^2 z"]
    if net.act == "sigmoid":
        return [r"f(z) &= \sigma(z) = \frac{1}{1 + e^{-z}}",
                r"f'(z) &= \sigma(z)\,\bigl(1 - \sigma(z)\bigr)"]
    if net.act == "softplus":
        return [r"f(z) &= \log\left(1 + e^{z}\right)", r"f'(z) &= \sigma(z)"]
    return [r"f(z) &= z", r"f'(z) &= 1"]


def _network_lines(net: Network) -> list[str]:
    L = net.depth
    lines = [r"a^{(0)} &= x"]
    if L > 1:
        where = "l = 1" if L == 2 else rf"l = 1, \dots, {L - 1}"
        lines.append(r"z^{(l)} &= W_{l}\, a^{(l-1)} + b_{l}, \quad a^{(l)} = f\bigl(z^{(l)}\bigr)"
                     rf" \qquad {where}")
    out = f"z^{{({L})}}"
    g = r"\sigma\bigl(" + out + r"\bigr)" if net.out == "sigmoid" else out
    lines.append(rf"{out} &= W_{{{L}}}\, a^{{({L - 1})}} + b_{{{L}}}, \quad "
                 rf"\hat y = a^{{({L})}} = {g}")
    return lines


def _loss_lines(net: Network) -> list[str]:
    k = r"\sum_{k=1}^{" + str(net.n_out) + "}" if net.n_out > 1 else ""
    sub = "_k" if net.n_out > 1 else ""
    if net.loss == "mse":
        per = rf"\ell^{{[m]}} &= {k}\bigl(\hat y^{{[m]}}{sub} - y^{{[m]}}{sub}\bigr)^2"
    else:
        per = (rf"\ell^{{[m]}} &= -{k}\Bigl(y^{{[m]}}{sub} \log \hat y^{{[m]}}{sub} + "
               rf"\bigl(1 - y^{{[m]}}{sub}\bigr) \log\bigl(1 - \hat y^{{[m]}}{sub}\bigr)\Bigr)")
    if net.reduction == "mean":
        denom = "M" if net.n_out == 1 else rf"{net.n_out}\,M"
        total = rf"L &= \frac{{1}}{{{denom}}} \sum_{{m=1}}^{{M}} \ell^{{[m]}}"
    else:
        total = r"L &= \sum_{m=1}^{M} \ell^{[m]}"
    return [per, total]


def _scale_tex(net: Network) -> str:
    if net.reduction == "sum":
        return ""
    return r"\frac{1}{M}" if net.n_out == 1 else rf"\frac{{1}}{{{net.n_out} M}}"


def _batch_words(result: ProofResult) -> str:
    sizes = [s.batch for s in result.sizes]
    if result.batch is not None:
        M_ = result.batch
        head = "a single sample (M = 1)" if M_ == 1 else \
            f"a batch of M = {M_} samples; the gradients are those of the whole batch loss"
        if len(sizes) > 1:
            head += (f" (batch sizes {sizes[0]}..{sizes[-1]} were tried in order; "
                     f"this is the first that decides)")
        return head
    if sizes:
        return (f"every batch size from M = {sizes[0]} to M = {sizes[-1]}, each decided on its own"
                if len(sizes) > 1 else f"M = {sizes[0]}")
    return "not reached (the prover stopped before any batch size was decided)"


def _setting(doc: _Doc, result: ProofResult, problem: Problem | None):
    net = result.network
    doc.h(2, "Setting and notation")
    hidden = "-".join(map(str, net.layers[1:-1])) or "none"
    doc.p(f"A fully connected network with layer sizes {'-'.join(map(str, net.layers))} "
          f"(input size {net.n_in}, hidden sizes {hidden}, output size {net.n_out}). "
          f"For sample m, with weights ", M(r"W_l \in \mathbb{R}^{n_l \times n_{l-1}}"),
          " and biases ", M(r"b_l \in \mathbb{R}^{n_l}"), ":")
    doc.math(*_network_lines(net))
    if net.depth > 1:
        doc.p(f"The hidden activation is {net.act}:")
        doc.math(*_activation_lines(net))
    if net.out == "sigmoid":
        doc.p("The output activation is the sigmoid ", M(r"\sigma(z) = 1/(1+e^{-z})"),
              "; otherwise the output is linear.")
    else:
        doc.p("The output activation is the identity (a linear output layer).")
    doc.p(f"The loss is {net.loss} with reduction {net.reduction}"
          + (" (divided by batch size times output size, as PyTorch's default)"
             if net.reduction == "mean" else " (no division)") + ":")
    doc.math(*_loss_lines(net))
    conv = []
    if net.act == "relu" and net.depth > 1:
        conv.append(("relu'(0) = ", M(sp.latex(net.relu_grad_at_zero)),
                     " (PyTorch and JAX use 0). It matters whenever a sample hits a kink "
                     "exactly (z = 0), which exact data do easily."))
    elif net.act == "leaky_relu" and net.depth > 1:
        conv.append(("leaky_relu slope ", M(sp.latex(net.slope)),
                     ", and leaky_relu'(0) is the slope (as PyTorch)."))
    conv.append("Batch: " + _batch_words(result) + ".")
    if result.free:
        quant = "for all values of" if result.command == "prove" else "there exist values of"
        names = [seg for i, v in enumerate(result.free) for seg in ((", " if i else ""), C(v))]
        conv.append((f"Free variables ({quant}): ", *names, "."))
    if problem is not None and problem.params:
        conv.append(("Fixed parameters: ", M(", ".join(
            f"{name_latex(k)} = {latex_tensor(v)}" for k, v in problem.params.items())), "."))
    if problem is not None and problem.x is not None:
        conv.append(("Fixed inputs: ", C(_tensor_text(problem.x)), "."))
    if problem is not None and problem.y is not None:
        conv.append(("Fixed targets: ", C(_tensor_text(problem.y)), "."))
    doc.items(conv)
    what = "The claim" if result.command == "prove" else "The condition"
    doc.p(f"{what}, as parsed: ", C(str(result.claim)), ", that is")
    doc.math(claim_latex(result.claim))


# ---------------------------------------------------------------------------------------
# Gradients
# ---------------------------------------------------------------------------------------
class _NamedOps(OpaqueOps):
    """Opaque activation symbols for one generic sample, with LaTeX names."""

    def __init__(self, net: Network):
        super().__init__()
        self.names: dict[sp.Symbol, str] = {}
        self.widths = {l: net.layers[l] for l in range(1, net.depth + 1)}
        self.depth = net.depth

    def symbols(self, tag):
        l, _, i = tag
        a = sp.Symbol(f"act{l}_{i}", real=True)
        d = sp.Symbol(f"dact{l}_{i}", real=True)
        unit = f"_{{{i}}}" if self.widths[l] > 1 else ""
        self.names[a] = rf"a^{{({l})[m]}}{unit}"
        f = "g" if l == self.depth else "f"
        self.names[d] = rf"{f}'\bigl(z^{{({l})[m]}}{unit}\bigr)"
        return a, d


def _slot_tex(slot, width_one: bool) -> str:
    name, index = slot
    if name in ("x", "y"):
        base = rf"{name}^{{[m]}}"
        return base if width_one else base + f"_{{{index[1]}}}"
    tex = name_latex(name)
    return tex if width_one else f"({tex})_{{{_idx_tex(index)}}}"


def per_sample_gradients(net: Network, params=None) -> tuple[dict, dict]:
    """Gradients of one sample's loss, with the residual r = y_hat - y as a symbol.

    Returns ``(grads, names)``: nested lists of SymPy expressions per parameter, and the
    LaTeX name of every symbol in them.  Activations are kept as symbols (a, f'), so the
    formulas read the same for every activation and every relu'(0).

    >>> g, names = per_sample_gradients(Network())
    >>> g["W1"], g["b2"]
    ([[2*W2*dact1_1*r_1*x_1]], [2*r_1])
    """
    one = dataclasses.replace(net, reduction="sum")
    inst = Problem(one, params=dict(params or {}), batch=1).instance(1)
    ops = _NamedOps(net)
    run = backprop.run(inst, ops)
    names = dict(ops.names)
    for s in inst.free:
        name, index = inst.slots[s]
        if name in ("x", "y"):
            width_one = (net.n_in if name == "x" else net.n_out) == 1
        else:
            width_one = all(n == 1 for n in net.shape(name))
        names[s] = _slot_tex((name, index), width_one)
    # residuals: substitute y_k = y_hat_k - r_k so that each formula shows r = y_hat - y
    subs = {}
    for k, (p, yk) in enumerate(zip(run.a[-1][0], inst.values["y"][0], strict=True), 1):
        if isinstance(yk, sp.Symbol):
            r = sp.Symbol(f"r_{k}", real=True)
            names[r] = r"r^{[m]}" + (f"_{{{k}}}" if net.n_out > 1 else "")
            subs[yk] = p - r

    def sub(t):
        if isinstance(t, list):
            return [sub(e) for e in t]
        return sp.expand(t.xreplace(subs)) if subs else t
    grads = {k: sub(v) for k, v in run.grads.items()}
    # present products compactly: factor each entry (exact, polynomial in the symbols)
    grads = {k: _map(lambda e: sp.factor(e) if e.free_symbols else e, v)
             for k, v in grads.items()}
    return grads, names


def _map(f, t):
    return [_map(f, e) for e in t] if isinstance(t, list) else f(t)


def _entries(name: str, t) -> list[tuple[str, sp.Expr]]:
    single = all(not isinstance(e, list) or len(e) == 1 for e in t) and len(t) == 1
    tex = name_latex(name)
    out = []
    if t and isinstance(t[0], list):
        for i, row in enumerate(t, 1):
            for j, e in enumerate(row, 1):
                out.append((tex if single else f"({tex})_{{{i},{j}}}", e))
    else:
        for i, e in enumerate(t, 1):
            out.append((tex if single else f"({tex})_{{{i}}}", e))
    return out


def _gradients(doc: _Doc, result: ProofResult, problem: Problem | None):
    net = result.network
    L = net.depth
    doc.h(2, "The gradients")
    c = _scale_tex(net)
    doc.p("Backpropagation, per sample m, writes ",
          M(r"\delta^{(l)[m]} = \partial \ell^{[m]} / \partial z^{(l)[m]}"), ":")
    if net.loss == "bce":
        top = r"\delta^{(L)[m]} &= \hat y^{[m]} - y^{[m]}" + r"\quad\text{(sigmoid with bce)}"
    elif net.out == "sigmoid":
        top = (r"\delta^{(L)[m]} &= 2\bigl(\hat y^{[m]} - y^{[m]}\bigr) \odot "
               r"\sigma'\bigl(z^{(L)[m]}\bigr)")
    else:
        top = r"\delta^{(L)[m]} &= 2\bigl(\hat y^{[m]} - y^{[m]}\bigr)"
    lines = [top.replace("(L)", f"({L})")]
    if L > 1:
        where = "l = " + ", ".join(str(k) for k in range(L - 1, 0, -1)) if L <= 4 \
            else rf"l = {L - 1}, \dots, 1"
        lines.append(r"\delta^{(l)[m]} &= \bigl(W_{l+1}^{\top} \delta^{(l+1)[m]}\bigr) \odot "
                     rf"f'\bigl(z^{{(l)[m]}}\bigr) \qquad {where}")
    lines += [rf"\frac{{\partial L}}{{\partial W_l}} &= {c} \sum_{{m=1}}^{{M}} \delta^{{(l)[m]}}"
              r"\bigl(a^{(l-1)[m]}\bigr)^{\top}, \qquad "
              rf"\frac{{\partial L}}{{\partial b_l}} = {c} \sum_{{m=1}}^{{M}} \delta^{{(l)[m]}}"]
    doc.math(*lines)
    doc.p("Two consequences carry most answers about these gradients. For one sample, every "
          "gradient is a product with ", M(rf"\delta^{{({L})}}"), ", and ",
          M(rf"\partial L/\partial b_{{{L}}}"), f" is {'a multiple of ' if c else ''}",
          M(rf"\delta^{{({L})}}"), " itself, so a zero output-bias gradient forces every "
          "gradient to zero. For a batch, each gradient is a sum over samples with its own "
          "weights (", M("a^{(l-1)[m]}"), ", ", M("f'(z^{(l)[m]})"),
          "), so sums can cancel for one parameter and not for another.")
    n_entries = sum(sp.prod(net.shape(k)) for k in net.param_names)
    if n_entries > MAX_ENTRIES_FOR_FORMULAS:
        doc.p(f"The network has {n_entries} parameter entries, too many to list every "
              "formula here; ", C("symgrad grad"), " prints them all.")
        return
    fixed = problem.params if problem is not None else {}
    grads, names = per_sample_gradients(net, fixed)
    rows = []
    for pname in net.param_names:
        for tex, e in _entries(pname, grads[pname]):
            if len(sp.latex(e, symbol_names=names)) > MAX_FORMULA_CHARS:
                doc.p("Entry by entry the formulas are long for this network; ",
                      C("symgrad grad"), " prints them.")
                return
            rows += _formula_rows(tex, c, e, names)
    legend = [M(r"r^{[m]} = \hat y^{[m]} - y^{[m]}"), " is the residual of sample m"]
    if L > 1:
        legend += ["; ", M("a^{(l)[m]}_i"), " and ", M("f'(z^{(l)[m]}_i)"),
                   " are the activation value and derivative of unit i of layer l"]
    if net.out == "sigmoid":
        legend += ["; g is the output sigmoid"]
    doc.p("Entry by entry (", *legend, "):")
    doc.math(*rows)


def _formula_rows(tex: str, c: str, e, names: dict, width: int = 120) -> list[str]:
    """``dL/dtheta = c sum_m (formula)``, on two lines when the formula is long."""
    head = rf"\frac{{\partial L}}{{\partial {tex}}} &= {c} \sum_{{m=1}}^{{M}} "
    body = sp.latex(e, symbol_names=names)
    if e.is_Add:
        return [head + rf"\left({body}\right)"]
    if len(body) <= width or not e.is_Mul or not any(a.is_Add for a in e.args):
        return [head + body]
    plain = sp.Mul(*[a for a in e.args if not a.is_Add])
    sums = [a for a in e.args if a.is_Add]
    rest = r" \cdot ".join(rf"\left({sp.latex(a, symbol_names=names)}\right)" for a in sums)
    return [head + sp.latex(plain, symbol_names=names), r"&\qquad \cdot " + rest]


# ---------------------------------------------------------------------------------------
# Evidence: proofs
# ---------------------------------------------------------------------------------------
def _fact_texts(net: Network, encoding: str) -> list[tuple[str, str]]:
    from .activations import _SMOOTH
    out = []
    for act_name in {net.act, net.out}:
        smooth = _SMOOTH.get(act_name)
        if smooth is None:
            continue
        for fact in smooth.facts:
            if fact.name in encoding and (fact.name, fact.text) not in out:
                out.append((fact.name, fact.text))
    return out


def _other_keys(doc: _Doc, cert: dict, known: set) -> None:
    """Evidence this module does not know how to phrase: shown as it is."""
    lines = []
    for key, value in cert.items():
        if key in known or value in (None, [], {}, ""):
            continue
        if isinstance(value, list | tuple):
            lines.append(f"{key}:")
            lines += [f"  {v}" for v in value]
        elif isinstance(value, dict):
            lines.append(f"{key}:")
            lines += [f"  {k}: {v}" for k, v in value.items()]
        else:
            lines.append(f"{key}: {value}")
    if lines:
        doc.code(lines)


def _certificate(doc: _Doc, cert: dict, result: ProofResult, problem, level: int = 3,
                 brief: bool = False):
    kind = cert.get("kind")
    net = result.network
    if kind == "per batch size":
        seen = set()
        for size, sub in cert.get("sizes", {}).items():
            doc.h(level, f"Batch size M = {size}")
            if sub:
                key = (sub.get("kind"), sub.get("encoding"))
                _certificate(doc, sub, result, problem, level + 1, brief=key in seen)
                seen.add(key)
        return
    if kind == "cofactors" and brief:
        doc.p("The same argument; the regions, identities and hypotheses at this size:")
        lines = list(cert.get("regions") or [])
        lines += cert.get("identities", [])
        if cert.get("hypotheses"):
            lines += ["where"] + ["  " + h for h in cert["hypotheses"]]
        doc.code(lines)
        return
    if kind == "smt" and brief:
        doc.p("The same decision procedure and encoding: unsat again.")
        return
    if kind == "cofactors":
        goal = "the claim" if result.command == "prove" else "the condition's negation"
        regions = cert.get("regions") or []
        doc.p("Proof by an algebraic identity. Replace every activation value and "
              "derivative by an unknown number (", C("act{l}_{m}_{i}"), " and ",
              C("dact{l}_{m}_{i}"), " for unit i of layer l on sample m), so that every "
              "gradient becomes a polynomial."
              + (" The hypotheses fix the region of some units (a sign of z), and with it "
                 "their activation values and derivatives:" if regions else ""))
        if regions:
            doc.code(regions)
        doc.p("Each conclusion of ", goal, " is then the following combination of the "
              "hypothesis quantities, an identity of polynomials checked by expanding both "
              "sides:")
        doc.code(cert.get("identities", []))
        if cert.get("hypotheses"):
            doc.p("where the hypothesis quantities, which the hypotheses set to zero, are")
            doc.code(cert["hypotheses"])
        words = ("Under the hypotheses every right-hand side is a sum of multiples of zero, "
                 "so each conclusion holds. ")
        if regions:
            words += ("Only the values fixed by the regions above were used; every other "
                      "activation value stays an arbitrary symbol, so the identities hold "
                      "for every value of the free variables.")
        else:
            words += ("Nothing about the activation was used: the identities hold for every "
                      "activation, every choice of relu'(0), and every value of the free "
                      "variables.")
        doc.p(words)
        symbols = cert.get("symbols", {})
        if symbols:
            doc.table(["symbol", "stands for"],
                      [[C(s), C(meaning)] for s, meaning in symbols.items()])
        _other_keys(doc, cert, {"kind", "text", "identities", "hypotheses", "regions",
                                "symbols"})
        return
    if kind == "smt":
        encoding = cert.get("encoding", "")
        words = ["Proof by a decision procedure. The negation of the claim (for find: the "
                 "condition itself) was handed to ", C(cert.get("solver", "an SMT solver")),
                 ", which answered unsat: no values of the free variables make it true. "]
        if encoding.startswith("exact"):
            words += ["The encoding is exact: every piecewise-linear unit and sample is one "
                      "of three linear regions (z > 0, z < 0, and z = 0 with the chosen "
                      "derivative), and nonlinear real arithmetic is decided completely, "
                      "so unsat is a proof."]
            doc.p(*words)
        else:
            words += ["The smooth activation was abstracted: each of its values is a fresh "
                      "unknown constrained only by true facts. Since even this larger family "
                      "of functions has no counterexample, the real activation has none."]
            doc.p(*words)
            facts = _fact_texts(net, encoding)
            if facts:
                doc.table(["fact", "statement"], [[C(n), t] for n, t in facts])
        if cert.get("text"):
            doc.p("Solver's summary: ", cert["text"], ".")
        _other_keys(doc, cert, {"kind", "text", "solver", "encoding"})
        return
    if kind == "all sizes":
        doc.p("Proof for every size: it holds for ", cert["scope"], ". The argument uses "
              "only facts about whole vectors and matrices (", C("delta_l[m]"), " is the "
              "loss's derivative with respect to ", C("z_l[m]"), ", before the reduction's "
              "positive scale), and rules that hold at every width:")
        doc.table(["rule", "statement"], [[C(n), t] for n, t in cert["rules"].items()])
        doc.p("From the hypotheses ", C(", ".join(cert["hypotheses"]) or "(none)"),
              " the conclusions follow step by step (each line names its rule and premises; "
              "a line with 'or' splits into cases, each closed separately):")
        doc.code(cert["derivation"])
        if cert.get("dropped"):
            doc.p("Not used (outside the size-independent facts, which only makes the "
                  "statement proved stronger): ", C(", ".join(cert["dropped"])), ".")
        doc.p(cert["text"], ".")
        return
    if kind == "evaluation":
        doc.p("Every parameter and datum is fixed, so the claim was evaluated exactly, with "
              "certified signs: ", cert.get("text", ""), ".")
        if problem is not None and problem.batch[0] == problem.batch[1]:
            from .witness import Witness
            try:
                inst = problem.instance()
            except SymgradError:  # pragma: no cover - the prover built it already
                return
            if not inst.free:
                _values(doc, Witness.of(inst), result)
        return
    # any other certificate: its text, then everything else as it is
    if cert.get("text"):
        doc.p(cert["text"], ".")
    _other_keys(doc, cert, {"text"})


# ---------------------------------------------------------------------------------------
# Evidence: witnesses
# ---------------------------------------------------------------------------------------
def _single_instance(inst: Instance, m: int) -> Instance:
    net = dataclasses.replace(inst.network, reduction="sum")
    values = dict(inst.values)
    values["x"] = [inst.values["x"][m]]
    values["y"] = [inst.values["y"][m]]
    return Instance(net, 1, values, (), {})


def _equal(a, b) -> bool:
    if a == b:
        return True
    from . import signs
    return signs.compare("==", a, b) is True


def _flat(t):
    if isinstance(t, list):
        return [e for x in t for e in _flat(x)]
    return [t]


def _parts(claim) -> list:
    if isinstance(claim, ast.Implies):
        return [("hypothesis", claim.left), ("conclusion", claim.right)]
    if isinstance(claim, ast.Iff):
        return [("left side", claim.left), ("right side", claim.right)]
    if isinstance(claim, ast.And | ast.Or):
        word = "conjunct" if isinstance(claim, ast.And) else "disjunct"
        return [(f"{word} {i}", a) for i, a in enumerate(claim.args, 1)]
    return [("claim", claim)]


def _truth(v) -> str:
    return {True: "true", False: "false", None: "undecided"}[v]


def _witness(doc: _Doc, result: ProofResult):
    what = "counterexample" if result.verdict == "refuted" else "witness"
    doc.p(f"The {what} below has exact values everywhere and was re-evaluated by the "
          "independent checker (forward-mode gradients, its own forward pass and its own "
          "reading of the claim): ", B("yes" if result.checked else "no"), ".")
    _values(doc, result.witness, result)
    if result.verdict == "refuted" and isinstance(result.claim, ast.Implies):
        doc.p("The hypothesis holds and the conclusion fails, so the claim is false for "
              f"these values (batch size M = {result.witness.instance.batch}).")


def _values(doc: _Doc, w, result: ProofResult):
    """Parameters, the per-sample table, per-sample gradient terms, the batch gradients
    and the claim's parts, for fully fixed values ``w`` (a Witness)."""
    from . import check

    inst = w.instance
    net = result.network
    doc.p("Parameters:")
    doc.math(", \\quad ".join(f"{name_latex(k)} = {latex_tensor(v)}"
                              for k, v in w.params.items()))
    run = backprop.run(inst, backprop.SympyOps())
    show_hidden = net.depth == 2 and net.layers[1] <= 3
    header = ["m", M("x^{[m]}"), M("y^{[m]}")]
    if show_hidden:
        header += [M("z^{(1)[m]}"), M("a^{(1)[m]}"), M("f'(z^{(1)[m]})")]
    header += [M(r"\hat y^{[m]}"), M(r"r^{[m]} = \hat y^{[m]} - y^{[m]}")]
    rows, kinks = [], []
    for m in range(inst.batch):
        x, y = inst.values["x"][m], inst.values["y"][m]
        p = run.a[-1][m]
        r = [pi - yi for pi, yi in zip(p, y, strict=True)]
        row = [str(m + 1), _vec_seg(x), _vec_seg(y)]
        if show_hidden:
            row += [_vec_seg(run.z[0][m]), _vec_seg(run.a[1][m]), _vec_seg(run.d[0][m])]
        row += [_vec_seg(p), _vec_seg(r)]
        rows.append(row)
        hidden = net.hidden()
        if net.depth > 1 and hidden.piecewise_linear and not hidden.linear:
            for l in range(1, net.depth):
                for i, zi in enumerate(run.z[l - 1][m], 1):
                    if zi == 0:
                        kinks.append((m + 1, l, i))
    doc.table(header, rows[:MAX_TABLE_ROWS])
    if len(rows) > MAX_TABLE_ROWS:
        doc.p(f"(the first {MAX_TABLE_ROWS} of {len(rows)} samples are shown)")
    if kinks:
        where = "; ".join(f"sample {m}, unit {i} of layer {l}" for m, l, i in kinks)
        conv = to_str(net.relu_grad_at_zero) if net.act == "relu" else to_str(net.slope)
        doc.p(B("Note on the kink."), f" At {where} the pre-activation is exactly 0, so the "
              f"derivative there is the convention {net.act}'(0) = {conv}. Another convention "
              "(", C("--relu-grad-at-zero"), ") can change the gradients below.")
    # the per-sample terms whose (scaled) sum is the batch gradient: one row per entry
    entries = [(tex, k, i) for k in net.param_names
               for i, (tex, _) in enumerate(_entries(k, w.gradients[k]))]
    if len(entries) <= MAX_ENTRIES_FOR_FORMULAS and inst.batch <= 8:
        per = [backprop.run(_single_instance(inst, m), backprop.SympyOps()).grads
               for m in range(inst.batch)]
        scale = sp.Rational(1, inst.batch * net.n_out) if net.reduction == "mean" \
            else sp.Integer(1)
        consistent = all(_equal(scale * sp.Add(*[_flat(g[k])[i] for g in per]),
                                _flat(w.gradients[k])[i]) for _, k, i in entries)
        if consistent:
            batch_head = "batch" if scale == 1 else f"batch = {to_str(scale)} x sum"
            head = ["entry"] + [M(rf"\partial \ell^{{[{m}]}}") for m in range(1, inst.batch + 1)]
            head += [batch_head]
            prow = [[M(tex)] + [_num_seg(_flat(g[k])[i], short=True) for g in per]
                    + [_num_seg(_flat(w.gradients[k])[i], short=True)] for tex, k, i in entries]
            if inst.batch == 1:
                doc.p("Gradient of the one sample's loss, entry by entry"
                      + ("" if scale == 1 else f" (the batch gradient is {to_str(scale)} times it)")
                      + ":")
            else:
                doc.p("Per-sample gradient terms, entry by entry; the batch gradient is their "
                      + ("sum" if scale == 1 else "sum times " + to_str(scale))
                      + ", and cancellations between samples are what the table shows:")
            doc.table(head, prow)
    doc.p("The exact batch gradients:")
    doc.math(*[row for k, v in w.gradients.items() for row in _gradient_rows(k, v)])
    parts = _parts(result.claim)
    truths = [(label, f, check.holds(f, inst)) for label, f in parts]
    if len(parts) > 1:
        doc.p("The claim's parts at these values:")
        doc.table(["part", "formula", "value"],
                  [[label, M(claim_latex(f)), _truth(v)] for label, f, v in truths])


# ---------------------------------------------------------------------------------------
# The answer
# ---------------------------------------------------------------------------------------
def _title(result: ProofResult) -> tuple:
    claim = C(str(result.claim))
    if result.command == "prove":
        verdict = {"proved": "Yes: proved", "refuted": "No: refuted",
                   "unknown": "Undecided"}.get(result.verdict, result.verdict)
        return ("Does ", claim, f" hold? {verdict}")
    verdict = {"found": "Yes: found", "impossible": "No: impossible",
               "unknown": "Undecided"}.get(result.verdict, result.verdict)
    return ("Can ", claim, f" hold? {verdict}")


def _summary(doc: _Doc, result: ProofResult):
    v = result.verdict
    M_ = result.batch
    at = f" at batch size M = {M_}" if M_ is not None else ""
    sizes = [s.batch for s in result.sizes]
    rng = f" for every batch size M = {sizes[0]}..{sizes[-1]}" if len(sizes) > 1 else at
    if v == "proved" and not result.free:
        text = f"Yes. At the values given (every one fixed) the claim is true{at}."
    elif v == "proved":
        text = (f"Yes. The claim holds for every value of the free variables{rng}. "
                f"Method: {result.method}.")
    elif v == "refuted":
        text = (f"No. The claim fails{at}; below is an exact counterexample "
                f"(method: {result.method}).")
    elif v == "found":
        text = f"Yes. Values that make the condition true exist{at} (method: {result.method})."
    elif v == "impossible":
        text = (f"No. No values of the free variables make the condition true{rng}. "
                f"Method: {result.method}.")
    else:
        text = f"symgrad could not decide this: {result.reason or 'no strategy applies'}."
    doc.p(B("Answer."), " ", text)
    earlier = [s for s in result.sizes if s.batch != M_] if M_ is not None else []
    if v in ("refuted", "found") and earlier and all(
            s.verdict in ("proved", "impossible") for s in earlier):
        doc.p(f"M = {M_} is the smallest batch size for which this happens: every smaller "
              f"size tried ({', '.join(str(s.batch) for s in earlier)}) was decided the "
              "other way.")
    if v in ("proved", "impossible") and sizes and result.free:
        doc.p("A proof covers the batch sizes it names and nothing more: "
              + (f"M = {sizes[0]}" if len(sizes) == 1 else f"M = {sizes[0]}..{sizes[-1]}")
              + ". Larger batches were not examined.")
    if result.note:
        doc.p("Note: ", result.note, ".")


def _command_line(result: ProofResult, problem: Problem | None) -> str:
    net = result.network
    parts = ["symgrad", result.command, shlex.quote(str(result.claim)),
             "--layers", net.layers_text, "--act", net.act]
    if net.out != "identity":
        parts += ["--out", net.out]
    if net.loss != "mse":
        parts += ["--loss", net.loss]
    if net.reduction != "mean":
        parts += ["--reduction", net.reduction]
    if net.relu_grad_at_zero != 0:
        parts += ["--relu-grad-at-zero", to_str(net.relu_grad_at_zero)]
    if net.act == "leaky_relu" and net.slope != sp.Rational(1, 100):
        parts += ["--slope", to_str(net.slope)]
    if problem is not None:
        for k, v in problem.params.items():
            parts += ["--set", shlex.quote(f"{k}={_tensor_text(v)}".replace(" ", ""))]
        if problem.x is not None:
            parts += ["--x", shlex.quote("; ".join(", ".join(map(to_str, s)) for s in problem.x))]
        if problem.y is not None:
            parts += ["--y", shlex.quote("; ".join(", ".join(map(to_str, s)) for s in problem.y))]
    sizes = [s.batch for s in result.sizes]
    if (problem is None or problem.x is None) and sizes:
        if problem is not None and problem.batch[0] != problem.batch[1]:
            parts += ["--batch", f"{problem.batch[0]}..{problem.batch[1]}"]
        elif len(sizes) > 1:
            parts += ["--batch", f"{sizes[0]}..{sizes[-1]}"]
        else:
            parts += ["--batch", str(sizes[0])]
    if (result.certificate or {}).get("kind") == "all sizes":
        parts += ["--batch", str(result.batch), "--all-sizes"]
    return " ".join(parts)


def _build(result: ProofResult, problem: Problem | None) -> tuple[_Doc, str]:
    doc = _Doc()
    title = _title(result)
    doc.h(1, *title)
    _summary(doc, result)
    _setting(doc, result, problem)
    _gradients(doc, result, problem)
    v = result.verdict
    if v in ("proved", "impossible"):
        doc.h(2, "Proof" if v == "proved" else "Why no values exist")
        _certificate(doc, result.certificate or {}, result, problem)
    elif v in ("refuted", "found") and result.witness is not None:
        doc.h(2, "Counterexample" if v == "refuted" else "Witness")
        _witness(doc, result)
    else:
        doc.h(2, "Why it is undecided")
        doc.p(result.reason or "no strategy applies", ".")
        doc.p("What may help: a longer ", C("--timeout"), ", fixing some parameters or data "
              "with ", C("--set"), "/", C("--x"), "/", C("--y"), ", or a narrower ",
              C("--batch"), " range.")
    if len(result.sizes) > 1:
        doc.h(3, "By batch size")
        doc.table(["M", "verdict", "method", "detail"],
                  [[str(s.batch), s.verdict, s.method, s.detail or ""] for s in result.sizes])
    doc.h(2, "Reproduce")
    doc.code([_command_line(result, problem)])
    return doc, title


def explain(result: ProofResult, fmt: str = "markdown", *, problem: Problem | None = None) -> str:
    """The expert's answer for a prover result, as Markdown or a complete LaTeX document.

    ``problem`` (optional) is the problem the result was asked about; with it the answer
    also lists the values that were fixed and a command line that reproduces it exactly.
    """
    if fmt not in FORMATS:
        raise SpecError(f"unknown format {fmt!r} for explain; use markdown or latex")
    if not isinstance(result, ProofResult):
        raise SpecError("explain needs the result of symgrad.prove or symgrad.find")
    doc, title = _build(result, problem)
    if fmt == "markdown":
        return _to_markdown(doc)
    return _to_latex(doc, title)


def explain_claim(claim, network: Network | None = None, *, problem: Problem | None = None,
                  command: str = "prove", timeout=60, fmt: str = "markdown", batch=None,
                  params=None, x=None, y=None) -> str:
    """Run the prover on a claim (``command="prove"`` or ``"find"``) and explain the answer.

    >>> answer = explain_claim("grad(b2) == 0 -> grad(W1) == 0", batch=1).splitlines()[2]
    >>> answer.startswith("**Answer.** Yes. The claim holds for every value")
    True
    """
    if command not in ("prove", "find"):
        raise SpecError(f"unknown command {command!r}; use prove or find")
    if fmt not in FORMATS:
        raise SpecError(f"unknown format {fmt!r} for explain; use markdown or latex")
    if problem is None:
        if isinstance(network, Problem):
            problem = network
        else:
            problem = Problem(network or Network(), params=params or {}, x=x, y=y, batch=batch)
    from .prover import find, prove
    run = prove if command == "prove" else find
    result = run(claim, problem=problem, timeout=timeout)
    return explain(result, fmt, problem=problem)


__all__ = ["FORMATS", "claim_latex", "explain", "explain_claim", "latex_escape",
           "per_sample_gradients"]
