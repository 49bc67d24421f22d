"""Proofs for every width and depth (``prove --all-sizes``, symgrad.prover.sizes).

Three kinds of check, none of which trusts the derivation engine:

* every rule in ``sizes.RULES`` is the consequence of an identity that is verified here
  symbolically, by expansion, at several concrete sizes, activations and losses;
* every claim proved for all sizes is proved again by the ordinary prover at concrete
  sizes, including other widths and depths (the last layer renamed);
* claims that are false somewhere are never reported as holding for all sizes, and a
  Hypothesis search over claims built from the same vocabulary finds no claim that is
  proved for all sizes but refuted at a concrete size.
"""

from __future__ import annotations

import json
import subprocess

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cli import SCRIPT

from symgrad import Network, prove, signs
from symgrad.activations import resolve
from symgrad.claims import parse
from symgrad.problem import Instance, Problem
from symgrad.prover import sizes
from symgrad.prover.domains import Domain, OpaqueOps

# -- the rules' identities, at concrete sizes ------------------------------------------------


class _SampleOps(OpaqueOps):
    """Opaque activation symbols of batch sample ``m`` for a one-sample pass of it."""

    def __init__(self, m):
        super().__init__()
        self.m = m

    def symbols(self, tag):
        l, _, i = tag
        return super().symbols((l, self.m, i))


def _single(inst: Instance, m: int):
    """The pass of sample m alone (same parameters, same activation symbols)."""
    values = dict(inst.values)
    values["x"], values["y"] = [inst.values["x"][m - 1]], [inst.values["y"][m - 1]]
    one = Instance(inst.network, 1, values, inst.free, inst.slots)
    return Domain(one, _SampleOps(m)).run


def _zero(e) -> bool:
    return sp.expand(e) == 0


def _flat(t):
    return [e for row in t for e in (row if isinstance(row, list) else [row])]


NETS = [
    Network(layers="1,1,1"),
    Network(layers="2,3,2", act="tanh"),
    Network(layers="1,2,2,1", act="relu"),
    Network(layers="2,2,1", act="sigmoid", out="sigmoid", loss="bce"),
    Network(layers="1,2,3,2", act="softplus", out="sigmoid", reduction="sum"),
    Network(layers="2,1,2", act="leaky_relu"),
]


def _check_identities(net: Network, M: int) -> set:
    """Verify the identities behind the rules at this size; the set of rules covered."""
    inst = Problem(net, batch=M).instance()
    batch = Domain(inst, OpaqueOps()).run
    singles = [_single(inst, m) for m in range(1, M + 1)]
    L, covered = net.depth, set()
    ratio = batch.scale / singles[0].scale  # 1/M for mean, 1 for sum
    for l in range(1, L + 1):
        W, b = batch.params[f"W{l}"], batch.params[f"b{l}"]
        for m in range(M):
            # affine: z_l[m] = W_l a_{l-1}[m] + b_l
            for i, zi in enumerate(batch.z[l - 1][m]):
                assert _zero(zi - sum(W[i][j] * a for j, a in enumerate(batch.a[l - 1][m])) - b[i])
        covered.add("affine")
        # grad-b, grad-W: batch gradients are the (scaled) sums of one-sample ones, and a
        # one-sample grad(W_l) is the outer product of grad(b_l) and a_{l-1}
        for name in (f"W{l}", f"b{l}"):
            total = [ratio * sum(parts) for parts in
                     zip(*(_flat(s.grads[name]) for s in singles), strict=True)]
            assert all(_zero(g - t) for g, t in zip(_flat(batch.grads[name]), total, strict=True))
        for s in singles:
            gb = s.grads[f"b{l}"]
            outer = [gi * aj for gi in gb for aj in s.a[l - 1][0]]
            assert all(_zero(g - o) for g, o in zip(_flat(s.grads[f"W{l}"]), outer, strict=True))
        covered |= {"grad-b", "grad-W", "grad-W-single", "grad-b-single"}
    for s in singles:  # one sample: grad(b_l) = scale * delta_l
        for l in range(1, L):
            W_up, g_up, d = s.params[f"W{l + 1}"], s.grads[f"b{l + 1}"], s.d[l - 1][0]
            for j, gj in enumerate(s.grads[f"b{l}"]):
                assert _zero(gj - d[j] * sum(W_up[i][j] * g_up[i] for i in range(len(g_up))))
        covered.add("backprop")
        aL, y, dL = s.a[L][0], s.y[0], s.d[L - 1][0]
        for i, g in enumerate(s.grads[f"b{L}"]):
            want = (2 * (aL[i] - y[i]) * dL[i]) if net.loss == "mse" else (aL[i] - y[i])
            assert _zero(g - s.scale * want)
        assert all(dL_i != 0 for dL_i in dL)  # out' is never 0 (a symbol or the constant 1)
        covered.add("output")
    if net.loss == "mse":
        residuals = [(p - t) ** 2 for m in range(M) for p, t in zip(batch.a[L][m], batch.y[m],
                                                                      strict=True)]
        assert _zero(batch.loss(net) - batch.scale * sum(residuals))
        covered.add("loss-zero")
    return covered


def _check_activation_rules(name: str, **conv) -> set:
    """zero-sign, fit, act-zero, relu-off, dead, act-zeros against exact values."""
    act = resolve(name, **conv)
    where = sizes.zero_set(act)
    z = sp.Symbol("z", real=True)
    points = [sp.Rational(k, 4) for k in range(-12, 13)] + [sp.Integer(-40), sp.Integer(40)]
    for p in points:
        value = act.value(p)
        is_zero = sp.simplify(value) == 0
        expected = {"z <= 0": p <= 0, "z = 0": p == 0, "never": False}[where]
        assert is_zero == expected, (name, p, value)
        if where == "never":
            assert signs.compare(">", value, sp.Integer(0)) is True  # certified by arb
        if where == "z <= 0" and p < 0:
            assert act.derivative(p) == 0  # dead below 0
    if where == "z <= 0":
        assert act.derivative(sp.Integer(0)) == act.grad_at_zero
    if where == "z = 0" and not act.piecewise_linear:
        assert sp.simplify(sp.diff(act.value(z), z) - act.derivative(z)) == 0
    return {"zero-sign", "fit", "act-zero", "relu-off", "dead", "act-zeros"}


def test_every_rule_is_an_identity_checked_at_concrete_sizes():
    covered = set()
    for net in NETS:
        for M in (1, 2):
            covered |= _check_identities(net, M)
    for name in ("relu", "leaky_relu", "tanh", "sigmoid", "softplus", "identity"):
        covered |= _check_activation_rules(name)
    covered |= _check_activation_rules("relu", grad_at_zero=sp.Integer(1))
    assert covered == set(sizes.RULES), set(sizes.RULES) ^ covered


def test_a_wrong_identity_would_be_caught():
    """The identity check can fail: a network whose backprop we corrupt is rejected."""
    import symgrad.backprop as bp
    original = bp._sum_scaled

    def corrupt(terms, scale, ops):
        return original(terms, 2 * scale, ops)
    try:
        bp._sum_scaled = corrupt
        with pytest.raises(AssertionError):
            _check_identities(Network(layers="1,2,1"), 2)
    finally:
        bp._sum_scaled = original


# -- proved for all sizes, and proved again at concrete sizes ----------------------------------

PROVED = [  # (claim, net options, batch)
    ("grad(b2) == 0 -> grad(W1) == 0 and grad(b1) == 0", {}, 1),
    ("grad(W2) == 0 and grad(b2) == 0 -> grad(W1) == 0 and grad(b1) == 0", {"act": "tanh"}, 1),
    ("(all m: z1[m] < 0) -> grad(W1) == 0 and grad(b1) == 0", {}, 2),
    ("(all m: z1[m] <= 0) -> grad(W1) == 0", {}, 2),
    ("W2 == 0 -> grad(W1) == 0 and grad(b1) == 0", {"act": "sigmoid"}, 2),
    ("loss == 0 -> grad(W1) == 0 and grad(W2) == 0", {"act": "softplus"}, 2),
    ("grad(W2) == 0 -> grad(W1) == 0", {"act": "relu"}, 1),
    ("grad(W2) == 0 -> grad(W1) == 0", {"act": "sigmoid"}, 1),
    ("(all m: a2[m] == y[m]) -> grad(b1) == 0", {"out": "sigmoid", "loss": "bce"}, 2),
    ("W1 == 0 and b1 == 0 -> grad(W2) == 0", {"act": "tanh"}, 2),  # depth 2 only
]


def _renamed(claim: str, old: int, new: int) -> str:
    """The claim with layer ``old`` (the last) renamed ``new`` (the last of a deeper net)."""
    import re
    return re.sub(rf"(?<=[Wbza]){old}\b", str(new), claim)


@pytest.mark.parametrize("claim,opts,M", PROVED)
def test_proved_for_all_sizes_and_again_at_concrete_sizes(claim, opts, M):
    result = prove(claim, Network(**opts), batch=M, all_sizes=True, timeout=30)
    assert result.verdict == "proved" and result.method == "all sizes", result.to_text()
    cert = result.certificate
    assert cert["kind"] == "all sizes" and cert["scope"].startswith("every width")
    assert set(cert["rules"]) <= set(sizes.RULES) and cert["derivation"]
    json.dumps(result.to_json())
    # the ordinary prover at other widths and depths: proved where its strategies reach
    # (sum-of-squares hypotheses such as loss == 0 are beyond them at larger sizes), and
    # never refuted
    every_depth = cert["scope"].startswith("every width of every layer, every depth")
    for layers in ("1,2,1", "2,1,3", "1,2,2,1") if every_depth else ("1,2,1", "2,1,3"):
        net = Network(layers=layers, **opts)
        text = _renamed(claim, 2, net.depth)
        again = prove(text, net, batch=M, timeout=20 if layers == "1,2,1" else 5)
        assert again.verdict != "refuted", (layers, again.to_text())
        if layers == "1,2,1":
            assert again.verdict == "proved", (layers, again.to_text())
    if cert["scope"].endswith("every batch size"):
        again = prove(claim, Network(layers="1,2,1", **opts), batch=M + 2, timeout=10)
        assert again.verdict != "refuted", again.to_text()


# -- never proved when false ------------------------------------------------------------------

FALSE = [  # refuted at the given size or at a neighbouring one
    ("grad(b2) == 0 -> grad(W1) == 0", {}, 2),
    ("grad(W2) == 0 -> grad(W1) == 0", {"act": "tanh"}, 1),
    ("grad(W2) == 0 -> grad(W1) == 0", {"act": "leaky_relu"}, 1),
    ("(all m: z1[m] <= 0) -> grad(W1) == 0", {"relu_grad_at_zero": 1}, 1),
    ("grad(W1) == 0 -> grad(b1) == 0", {}, 1),
    ("W1 == 0 and b1 == 0 -> grad(W2) == 0", {"act": "sigmoid"}, 1),
]


@pytest.mark.parametrize("claim,opts,M", FALSE)
def test_false_claims_are_refuted_not_proved_for_all_sizes(claim, opts, M):
    result = prove(claim, Network(**opts), batch=M, all_sizes=True, timeout=30)
    assert result.verdict == "refuted" and result.checked, result.to_text()
    assert "not true for all sizes" in result.note


def test_true_at_the_given_size_only_is_not_all_sizes():
    # one hidden unit and a scalar input: grad(W1) = 0 and x != 0 force delta1 = 0, so
    # grad(b1) = 0; true here, but the rules (rightly) cannot carry it to every width
    claim = "(all m: x[m] != 0) -> grad(W1) == 0 -> grad(b1) == 0"
    result = prove(claim, Network(), batch=1, all_sizes=True, timeout=30)
    assert result.verdict in ("unknown", "refuted"), result.to_text()
    if result.verdict == "unknown":
        assert "no size-independent argument" in result.reason


def test_what_all_sizes_does_not_cover_is_bad_input_or_unknown():
    with pytest.raises(Exception, match="every parameter and datum free"):
        prove("grad(b2) == 0 -> grad(W1) == 0", Problem(Network(), x="1", y="2"),
              all_sizes=True)
    r = prove("grad(W1[1,1]) == 0", Network(), batch=1, all_sizes=True, timeout=10)
    assert r.verdict in ("unknown", "refuted")


def test_batch_scope():
    def scope(claim, M):
        return sizes.derive(parse(claim), Network(), M).batches
    assert scope("(all m: z1[m] < 0) -> grad(W1) == 0", 2) == "every batch size"
    assert scope("z1 < 0 -> grad(W1) == 0", 2) == "every batch size"
    assert scope("grad(b2) == 0 -> grad(W1) == 0", 1).startswith("batch size 1 only")
    assert scope("z1[1] < 0 and z1[2] < 0 -> grad(W1) == 0", 2).startswith("batch size 2 only")
    # the one-sample claim is false at batch size 2: the scope was right to stop at 1
    assert prove("grad(b2) == 0 -> grad(W1) == 0", batch=2, timeout=20).verdict == "refuted"


def test_one_unit_is_not_read_as_the_whole_vector():
    # a2[1,1] == y[1,1] says nothing about the second output unit, so with two outputs
    # grad(b2) need not vanish; reading it as a2[1] == y[1] would "prove" it
    claim = "a2[1,1] == y[1,1] -> grad(b2) == 0"
    assert not sizes.derive(parse(claim), Network(layers="1,1,2"), 1).proved
    r = prove(claim, Network(layers="1,1,2"), batch=1, all_sizes=True, timeout=20)
    assert r.verdict == "refuted", r.to_text()


def test_a_claim_naming_a_middle_layer_holds_for_widths_only():
    r = prove("grad(b3) == 0 -> grad(W2) == 0", Network(layers="1,2,2,1"), batch=1,
              all_sizes=True, timeout=30)
    assert r.verdict == "proved"
    assert r.certificate["scope"] == "every width of every layer, depth 3 only " \
                                     "(the claim names a middle layer), batch size 1 only " \
                                     "(it uses the one-sample rule grad-b-single)"


# -- no contradiction with the concrete prover ------------------------------------------------

_ATOMS = ["grad(W1) == 0", "grad(b1) == 0", "grad(W2) == 0", "grad(b2) == 0", "W1 == 0",
          "W2 == 0", "b1 == 0", "b2 == 0", "z1[1] < 0", "z1[1] <= 0", "a1[1] == 0",
          "x[1] == 0", "y[1] == 0", "a2[1] == y[1]", "loss == 0", "z2[1] == 0",
          "(all m: z1[m] < 0)", "(all m: a2[m] == y[m])"]
_GOALS = ["grad(W1) == 0", "grad(b1) == 0", "grad(W2) == 0", "grad(b2) == 0", "a1[1] == 0",
          "z1[1] == 0", "a2[1] == y[1]"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hyps=st.lists(st.sampled_from(_ATOMS), min_size=1, max_size=3, unique=True),
       goal=st.sampled_from(_GOALS),
       act=st.sampled_from(["relu", "tanh", "sigmoid", "softplus", "leaky_relu", "identity"]),
       M=st.integers(1, 2), g0=st.sampled_from([0, 1]))
def test_all_sizes_never_contradicts_the_concrete_prover(hyps, goal, act, M, g0):
    claim = " and ".join(hyps) + " -> " + goal
    net = Network(act=act, relu_grad_at_zero=g0)
    derived = sizes.derive(parse(claim), net, M)
    if not derived.proved:
        return
    checks = [("1,1,1", claim), ("1,2,1", claim)]
    if derived.batches == "every batch size":
        checks.append(("1,1,1", claim, 3))
    if derived.depths.startswith("every depth"):
        checks.append(("1,1,1,1", _renamed(claim, 2, 3)))
    for layers, text, *batch in checks:
        concrete = prove(text, Network(layers=layers, act=act, relu_grad_at_zero=g0),
                         batch=batch[0] if batch else M, timeout=20)
        assert concrete.verdict != "refuted", (text, layers, concrete.to_text())
    PROVED_SEEN.append(claim)


PROVED_SEEN: list = []


def test_the_property_test_saw_proved_claims():
    """The search above is not vacuous: it met claims proved for all sizes (the test
    order runs it first)."""
    assert len(PROVED_SEEN) >= 3, PROVED_SEEN


# -- the command line ------------------------------------------------------------------------

def test_cli_all_sizes():
    ok = subprocess.run([SCRIPT, "prove", "grad(b2) == 0 -> grad(W1) == 0", "--all-sizes",
                         "--format", "json"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    data = json.loads(ok.stdout)
    assert data["method"] == "all sizes" and data["certificate"]["kind"] == "all sizes"
    bad = subprocess.run([SCRIPT, "prove", "grad(b2) == 0 -> grad(W1) == 0", "--all-sizes",
                          "--set", "W1=1"], capture_output=True, text=True)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    wrong = subprocess.run([SCRIPT, "prove", "grad(b2) == 0 -> grad(W1) == 0", "--all-sizes",
                            "--batch", "2"], capture_output=True, text=True)
    assert wrong.returncode == 1, wrong.stdout


def test_explain_all_sizes(tmp_path):
    from symgrad.explain import explain
    r = prove("(all m: z1[m] < 0) -> grad(W1) == 0", Network(), batch=2, all_sizes=True)
    md = explain(r, "markdown")
    assert "Proof for every size" in md and "every batch size" in md
    assert "[dead: z1[1] < 0]" in md
    assert "--batch 2 --all-sizes" in md
    tex = explain(r, "latex")
    assert tex.startswith("\\documentclass") and "every batch size" in tex
    out = subprocess.run([SCRIPT, "explain", "grad(b2) == 0 -> grad(W1) == 0", "--all-sizes",
                          "--find"], capture_output=True, text=True)
    assert out.returncode == 2 and "drop --find" in out.stderr
