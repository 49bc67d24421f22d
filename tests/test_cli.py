"""The command line as a user drives it: exit codes, one-line errors, output formats."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp

from symgrad.cli import main

SEED = ["--set", "W1=1", "--set", "b1=-1", "--set", "W2=1", "--set", "b2=-1",
        "--x", "0;2;3", "--y", "-2;2;0"]


def run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_grad_json_is_the_contract_shape(capsys):
    code, out, err = run(capsys, "grad", *SEED, "--format", "json")
    assert code == 0 and not err
    data = json.loads(out)
    assert data["network"] == {"layers": [1, 1, 1], "act": "relu", "out": "identity",
                               "loss": "mse", "reduction": "mean", "relu_grad_at_zero": "0"}
    assert data["gradients"] == {"W1": [["-2/3"]], "b1": ["-2/3"], "W2": [["0"]], "b2": ["0"]}


@pytest.mark.parametrize("fmt, needle", [("text", "dL/dW1 = [[-2/3]]"),
                                         ("markdown", "| $W_{1}$ | $- \\frac{2}{3}$ |"),
                                         ("latex", "\\frac{\\partial L}{\\partial W_{1}}")])
def test_grad_formats(capsys, fmt, needle):
    code, out, _ = run(capsys, "grad", *SEED, "--format", fmt)
    assert code == 0 and needle in out


def test_lowercase_names_and_spec_file(capsys, tmp_path):
    spec = tmp_path / "net.toml"
    spec.write_text('[network]\nlayers = [1, 1, 1]\n[params]\nw1 = 1\nb1 = "-1"\nW2 = 1.0\n'
                    'b2 = -1\n[data]\nx = [[0], [2], [3]]\ny = [[-2], [2], [0.0]]\n')
    code, out, _ = run(capsys, "grad", "--spec", str(spec), "--format", "json")
    assert code == 0
    assert json.loads(out)["gradients"]["W1"] == [["-2/3"]]
    # flags win over the file
    code, out, _ = run(capsys, "grad", "--spec", str(spec), "--set", "w2=2", "--format", "json")
    assert json.loads(out)["gradients"]["W2"] != [["0"]]


def test_decimals_are_read_exactly(capsys):
    code, out, _ = run(capsys, "grad", "--layers", "1,1", "--set", "W1=0.1", "--set", "b1=0",
                       "--x", "1", "--y", "0", "--format", "json")
    assert json.loads(out)["gradients"]["b1"] == ["1/5"]


@pytest.mark.parametrize("args, words", [
    (["--act", "swish"], "unknown activation"),
    (["--set", "W1=[[1],[2]]"], "shape"),
    (["--set", "W1=1/0"], "divides by zero"),
    (["--set", "W1=[1,"], "bracket"),
    (["--loss", "bce"], "--out sigmoid"),
    (["--batch", "0"], "at least 1"),
    (["--set", "W3=1"], "unknown parameter"),
    (["--x", "1,2"], "component"),
    (["--x", "1;2", "--y", "1"], "samples"),
    (["--layers", "1,x"], "layers"),
    (["--format", "yaml"], "--format"),
    (["--relu-grad-at-zero", "abc"], "exact number"),
    (["--nonsense"], "No such option"),
    (["--spec", "/nonexistent.toml"], "cannot read"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, args, words):
    code, out, err = run(capsys, "grad", *args)
    assert code == 2
    assert err.count("\n") == 1 and words in err and "Traceback" not in err


SCRIPT = shutil.which("symgrad", path=str(Path(sys.executable).parent)) or shutil.which("symgrad")


@pytest.mark.skipif(SCRIPT is None, reason="console script not installed")
def test_installed_command_exit_codes():
    ok = subprocess.run([SCRIPT, "grad", *SEED, "--format", "json"], capture_output=True,
                        text=True)
    assert ok.returncode == 0 and json.loads(ok.stdout)["gradients"]["b1"] == ["-2/3"]
    bad = subprocess.run([SCRIPT, "grad", "--act", "nope"], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_module_entry_point():
    res = subprocess.run([sys.executable, "-m", "symgrad", "grad", *SEED], capture_output=True,
                         text=True)
    assert res.returncode == 0 and "dL/dW1 = [[-2/3]]" in res.stdout


def test_json_numbers_read_back_exactly(capsys):
    code, out, _ = run(capsys, "grad", "--act", "tanh", "--layers", "1,1,1", "--set", "W1=1",
                       "--set", "b1=0", "--set", "W2=1", "--set", "b2=0", "--x", "1", "--y", "0",
                       "--format", "json")
    value = json.loads(out)["gradients"]["W2"][0][0]
    assert sp.parse_expr(value) == 2 * sp.tanh(1) ** 2
