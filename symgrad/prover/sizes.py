"""Proofs for every width (and depth): zero propagation through backpropagation's structure.

A claim such as ``grad(b2) == 0 -> grad(W1) == 0`` (one sample) is not true because of
the numbers in one network but because of the shape of the chain rule.  This module
proves claims of that kind *for every layer width* -- and, when the claim names only the
first and the last layer, *for every depth* -- by forward chaining over facts about whole
vectors and matrices (``grad(W1) = 0``, ``z1[m] < 0``, ``delta2[1] = 0``) with a small
set of rules.  Each rule is a consequence of one backpropagation identity that holds at
every size (see :data:`RULES`); the derivation printed as the certificate says which rule
made each step.  ``delta_l[m]`` is the loss's derivative with respect to ``z_l[m]``
before the reduction's positive scale.

Depth: when the claim names layers 1 and L only, the derivation is run at depths 2 and 3
and on a depth-4 schematic whose layer 2 stands for the block of layers 2..L-2 of any
deeper net.  That stands up if the derivation uses no fact about the block except
``delta = 0``: no hypothesis is about the block (the claim names only layers 1 and L), and
``delta = 0`` passes down a block of any length by the same rule at every layer
(``delta_l = (W_{l+1}^T delta_{l+1}) * act'(z_l)``).

What is not in the fact language (entries with fixed indices, nonzero conclusions,
disjunctions) is dropped from the hypotheses -- which only strengthens the claim proved
-- and makes a conclusion undecidable here, so the answer falls back to the given size.

>>> from symgrad.claims import parse
>>> from symgrad.network import Network
>>> out = derive(parse("grad(b2) == 0 -> grad(W1) == 0 and grad(b1) == 0"), Network(), 1)
>>> out.proved, out.depths
(True, 'every depth >= 2 (layer 2 read as the last layer)')
>>> out.steps[:2]
['delta2[1] = 0   [grad-b-single: grad(b2) = 0]', 'delta1[1] = 0   [backprop: delta2[1] = 0]']
>>> derive(parse("grad(b2) == 0 -> grad(W1) == 0"), Network(), 2).proved
False
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..claims.ast import After, Always, And, At, Cmp, Grad, Implies, Loss, Num, Quant, Ref
from ..network import Network

# Each rule, stated for every width; m runs over the samples, l over the layers.
RULES = {
    "affine": "z_l[m] = W_l a_{l-1}[m] + b_l: if b_l = 0 and (W_l = 0 or a_{l-1}[m] = 0) "
              "then z_l[m] = 0",
    "zero-sign": "a vector equal to 0 is both <= 0 and >= 0",
    "act-zero": "a_l[m] = act(z_l[m]) with act(0) = 0: if z_l[m] = 0 then a_l[m] = 0",
    "relu-off": "a relu-type activation (slope 0 below 0) is 0 where z <= 0: "
                "if z_l[m] <= 0 then a_l[m] = 0",
    "dead": "its derivative is 0 where z < 0, and where z <= 0 when relu'(0) = 0",
    "backprop": "delta_l[m] = (W_{l+1}^T delta_{l+1}[m]) * act'(z_l[m]) for l < L: it is 0 "
                "when delta_{l+1}[m] = 0, or W_{l+1} = 0, or act'(z_l[m]) = 0",
    "output": "delta_L[m] = 2 (a_L[m] - y[m]) * out'(z_L[m]) (mse) or a_L[m] - y[m] "
              "(bce with sigmoid), and out' is never 0: delta_L[m] = 0 exactly when "
              "a_L[m] = y[m]",
    "fit": "a_L[m] = y[m] when both are 0",
    "loss-zero": "the mse loss is a positive multiple of the sum of squared residuals: it "
                 "is 0 exactly when a_L[m] = y[m] for every sample",
    "grad-b": "grad(b_l) = c * sum over m of delta_l[m] with c > 0: it is 0 when every "
              "delta_l[m] is",
    "grad-b-single": "with one sample, grad(b_l) = c * delta_l[1] with c > 0: "
                     "grad(b_l) = 0 gives delta_l[1] = 0",
    "grad-W": "grad(W_l) = c * sum over m of delta_l[m] a_{l-1}[m]^T: it is 0 when, for "
              "every sample, delta_l[m] = 0 or a_{l-1}[m] = 0",
    "grad-W-single": "with one sample, grad(W_l) = c * delta_l[1] a_{l-1}[1]^T, an outer "
                     "product of two vectors: it is 0 only if delta_l[1] = 0 or "
                     "a_{l-1}[1] = 0 (two cases)",
    "act-zeros": "where an activation's value is 0: a relu-type one exactly where z <= 0; "
                 "one with nonzero slopes, or strictly increasing through act(0) = 0 (tanh), "
                 "only at z = 0; sigmoid and softplus never (their values are > 0)",
}

_LAYER = re.compile(r"^([Wbza])(\d+)$")
_OPS = ("<", "<=", ">", ">=")


# -- facts ---------------------------------------------------------------------------------
# ("zero", name, layer, m)   name in W b gW gb z a d y; m is None for parameters and grads
# ("sign", "z", layer, m, op) every entry of z_layer[m] op 0
# ("dead", layer, m)         act'(z_layer[m]) = 0 entrywise
# ("fit", m)                 a_L[m] = y[m]
# ("loss0",)                 loss = 0
# ("false",)                 a contradiction: the case cannot happen
FALSE = ("false",)


def show(fact, names=None) -> str:
    """A fact as text, with layer numbers mapped back by ``names`` (schematic -> claim)."""
    names = names or {}

    def lay(layer):
        return names.get(layer, layer)

    def smp(m):
        return f"[{m}]" if m is not None else ""

    kind = fact[0]
    if kind == "zero":
        _, name, layer, m = fact
        if name in ("gW", "gb"):
            return f"grad({name[1]}{lay(layer)}) = 0"
        if name == "y":
            return f"y{smp(m)} = 0"
        if name == "a" and layer == 0:
            return f"x{smp(m)} = 0"
        label = "delta" if name == "d" else name
        return f"{label}{lay(layer)}{smp(m)} = 0"
    if kind == "sign":
        _, _, layer, m, op = fact
        return f"z{lay(layer)}{smp(m)} {op} 0"
    if kind == "dead":
        return f"act'(z{lay(fact[1])}{smp(fact[2])}) = 0"
    if kind == "fit":
        return f"a_L{smp(fact[1])} = y{smp(fact[1])}"
    if kind == "false":
        return "impossible"
    return "loss = 0"


@dataclass
class Derivation:
    """The outcome of :func:`derive`: whether every conclusion was derived, and how."""

    proved: bool
    depths: str = ""  # "every depth >= 2" or "depth L only"
    batches: str = ""  # "every batch size" or "batch size M'
    reason: str = ""
    steps: list = field(default_factory=list)  # lines of the derivation
    rules: list = field(default_factory=list)  # names of the rules it uses
    hypotheses: list = field(default_factory=list)
    dropped: list = field(default_factory=list)

    def certificate(self) -> dict:
        return {
            "kind": "all sizes",
            "scope": f"every width of every layer, {self.depths}, {self.batches}",
            "text": ("each conclusion follows from the hypotheses by the rules listed, each a "
                     "backpropagation identity that holds at every layer width; facts are "
                     "about whole vectors and matrices, so no width enters the argument"
                     + ("; it was derived at depths 2 and 3, and at depth 4 with layer 2 "
                        "standing for any number of layers (only delta = 0 is used about "
                        "them)" if self.depths.startswith("every") else "")
                     + ("; no sample is named by number and no one-sample rule is used, so "
                        "the same derivation runs for each sample of any batch"
                        if self.batches == "every batch size" else "")),
            "hypotheses": self.hypotheses,
            "dropped": self.dropped,
            "derivation": self.steps,
            "rules": {name: RULES[name] for name in self.rules},
        }


class NotGeneric(Exception):
    """The claim is outside the fact language (its message says why)."""


# -- reading the claim -----------------------------------------------------------------------
def _is_zero(t) -> bool:
    return isinstance(t, Num) and t.value == 0


def _samples(index, env, M):
    """The sample numbers (1-based) an index stands for."""
    if isinstance(index, int):
        return [index] if 1 <= index <= M else None
    if index in env:
        return env[index]
    return None


class _Reader:
    """Turns claim atoms into facts of one schematic network (layer numbers remapped)."""

    def __init__(self, net: Network, M: int, layer_map: dict[int, int]):
        self.net, self.M, self.map = net, M, layer_map

    def layer(self, number: int) -> int:
        return self.map[number]

    def atom(self, c: Cmp, env) -> list:
        """The facts an atom says (for all samples it ranges over); NotGeneric otherwise."""
        left, right, op = c.left, c.right, c.op
        if _is_zero(left) and not _is_zero(right):
            left, right, op = right, left, {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(op, op)
        if isinstance(left, Ref) and isinstance(right, Ref) and op == "==":
            pair = {left.name, right.name}
            if (pair == {f"a{self.net.depth}", "y"} and left.indices == right.indices
                    and len(left.indices) <= 1):  # whole vectors only, never one unit
                return [("fit", m) for m in self._ms(left, env)]
            raise NotGeneric(f"'{c}' compares two terms; only comparisons with 0 (and "
                             "a_L == y) are about whole vectors at every width")
        if not _is_zero(right):
            raise NotGeneric(f"'{c}' compares with a nonzero number")
        if isinstance(left, Loss) and op == "==":
            if self.net.loss != "mse":
                raise NotGeneric("loss == 0 is used for mse only")
            return [("loss0",)]
        if isinstance(left, Grad):
            if left.indices or op != "==":
                raise NotGeneric(f"'{c}' is about single entries or is not an equation")
            return [("zero", "g" + left.param[0], self.layer(int(left.param[1:])), None)]
        if not isinstance(left, Ref):
            raise NotGeneric(f"'{c}' is not about a parameter, gradient or layer value")
        name = left.name
        if name in self.net.param_names:
            if left.indices or op != "==":
                raise NotGeneric(f"'{c}' is about single entries or is not an equation")
            return [("zero", name[0], self.layer(int(name[1:])), None)]
        if len(left.indices) > 1:
            raise NotGeneric(f"'{c}' names single units, which not every width has")
        if name in ("x", "y") or _LAYER.match(name):
            kind = name[0]
            layer = 0 if name == "x" else None if name == "y" else int(name[1:])
            ms = self._ms(left, env)
            if kind == "a" and layer == 0:
                kind = "x"
            if op == "==":
                if kind == "y":
                    return [("zero", "y", None, m) for m in ms]
                if kind == "x":
                    return [("zero", "a", 0, m) for m in ms]
                return [("zero", kind, self.layer(layer), m) for m in ms]
            if kind == "z" and op in _OPS:
                return [("sign", "z", self.layer(layer), m, op) for m in ms]
        raise NotGeneric(f"'{c}' is not one of the facts proved for every width")

    def _ms(self, ref: Ref, env):
        if not ref.indices:
            return list(range(1, self.M + 1))
        ms = _samples(ref.indices[0], env, self.M)
        if ms is None:
            raise NotGeneric(f"the sample index of '{ref}' is not a number or an 'all' variable")
        return ms

    def facts(self, f, env, *, hypothesis: bool, dropped: list) -> list:
        """The facts a conjunction says; in a hypothesis, parts outside the language are
        dropped (sound: the claim proved is then stronger)."""
        if isinstance(f, And):
            return [x for a in f.args for x in self.facts(a, env, hypothesis=hypothesis,
                                                         dropped=dropped)]
        if isinstance(f, Quant) and f.q == "all":
            inner = {**env, f.var: list(range(1, self.M + 1))}
            return self.facts(f.body, inner, hypothesis=hypothesis, dropped=dropped)
        try:
            if isinstance(f, Cmp):
                return self.atom(f, env)
            raise NotGeneric(f"'{f}' is not a conjunction of facts about whole vectors")
        except NotGeneric:
            if hypothesis:
                dropped.append(str(f))
                return []
            raise


def _split(claim):
    """(hypotheses, conclusion) of ``H1 -> H2 -> ... -> C``."""
    hyps = []
    while isinstance(claim, Implies):
        hyps.append(claim.left)
        claim = claim.right
    return hyps, claim


def _layers_named(f, acc: set) -> set:
    """The layer numbers a formula names."""
    if isinstance(f, Grad):
        acc.add(int(f.param[1:]))
    elif isinstance(f, Ref):
        m = _LAYER.match(f.name)
        if m:
            acc.add(int(m.group(2)))
    for value in vars(f).values() if hasattr(f, "__dataclass_fields__") else ():
        for item in value if isinstance(value, tuple) else (value,):
            if hasattr(item, "__dataclass_fields__"):
                _layers_named(item, acc)
    return acc


# -- the closure ---------------------------------------------------------------------------
def zero_set(act) -> str:
    """Where the activation's value is 0: ``"z <= 0"``, ``"z = 0"`` or ``"never"``.

    >>> from symgrad.activations import resolve
    >>> [zero_set(resolve(n)) for n in ("relu", "leaky_relu", "tanh", "sigmoid", "softplus")]
    ['z <= 0', 'z = 0', 'z = 0', 'never', 'never']
    """
    import sympy as sp
    if act.piecewise_linear:
        neg, pos = act.slopes
        return "z <= 0" if neg == 0 else "z = 0"  # pos is 1: the increasing branch
    low = act.smooth.value_range[0]
    if low is not None and low >= 0:
        return "never"  # the values form an open interval above low >= 0
    increasing = any(f.name == "monotone" for f in act.smooth.facts)
    if increasing and act.smooth.f(sp.Integer(0)) == 0:
        return "z = 0"
    raise ValueError(f"no zero set known for {act.name}")  # pragma: no cover


class _Closure:
    """Forward chaining of :data:`RULES` over a schematic network of depth ``L``."""

    def __init__(self, net: Network, L: int, M: int):
        self.L, self.M = L, M
        self.known: dict = {}  # fact -> (rule, premises)
        self.hidden = net.activation(1) if net.depth > 1 else None
        self.hidden_zeros = zero_set(self.hidden) if self.hidden is not None else None
        self.out_zeros = zero_set(net.activation(net.depth))
        self.dead_at_zero = self.hidden_zeros == "z <= 0" and self.hidden.grad_at_zero == 0
        self.mse = net.loss == "mse"

    def copy(self) -> _Closure:
        other = object.__new__(_Closure)
        other.__dict__.update(self.__dict__)
        other.known = dict(self.known)
        return other

    def add(self, fact, rule, premises=()) -> bool:
        if fact in self.known:
            return False
        self.known[fact] = (rule, tuple(premises))
        return True

    def has(self, fact) -> bool:
        return fact in self.known

    def run(self) -> None:
        while not self.has(FALSE) and self._round():
            pass

    def splits(self):
        """Disjunctions the facts imply: (rule, premise, (case, case))."""
        if self.M != 1:
            return
        for l in range(1, self.L + 1):
            g = ("zero", "gW", l, None)
            if self.has(g):
                yield "grad-W-single", g, (("zero", "d", l, 1), ("zero", "a", l - 1, 1))

    def _round(self) -> bool:  # noqa: C901 - one rule per branch, as listed in RULES
        L, M, has, add = self.L, self.M, self.has, self.add
        new = False
        samples = range(1, M + 1)
        for m in samples:
            if has(("loss0",)) and self.mse:
                new |= add(("fit", m), "loss-zero", [("loss0",)])
            za, zy = ("zero", "a", L, m), ("zero", "y", None, m)
            if has(za) and has(zy):
                new |= add(("fit", m), "fit", [za, zy])
            if has(("fit", m)):
                new |= add(("zero", "d", L, m), "output", [("fit", m)])
            if has(("zero", "d", L, m)):
                new |= add(("fit", m), "output", [("zero", "d", L, m)])
            for l in range(1, L + 1):
                zb, zW, zprev = ("zero", "b", l, None), ("zero", "W", l, None), ("zero", "a", l - 1, m)
                z0, a0 = ("zero", "z", l, m), ("zero", "a", l, m)
                zeros = self.hidden_zeros if l < L else self.out_zeros
                lt, le = ("sign", "z", l, m, "<"), ("sign", "z", l, m, "<=")
                if has(zb) and has(zW):
                    new |= add(z0, "affine", [zb, zW])
                if has(zb) and has(zprev):
                    new |= add(z0, "affine", [zb, zprev])
                if has(z0):
                    for op in ("<=", ">="):
                        new |= add(("sign", "z", l, m, op), "zero-sign", [z0])
                    if zeros in ("z = 0", "z <= 0"):
                        new |= add(a0, "act-zero", [z0])
                if zeros == "z <= 0":
                    for sign in (lt, le):
                        if has(sign):
                            new |= add(a0, "relu-off", [sign])
                if has(a0):
                    if zeros == "never":
                        new |= add(FALSE, "act-zeros", [a0])
                    elif zeros == "z = 0":
                        new |= add(z0, "act-zeros", [a0])
                    else:
                        new |= add(le, "act-zeros", [a0])
                if l < L and zeros == "z <= 0":
                    if has(lt):
                        new |= add(("dead", l, m), "dead", [lt])
                    if has(le) and self.dead_at_zero:
                        new |= add(("dead", l, m), "dead", [le])
                if l < L:
                    d = ("zero", "d", l, m)
                    for premise in (("zero", "d", l + 1, m), ("zero", "W", l + 1, None),
                                    ("dead", l, m)):
                        if has(premise):
                            new |= add(d, "backprop", [premise])
        for l in range(1, L + 1):
            ds = [("zero", "d", l, m) for m in samples]
            if all(map(has, ds)):
                new |= add(("zero", "gb", l, None), "grad-b", ds)
            if M == 1 and has(("zero", "gb", l, None)):
                new |= add(("zero", "d", l, 1), "grad-b-single", [("zero", "gb", l, None)])
            why = []
            for m in samples:
                d, a = ("zero", "d", l, m), ("zero", "a", l - 1, m)
                why.append(d if has(d) else a if has(a) else None)
            if all(why):
                new |= add(("zero", "gW", l, None), "grad-W", why)
        return new

    def trace(self, goals) -> list:
        """The steps (fact, rule, premises) that derive ``goals``, premises first."""
        order, seen = [], set()

        def visit(f):
            if f in seen:
                return
            seen.add(f)
            rule, premises = self.known[f]
            for p in premises:
                visit(p)
            order.append((f, rule, premises))
        for g in goals:
            visit(g)
        return order


@dataclass
class _Proof:
    """Steps, then either nothing more, or a split into cases that are each proved."""

    steps: list
    split: tuple | None = None  # (rule, premise, [(case fact, _Proof), ...])

    def facts(self):
        yield from (f for f, _, _ in self.steps)
        if self.split:
            for case, sub in self.split[2]:
                yield case
                yield from sub.facts()

    def lines(self, back, indent="") -> list[str]:
        out = []
        for fact, rule, prem in self.steps:
            if rule in ("hypothesis", "case"):
                continue
            out.append(f"{indent}{show(fact, back)}   [{rule}"
                       + (": " + ", ".join(show(p, back) for p in prem) if prem else "") + "]")
        if self.split:
            rule, premise, cases = self.split
            out.append(f"{indent}{' or '.join(show(c, back) for c, _ in cases)}   "
                       f"[{rule}: {show(premise, back)}]")
            for case, sub in cases:
                out.append(f"{indent}case {show(case, back)}:")
                out += sub.lines(back, indent + "  ")
        return out

    def rules(self):
        for _, rule, _ in self.steps:
            if rule not in ("hypothesis", "case"):
                yield rule
        if self.split:
            yield self.split[0]
            for _, sub in self.split[2]:
                yield from sub.rules()


def _prove(closure: _Closure, goals, depth: int = 3) -> _Proof | None:
    """Close under the rules; if goals remain, split on an implied disjunction."""
    closure.run()
    if closure.has(FALSE):
        return _Proof(closure.trace([FALSE]))
    if all(map(closure.has, goals)):
        return _Proof(closure.trace(goals))
    if depth == 0:
        return None
    for rule, premise, cases in closure.splits():
        if any(map(closure.has, cases)):
            continue  # one case is already known: splitting adds nothing
        proved = []
        for case in cases:
            branch = closure.copy()
            branch.add(case, "case")
            sub = _prove(branch, goals, depth - 1)
            if sub is None:
                break
            proved.append((case, sub))
        else:
            return _Proof(closure.trace([premise]), (rule, premise, proved))
    return None


# -- the entry point -----------------------------------------------------------------------
def _one_shape(claim, net: Network, M: int, L: int, layer_map: dict[int, int]):
    """(proof or None, hypothesis facts, dropped text, goals) on a schematic depth L."""
    hyps, conclusion = _split(claim)
    reader = _Reader(net, M, layer_map)
    dropped: list = []
    facts = [f for h in hyps for f in reader.facts(h, {}, hypothesis=True, dropped=dropped)]
    goals = reader.facts(conclusion, {}, hypothesis=False, dropped=[])
    closure = _Closure(net, L, M)
    for f in facts:
        closure.add(f, "hypothesis")
    return _prove(closure, goals), facts, dropped, goals


def derive(claim, net: Network, M: int) -> Derivation:
    """Try to prove ``claim`` for every width and depth, else every width at depth L,
    at batch size ``M``; the scope says which, and whether every batch size is covered."""
    out = _derive(claim, net, M)
    if out.proved:
        single = {"grad-b-single", "grad-W-single"} & set(out.rules)
        if _samples_by_name(claim) and not single:
            out.batches = "every batch size"
        else:
            out.batches = f"batch size {M} only" + (
                f" (it uses the one-sample rule {sorted(single)[0]})" if single else
                " (the claim names a sample by number)")
    return out


def _samples_by_name(f) -> bool:
    """True if no sample is named by a number (x[2], z1[1]): samples only through
    ``all m:`` variables or whole-batch references, so every sample is alike."""
    if isinstance(f, Ref) and f.indices and (f.name in ("x", "y") or _LAYER.match(f.name)
                                             and f.name[0] in "za"):
        if isinstance(f.indices[0], int):
            return False
    if isinstance(f, Quant) and f.q != "all":
        return False
    for value in vars(f).values() if hasattr(f, "__dataclass_fields__") else ():
        for item in value if isinstance(value, tuple) else (value,):
            if hasattr(item, "__dataclass_fields__") and not _samples_by_name(item):
                return False
    return True


def _derive(claim, net: Network, M: int) -> Derivation:
    if _has_time(claim):
        return Derivation(False, reason="claims about training steps are not covered")
    L = net.depth
    named = _layers_named(claim, set()) - {0}  # a0 is the input x
    fixed = [(L, {k: k for k in range(0, L + 1)}, {k: k for k in range(0, L + 1)})]
    if L >= 2 and named <= {1, L}:  # layer 1 stays 1, layer L becomes the schematic last D
        every = _attempt(claim, net, M, [(D, {0: 0, 1: 1, L: D}, _names(D, L))
                                          for D in (2, 3, 4)], show_depth=min(L, 4))
        if every.proved:
            every.depths = "every depth >= 2" + (
                f" (layer {L} read as the last layer)" if L in named else "")
            return every
        at_L = _attempt(claim, net, M, fixed, show_depth=L)
        at_L.depths = f"depth {L} only (not every depth: {every.reason})"
        return at_L if at_L.proved else every
    at_L = _attempt(claim, net, M, fixed, show_depth=L)
    at_L.depths = f"depth {L} only" + ("" if L < 2 else " (the claim names a middle layer)")
    return at_L


def _attempt(claim, net: Network, M: int, shapes, show_depth: int) -> Derivation:
    """A derivation that holds on every schematic shape (depth, claim->schematic layer
    map, schematic->printed layer names), printed for the one of depth ``show_depth``."""
    shown = None
    for D, forward, back in shapes:
        try:
            proof, facts, dropped, goals = _one_shape(claim, net, M, D, forward)
        except NotGeneric as exc:
            return Derivation(False, reason=str(exc))
        if proof is None:
            return Derivation(False, reason="no derivation for every width"
                              + (f" at depth {D}" if len(shapes) > 1 else "") + " of "
                              + ", ".join(show(g, back) for g in goals))
        if D == 4 and len(shapes) > 1:
            stray = [f for f in proof.facts() if _middle(f) and f[:2] != ("zero", "d")]
            if stray:
                return Derivation(False, reason="at depth 4 and more the derivation uses a fact "
                                  "about the middle layers other than delta = 0 ("
                                  + show(stray[0], back) + ")")
        if shown is None or D == show_depth:
            shown = (proof, facts, dropped, goals, back)
    proof, facts, dropped, goals, back = shown
    return Derivation(True, steps=proof.lines(back), rules=list(dict.fromkeys(proof.rules())),
                      hypotheses=[show(f, back) for f in facts], dropped=dropped)


def _names(D: int, L: int) -> dict:
    """Schematic layer number -> the name printed for it in a net of depth L."""
    names = {0: 0, 1: 1, D: L}
    if D >= 3:
        names[D - 1] = L - 1 if L >= D else "(L-1)"
    if D == 4:
        names[2] = 2 if L == 4 else f"(2..{L - 2})" if L > 4 else "(2..L-2)"
    return names


def _middle(fact) -> bool:
    """Is the fact about layer 2 of the depth-4 schematic (the block of layers 2..L-2)?"""
    if fact[0] == "dead":
        return fact[1] == 2
    return fact[0] in ("zero", "sign") and fact[2] == 2


def _has_time(f) -> bool:
    if isinstance(f, (After, Always, At)):
        return True
    for value in vars(f).values() if hasattr(f, "__dataclass_fields__") else ():
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, (After, Always, At)) or (
                    hasattr(item, "__dataclass_fields__") and _has_time(item)):
                return True
    return False
