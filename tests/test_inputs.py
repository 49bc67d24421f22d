"""Exact number reading, parameter shapes, data and batch parsing."""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symgrad import Network, NumberError, Problem, SpecError, parse_number
from symgrad.exact import to_str
from symgrad.problem import parse_batch, parse_nested


@pytest.mark.parametrize("text, value", [
    ("3", sp.Integer(3)), ("-2/3", sp.Rational(-2, 3)), ("0.1", sp.Rational(1, 10)),
    ("1e-3", sp.Rational(1, 1000)), ("2.5E2", sp.Integer(250)), (".5", sp.Rational(1, 2)),
    ("sqrt(2)/3", sp.sqrt(2) / 3), ("log(2)", sp.log(2)), ("-(1/2)^2", sp.Rational(-1, 4)),
    ("2**-1", sp.Rational(1, 2)), ("1/3 + 1/6", sp.Rational(1, 2)),
])
def test_numbers_are_exact(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "1/0", "abc", "1..2", "__import__('os')", "2+", "log(-1)",
                                  "0^-1", "1e", "(1"])
def test_bad_numbers_are_errors(text):
    with pytest.raises(NumberError):
        parse_number(text)


def test_floats_are_refused():
    with pytest.raises(NumberError):
        parse_number(0.1)


@given(st.fractions())
def test_printed_numbers_read_back(q):
    value = sp.Rational(q)
    assert parse_number(to_str(value)) == value
    assert sp.parse_expr(to_str(value)) == value


def test_nested_lists():
    assert parse_nested("[[1, 2], [-1/2, 0.25]]") == [[1, 2], [sp.Rational(-1, 2),
                                                             sp.Rational(1, 4)]]
    with pytest.raises(SpecError):
        parse_nested("[[1],, [2]]")


def test_param_shapes_and_broadcast():
    net = Network(layers="1,2,1")
    p = Problem(net, params={"W1": "[1, 2]", "b1": 0, "w2": "[[1, -1]]"})
    assert p.params["W1"] == [[1], [2]]  # a flat list fills a one-column matrix
    assert p.params["b1"] == [0, 0]  # a plain number fills every entry
    with pytest.raises(SpecError):
        Problem(net, params={"W2": "[[1], [2]]"})
    with pytest.raises(SpecError):
        Problem(net, params={"W1": 1, "w1": 2})


def test_batch_ranges():
    assert parse_batch("3") == (3, 3)
    assert parse_batch("1..6") == (1, 6)
    for bad in ("0", "3..1", "a", "1..", "-1"):
        with pytest.raises(SpecError):
            parse_batch(bad)


def test_data_fix_the_batch_size():
    p = Problem(Network(layers="2,1"), x="1,2; 3,4", batch=None)
    assert p.batch == (2, 2)
    inst = p.instance()
    assert [str(s) for s in inst.free][:3] == ["W1_1_1", "W1_1_2", "b1"]
    assert "y_2" in [str(s) for s in inst.free]
    with pytest.raises(SpecError):
        Problem(Network(), x="1; 2", batch="3")


def test_network_validation_messages():
    with pytest.raises(SpecError, match="--out sigmoid"):
        Network(loss="bce")
    with pytest.raises(SpecError, match="at least"):
        Network(layers="0,1")
    assert Network(layers=[2, 3, 1]).shape("W2") == (1, 3)
