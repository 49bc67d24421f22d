"""The claim language: printing back round-trips, precedence, names, error columns, CLI errors.

The grammar these tests pin down is written out in ``docs/claims.md``.
"""

from __future__ import annotations

import importlib
import re

import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import symgrad
from symgrad import ClaimSyntaxError, Network, SymgradError
from symgrad.claims import parse
from symgrad.claims.ast import (
    And,
    BinOp,
    Bool,
    Cmp,
    Formula,
    Grad,
    Iff,
    Implies,
    Loss,
    Neg,
    Not,
    Num,
    Or,
    Quant,
    Ref,
)
from symgrad.cli import main

# deep recursive strategies have long reprs; Hypothesis warns when it builds one
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

# The words the grammar reserves (docs/claims.md); none of them can be a name.
KEYWORDS = {"not", "and", "or", "all", "any", "true", "false", "grad", "loss"}
CMP_OPS = ("==", "!=", "<", "<=", ">", ">=")

# Two printer bugs once made some trees print to text that parses to a different
# (equivalent) tree: a right operand of + or * that is itself a sum / product lost its
# parentheses, and a right-nested <-> printed without them.  Both are fixed; the strategies
# keep a switch to leave those shapes out, and test_known_printer_bugs pins them.
AVOID_KNOWN_PRINTER_BUGS = False


# -- strategies: syntax trees in the parser's normal form ------------------------------------

def _identifiers():
    """Names the tokenizer reads as one name, excluding keywords and parameter spellings
    (W1, w1, b2, B2 are canonicalised by the parser, so they are drawn separately)."""
    return st.from_regex(r"[A-Za-z_][A-Za-z_0-9]{0,5}", fullmatch=True).filter(
        lambda s: s not in KEYWORDS and not re.fullmatch(r"[WwBb][0-9]+", s))


PARAMS = st.builds(lambda k, n: k + n, st.sampled_from("Wb"), st.from_regex(r"[0-9]{1,3}",
                                                                             fullmatch=True))
NAMES = st.one_of(st.sampled_from(["x", "y", "z1", "z2", "a0", "a1", "a2"]), PARAMS,
                  _identifiers())
VARS = st.one_of(st.sampled_from(["m", "k", "i", "j"]), _identifiers())
INDICES = st.lists(st.one_of(st.integers(0, 10**6), VARS), max_size=3).map(tuple)
RATIONALS = st.one_of(
    st.integers(0, 10**30).map(sp.Integer),  # what a literal gives
    st.builds(sp.Rational, st.integers(-10**6, 10**6), st.integers(1, 10**4)),  # folded
)
NUMS = RATIONALS.map(Num)


def _binop_ok(op: str, left, right, avoid_bugs: bool) -> bool:
    if op in "*/" and isinstance(left, Num) and isinstance(right, Num):
        return False  # the parser folds 2 * 3 and 2 / 3 into one Num
    if avoid_bugs and op in "+*" and isinstance(right, BinOp) and right.prec == (
            6 if op == "+" else 7):
        return False  # known printer bug: right-nested sum / product
    return True


def terms(avoid_bugs: bool = AVOID_KNOWN_PRINTER_BUGS):
    leaves = st.one_of(NUMS, st.builds(Ref, NAMES, INDICES), st.builds(Grad, PARAMS, INDICES),
                       st.just(Loss()))

    def extend(children):
        negs = children.filter(lambda t: not isinstance(t, Num)).map(Neg)
        bins = st.tuples(st.sampled_from("+-*/"), children, children).filter(
            lambda a: _binop_ok(*a, avoid_bugs)).map(lambda a: BinOp(*a))
        return st.one_of(negs, bins)

    return st.recursive(leaves, extend, max_leaves=8)


def _flat(kind, parts):
    """And/Or with at least two arguments, none of them directly of the same kind."""
    args = []
    for p in parts:
        args.extend(p.args if isinstance(p, kind) else [p])
    return kind(tuple(args))


def formulas(avoid_bugs: bool = AVOID_KNOWN_PRINTER_BUGS):
    atoms = st.one_of(st.builds(Cmp, st.sampled_from(CMP_OPS), terms(avoid_bugs),
                                terms(avoid_bugs)),
                      st.builds(Bool, st.booleans()))

    def extend(children):
        iffs = st.builds(Iff, children, children)
        if avoid_bugs:
            iffs = iffs.filter(lambda f: not isinstance(f.right, Iff))
        return st.one_of(
            st.builds(Not, children),
            st.lists(children, min_size=2, max_size=3).map(lambda a: _flat(And, a)),
            st.lists(children, min_size=2, max_size=3).map(lambda a: _flat(Or, a)),
            st.builds(Implies, children, children),
            iffs,
            st.builds(Quant, st.sampled_from(["all", "any"]), VARS, children),
        )

    return st.recursive(atoms, extend, max_leaves=10)


ROUND_TRIP = settings(max_examples=400, deadline=None,
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


# -- (a) printing back round-trips -----------------------------------------------------------

@ROUND_TRIP
@given(formulas())
def test_printing_back_round_trips(tree):
    text = str(tree)
    assert parse(text) == tree, text


@ROUND_TRIP
@given(terms())
def test_terms_round_trip_in_a_comparison(term):
    claim = Cmp("<=", term, Num(sp.Rational(-2, 3)))
    assert parse(str(claim)) == claim, str(claim)


@pytest.mark.parametrize("tree", [
    Cmp("==", BinOp("+", Ref("x"), BinOp("-", Ref("y"), Ref("z1"))), Num(sp.Integer(0))),
    Cmp("==", BinOp("*", Num(sp.Integer(2)), BinOp("*", Num(sp.Integer(3)), Ref("x"))),
        Num(sp.Integer(0))),
    Cmp("==", BinOp("*", Ref("x"), BinOp("/", Ref("y"), Num(sp.Integer(2)))),
        Num(sp.Integer(0))),
    Iff(Bool(True), Iff(Bool(False), Bool(True))),
])
def test_formerly_broken_shapes_round_trip(tree):
    assert parse(str(tree)) == tree


@pytest.mark.parametrize("text, value", [
    ("2/3", sp.Rational(2, 3)), ("-1", sp.Integer(-1)), ("-2/3", sp.Rational(-2, 3)),
    ("2*3", sp.Integer(6)), ("-(2/3)", sp.Rational(-2, 3)), ("--1", sp.Integer(1)),
    ("0.1", sp.Rational(1, 10)), ("1e-3", sp.Rational(1, 1000)), (".5", sp.Rational(1, 2)),
    ("2.50E1", sp.Integer(25)), ("1/2/2", sp.Rational(1, 4)), ("+3", sp.Integer(3)),
])
def test_number_literals_fold_into_one_num(text, value):
    assert parse(f"x == {text}") == Cmp("==", Ref("x"), Num(value))


def test_sums_and_non_literal_products_are_not_folded():
    one, two, three = (Num(sp.Integer(n)) for n in (1, 2, 3))
    assert parse("1 - 2 == 0").left == BinOp("-", one, two)
    assert parse("x * 2 * 3 == 0").left == BinOp("*", BinOp("*", Ref("x"), two), three)
    assert parse("2 * 3 * x == 0").left == BinOp("*", Num(sp.Integer(6)), Ref("x"))
    assert parse("-x == 0").left == Neg(Ref("x"))
    assert parse("-(x) * y == 0").left == BinOp("*", Neg(Ref("x")), Ref("y"))
    assert parse("-(x * y) == 0").left == Neg(BinOp("*", Ref("x"), Ref("y")))


# -- (b) precedence and associativity --------------------------------------------------------

def _c(name: str) -> Cmp:
    return Cmp("==", Ref(name), Num(sp.Integer(1)))


P, Q, R, S = _c("p"), _c("q"), _c("r"), _c("s")


@pytest.mark.parametrize("text, tree", [
    ("not p == 1 and q == 1", And((Not(P), Q))),
    ("not (p == 1 and q == 1)", Not(And((P, Q)))),
    ("p == 1 and q == 1 or r == 1", Or((And((P, Q)), R))),
    ("p == 1 or q == 1 and r == 1", Or((P, And((Q, R))))),
    ("p == 1 and q == 1 and r == 1", And((P, Q, R))),
    ("p == 1 or q == 1 -> r == 1", Implies(Or((P, Q)), R)),
    ("p == 1 -> q == 1 or r == 1", Implies(P, Or((Q, R)))),
    ("p == 1 -> q == 1 <-> r == 1", Iff(Implies(P, Q), R)),
    ("p == 1 <-> q == 1 -> r == 1", Iff(P, Implies(Q, R))),
    ("p == 1 -> q == 1 -> r == 1", Implies(P, Implies(Q, R))),
    ("(p == 1 -> q == 1) -> r == 1", Implies(Implies(P, Q), R)),
    ("p == 1 <-> q == 1 <-> r == 1", Iff(Iff(P, Q), R)),  # <-> groups to the left
    ("not not p == 1", Not(Not(P))),
    ("all m: p == 1 -> q == 1", Quant("all", "m", Implies(P, Q))),
    ("(all m: p == 1) -> q == 1", Implies(Quant("all", "m", P), Q)),
    ("any m: p == 1 <-> q == 1", Quant("any", "m", Iff(P, Q))),
    ("p == 1 and all m: q == 1 or r == 1", And((P, Quant("all", "m", Or((Q, R)))))),
    ("not all m: p == 1 and q == 1", Not(Quant("all", "m", And((P, Q))))),
    ("p == 1 -> any k: q == 1 -> r == 1", Implies(P, Quant("any", "k", Implies(Q, R)))),
    ("all m: any k: p == 1", Quant("all", "m", Quant("any", "k", P))),
    ("(p == 1 or q == 1) and (r == 1 or s == 1)", And((Or((P, Q)), Or((R, S))))),
    ("((p == 1))", P),
    ("true and not false", And((Bool(True), Not(Bool(False))))),
])
def test_connective_precedence(text, tree):
    assert parse(text) == tree


@pytest.mark.parametrize("text, term", [
    ("1 + 2 * x", BinOp("+", Num(sp.Integer(1)), BinOp("*", Num(sp.Integer(2)), Ref("x")))),
    ("(1 + 2) * x", BinOp("*", BinOp("+", Num(sp.Integer(1)), Num(sp.Integer(2))), Ref("x"))),
    ("x - y - z1", BinOp("-", BinOp("-", Ref("x"), Ref("y")), Ref("z1"))),
    ("x - (y - z1)", BinOp("-", Ref("x"), BinOp("-", Ref("y"), Ref("z1")))),
    ("x / 2 / 3", BinOp("/", BinOp("/", Ref("x"), Num(sp.Integer(2))), Num(sp.Integer(3)))),
    ("x * y / 2", BinOp("/", BinOp("*", Ref("x"), Ref("y")), Num(sp.Integer(2)))),
    ("-x * y", BinOp("*", Neg(Ref("x")), Ref("y"))),
    ("x - -y", BinOp("-", Ref("x"), Neg(Ref("y")))),
    ("-loss + grad(b2)", BinOp("+", Neg(Loss()), Grad("b2"))),
])
def test_term_precedence(text, term):
    assert parse(f"{text} < 0") == Cmp("<", term, Num(sp.Integer(0)))


def test_comparison_binds_looser_than_arithmetic_and_tighter_than_not():
    assert parse("not x + 1 < y * 2") == Not(Cmp("<", BinOp("+", Ref("x"), Num(sp.Integer(1))),
                                                BinOp("*", Ref("y"), Num(sp.Integer(2)))))


def test_printing_uses_parentheses_only_where_needed():
    cases = {
        "(all m: z1[m] < 0) -> grad(W1) == 0": "(all m: z1[m] < 0) -> grad(W1) == 0",
        "all m: (z1[m] < 0 -> grad(W1) == 0)": "all m: z1[m] < 0 -> grad(W1) == 0",
        "(p == 1 and q == 1) or r == 1": "p == 1 and q == 1 or r == 1",
        "(p == 1 -> q == 1) -> r == 1": "(p == 1 -> q == 1) -> r == 1",
        "p == 1 -> (q == 1 -> r == 1)": "p == 1 -> q == 1 -> r == 1",
        "((x))  ==  (-(2)/3)": "x == -2/3",
        "x - (y - 1) == 0": "x - (y - 1) == 0",
    }
    for text, printed in cases.items():
        assert str(parse(text)) == printed


# -- (c) lowercase parameter names -----------------------------------------------------------

def test_lowercase_w_is_the_same_parameter():
    assert parse("w1 == W1") == Cmp("==", Ref("W1"), Ref("W1"))
    assert parse("grad(w2[1,1]) == 0").left == Grad("W2", (1, 1))
    assert parse("w1[i,j] > 0").left == Ref("W1", ("i", "j"))
    assert str(parse("grad(w1) == w1")) == "grad(W1) == W1"
    # and B2 is b2 (the parser accepts either case for both letters)
    assert parse("B2 == grad(B2)") == Cmp("==", Ref("b2"), Grad("b2"))


def test_lowercase_w_means_W_when_proving():
    assert symgrad.prove("w1 == W1 and grad(w1) == grad(W1)", timeout=20).verdict == "proved"
    fixed = symgrad.prove("W1 == 2", params={"w1": 2, "b1": 0, "W2": 1, "b2": 0}, x="1", y="0",
                          timeout=20)
    assert fixed.verdict == "proved"
    assert symgrad.find("w1 == 3 and W1 != 3", timeout=20).verdict == "impossible"


# -- (d) syntax errors point at the right column ---------------------------------------------

@pytest.mark.parametrize("text, column", [
    ("grad(W1) ==", 12),                 # nothing after ==: the end of the claim
    ("grad(W1) == 0 and", 18),
    ("x ^ 2 == 0", 3),                   # a character the language does not have
    ("W1 = 0", 4),
    ("loss < 1 & loss > 0", 10),
    ("(grad(W1) == 0", 15),              # unclosed parenthesis
    ("grad(W1) == 0)", 14),              # one too many
    ("all : x[m] > 0", 5),               # no variable
    ("all m x[m] > 0", 7),               # no colon
    ("grad(x) == 0", 6),                 # not a parameter
    ("grad W1 == 0", 6),
    ("grad(W1[1,1) == 0", 12),
    ("x[1.5] == 0", 3),                  # an index is a whole number or a variable
    ("x[m, ] > 0", 6),
    ("1 == 2 == 3", 8),                  # comparisons do not chain
    ("W1 == 0 W2", 9),
    ("x >< 1", 4),
    ("and == 1", 1),                     # a keyword is not a name
    ("x == 1/0", 7),                     # a literal division by zero
    ("   x ==  ", 8),                    # leading blanks count, trailing ones do not
    ("x\t==\t1 and", 11),
])
def test_syntax_error_columns(text, column):
    with pytest.raises(ClaimSyntaxError) as info:
        parse(text)
    found = re.findall(r"\bcolumn (\d+)\b", str(info.value))
    assert found == [str(column)], str(info.value)


@pytest.mark.parametrize("text", ["", "   ", "\t"])
def test_empty_claim(text):
    with pytest.raises(ClaimSyntaxError, match="empty"):
        parse(text)


ALIEN = st.sampled_from("^?#$&@;'\"`~|%{}")


@settings(max_examples=200, deadline=None, suppress_health_check=ROUND_TRIP.suppress_health_check)
@given(formulas(), st.data())
def test_an_alien_character_is_reported_at_its_column(tree, data):
    text = str(tree)
    pos = data.draw(st.integers(0, len(text)), label="pos")
    # splitting == or != leaves a lone = or ! in front, which is itself the first error
    assume(not (0 < pos < len(text) and text[pos - 1] in "=!" and text[pos] == "="))
    bad = text[:pos] + data.draw(ALIEN, label="char") + text[pos:]
    with pytest.raises(ClaimSyntaxError, match=rf"at column {pos + 1}:"):
        parse(bad)


TOKENS = st.sampled_from(["x", "W1", "b2", "[", "]", ",", "1", "m", "(", ")", "==", "!=", "<",
                          ">=", "+", "-", "*", "/", "not", "and", "or", "->", "<->", "all",
                          "any", ":", "grad", "loss", "true", " "])


@settings(max_examples=300, deadline=None)
@given(st.lists(TOKENS, max_size=14))
def test_any_token_soup_parses_or_is_a_syntax_error_with_a_column_inside_the_text(toks):
    text = " ".join(toks)
    try:
        tree = parse(text)
    except ClaimSyntaxError as exc:
        cols = [int(c) for c in re.findall(r"\bcolumn (\d+)\b", str(exc))]
        if text.strip():
            assert len(cols) == 1 and 1 <= cols[0] <= len(text.rstrip()) + 1, str(exc)
        return
    assert isinstance(tree, Formula)
    again = parse(str(tree))  # what it prints back is a claim again
    if not AVOID_KNOWN_PRINTER_BUGS:
        assert again == tree


@settings(max_examples=150, deadline=None, suppress_health_check=ROUND_TRIP.suppress_health_check)
@given(formulas(), st.data())
def test_every_prefix_parses_or_is_a_syntax_error(tree, data):
    text = str(tree)
    cut = data.draw(st.integers(0, len(text)))
    try:
        parse(text[:cut])
    except ClaimSyntaxError:
        pass


def test_an_absurdly_long_index_is_a_claim_error():
    with pytest.raises(SymgradError):
        parse("x[" + "9" * 5000 + "] == 0")


# -- (e) name errors come from prove before any search ---------------------------------------

@pytest.fixture
def no_search(monkeypatch):
    """Make any search fail loudly: a name error must be raised before one starts."""
    prover = importlib.import_module("symgrad.prover")

    def boom(*args, **kwargs):
        raise AssertionError("a search started before the claim's names were checked")

    monkeypatch.setattr(prover, "decide", boom)


NAME_ERRORS = [
    # (claim, network layers, batch, words the message must contain)
    ("foo == 0", (1, 1, 1), 1, ["'foo'"]),
    ("W3 == 0", (1, 1, 1), 1, ["'W3'"]),
    ("w3[1,1] == 0", (1, 1, 1), 1, ["'W3'"]),
    ("grad(W3) == 0", (1, 1, 1), 1, ["grad(W3)"]),
    ("grad(b3) != 0", (1, 1, 1), 1, ["grad(b3)"]),
    ("z0[1] == 0", (1, 1, 1), 1, ["'z0'"]),
    ("a3[1] == 0", (1, 1, 1), 1, ["'a3'"]),
    ("X[1] == 0", (1, 1, 1), 1, ["'X'"]),
    ("x[0] == 0", (1, 1, 1), 2, ["index 0", "1-based"]),
    ("x[3] == 0", (1, 1, 1), 2, ["index 3", "1 to 2"]),
    ("x[1,2] == 0", (1, 1, 1), 1, ["index 2", "1 to 1"]),
    ("b1[3] > 0", (1, 2, 1), 1, ["index 3", "1 to 2"]),
    ("grad(W1[1,0]) == 0", (1, 1, 1), 1, ["index 0"]),
    ("W1[1,1,1] == 0", (1, 1, 1), 1, ["3 indices"]),
    ("all m: z1[m,4] > 0", (1, 3, 1), 2, ["index 4"]),
    ("x[m] == 0", (1, 1, 1), 1, ["'m'", "not bound"]),
    ("all m: grad(b1[k]) == 0", (1, 1, 1), 1, ["'k'", "not bound"]),
    ("(all m: x[m] > 0) and y[m] > 0", (1, 1, 1), 2, ["'m'", "not bound"]),
    ("true or W9 == 0", (1, 1, 1), 1, ["'W9'"]),  # checked even where it cannot matter
    ("grad(W1) == grad(b2)", (2, 3, 1), 1, ["(3, 2)", "(1,)"]),
    ("grad(W1) == grad(W2)", (2, 3, 1), 1, ["(3, 2)", "(1, 3)"]),
    ("x[1] == W1", (2, 2, 1), 1, ["shapes"]),
    ("W1 + b1 == 0", (2, 2, 1), 1, ["shapes"]),
    ("x / y == 1", (1, 1, 1), 1, ["divide only by a nonzero number"]),
    ("x / (1 - 1) == 1", (1, 1, 1), 1, ["divide only by a nonzero number"]),
    ("x / 0 == 1", (1, 1, 1), 1, ["divide only by a nonzero number"]),
]


@pytest.mark.parametrize("claim, layers, batch, words", NAME_ERRORS)
def test_name_errors_are_raised_by_prove_before_any_search(no_search, claim, layers, batch,
                                                          words):
    with pytest.raises(SymgradError) as info:
        symgrad.prove(claim, Network(layers=layers), batch=batch, timeout=20)
    assert not isinstance(info.value, ClaimSyntaxError)  # it parsed; the names are wrong
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize("claim", ["W3 == 0", "x[m] > 0", "grad(W1) == grad(b2)"])
def test_find_checks_names_too(no_search, claim):
    with pytest.raises(SymgradError):
        symgrad.find(claim, Network(layers=(2, 3, 1)), timeout=20)


def test_a_valid_claim_does_start_a_search(no_search):
    # the fixture really intercepts the search, so the tests above are not vacuous
    with pytest.raises(AssertionError, match="a search started"):
        symgrad.prove("grad(b2) == 0 -> grad(W1) == 0", batch=1, timeout=20)


def test_a_batch_range_is_checked_at_every_size_before_searching(no_search):
    with pytest.raises(SymgradError):
        symgrad.prove("all i: b1[i] >= 0 or true", Network(layers=(1, 2, 1)), batch="1..3",
                      timeout=20)


# -- the meanings the docs promise (everything fixed: decided by exact evaluation) -----------

# 1-2-1 relu net, one sample: grad(b1) = [0, 1], grad(W2) = [[-1, -1]], grad(b2) = [-1]
FIXED = dict(network=Network(layers=(1, 2, 1)),
             params={"W1": [[0], [0]], "b1": [1, 1], "W2": [[0, -1]], "b2": "1/2"},
             x="0", y="0", timeout=20)


@pytest.mark.parametrize("claim, verdict", [
    ("grad(b1) != 0", "proved"),               # some entry nonzero ...
    ("not grad(b1) == 0", "proved"),           # ... which is exactly not ==
    ("grad(b1) == 0", "refuted"),
    ("grad(b1[1]) == 0 and grad(b1[2]) == 1", "proved"),
    ("grad(b1) >= 0", "proved"),               # every entry
    ("grad(b1) > 0", "refuted"),
    ("grad(W2) == -1 and grad(W2[1]) == grad(b2[1])", "proved"),  # number broadcast, a row
    ("b1 + 1 == 2 * b1 + 1 - 1", "proved"),
    ("b1 / 2 == 1/2 and W2 / (-1) == -W2", "proved"),
    ("a0 == x and x[1,1] == 0 and y[1] == 0", "proved"),
    ("z1[1] == 1 and a1[1,2] == 1 and z2[1,1] == -1/2 and a2 == z2", "proved"),
    ("loss == 1/4", "proved"),
    ("all m: z1[m] > 0", "proved"),
    ("any m: z1[m] < 0", "refuted"),
])
def test_documented_meanings(claim, verdict):
    assert symgrad.prove(claim, **FIXED).verdict == verdict


def test_not_equal_means_some_entry_differs_when_values_are_free():
    # the search path (not only exact evaluation) reads != as `not ==`
    found = symgrad.find("grad(b1) != 0 and grad(b1[1]) == 0", Network(layers=(1, 2, 1)),
                         timeout=20)
    assert found.verdict == "found"
    assert symgrad.find("grad(b1) > 0 and grad(b1[1]) == 0", Network(layers=(1, 2, 1)),
                        timeout=20).verdict == "impossible"


def test_quantifiers_range_over_samples_whatever_they_index():
    two = dict(params={"W1": 1, "b1": 0, "W2": 1, "b2": 0}, y="0; 0", timeout=20)
    assert symgrad.prove("all m: x[m] > 0", x="1; 2", **two).verdict == "proved"
    assert symgrad.prove("any m: x[m,1] < 0", x="1; -2", **two).verdict == "proved"
    assert symgrad.prove("all m: x[m] > 0", x="1; -2", **two).verdict == "refuted"
    # a quantified variable used as a unit index still runs over 1..M (here M = 1)
    one = dict(network=Network(layers=(1, 2, 1)), params={"W1": 0, "b1": [1, -1], "W2": 0,
                                                          "b2": 0}, x="0", y="0", timeout=20)
    assert symgrad.prove("all i: b1[i] > 0", **one).verdict == "proved"


# -- (f) the command line: exit 2 and one line -----------------------------------------------

@pytest.mark.parametrize("command", ["prove", "find"])
@pytest.mark.parametrize("claim, args, words", [
    ("W3 == 0", [], ["'W3'"]),
    ("x[m] > 0", [], ["not bound"]),
    ("x[0] > 0", ["--batch", "2"], ["index 0"]),
    ("grad(W1) == grad(b2)", ["--layers", "2,3,1"], ["shapes"]),
    ("x / y == 1", [], ["divide"]),
    ("grad(W1) ==", [], ["column 12"]),
    ("(all m: z1[m] < 0 -> grad(W1) == 0", [], ["column 35"]),
    ("", [], ["empty"]),
])
def test_cli_bad_claims_exit_2_with_one_line(capsys, command, claim, args, words):
    code = main([command, claim, *args, "--timeout", "20"])
    out = capsys.readouterr()
    assert code == 2
    assert out.out == ""
    assert out.err.startswith("symgrad: error: ") and out.err.count("\n") == 1, out.err
    assert "Traceback" not in out.err
    for word in words:
        assert word in out.err


def test_cli_good_claim_is_not_an_error(capsys):
    code = main(["prove", "grad(b2) == 0 -> grad(w1) == 0", "--batch", "1", "--timeout", "20"])
    out = capsys.readouterr()
    assert code == 0 and out.err == ""
    assert "claim:   grad(b2) == 0 -> grad(W1) == 0" in out.out


def test_cli_a_huge_literal_is_no_traceback(capsys):
    code = main(["prove", "x == 1e5000", "--timeout", "20"])
    assert code in (1, 2)
