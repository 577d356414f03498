"""A real interactive session: ``python -i`` steps through backward on the lecture's section 7 network."""

import os
import pathlib
import re
import sys

import pexpect
import pytest

from lecture import SECTION7, training_step

REPO = pathlib.Path(__file__).resolve().parent.parent
NUMBER = r"(-?[0-9.]+(?:e[-+][0-9]+)?)"


def value_of(text):
    return float(text)


@pytest.fixture
def repl():
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "LC_ALL": "C.UTF-8", "TERM": "dumb",
           "PYTHONPATH": str(REPO)}
    env.pop("PYTHONSTARTUP", None)
    child = pexpect.spawn(sys.executable, ["-i", "-q"], cwd=str(REPO), env=env,
                          encoding="utf-8", timeout=60, echo=False)
    child.expect_exact(">>> ")

    def send(line):
        child.sendline(line)
        child.expect_exact(">>> ")
        return child.before.replace("\r\n", "\n").strip()

    yield send
    child.sendline("exit()")
    child.expect(pexpect.EOF)
    child.close()


def test_stepping_through_section7_in_a_python_repl(repl):
    exact = training_step(SECTION7.network(), SECTION7.x, SECTION7.t, SECTION7.eta)
    assert repl("from nn import squared_error; from lecture import SECTION7") == ""
    assert repl("from stepgrad.stepping import Stepper, explain") == ""
    repl("net = SECTION7.network(); E = squared_error(net(SECTION7.x), net.targets(SECTION7.t)); E.label = 'E'")
    repl("s = Stepper(E)")

    first = repl("s.next()")
    match = re.match(rf"step 1/(\d+): E = 0.5·\(t6 − o6\)\^2 \[mul\], data = {NUMBER}\n"
                     r"  upstream ∂E/∂E = 1 \(seed\)", first)
    assert match, first
    count = int(match[1])
    assert value_of(match[2]) == pytest.approx(exact.error, abs=1e-6)

    step = repl("s.goto('net6')")
    upstream = re.search(rf"upstream ∂E/∂net6 = {NUMBER}", step)
    assert value_of(upstream[1]) == pytest.approx(-exact.unit(6).delta, rel=1e-5)   # δ6 = −∂E/∂net6

    step = repl("s.goto('o4')")
    upstream = re.search(rf"upstream ∂E/∂o4 = {NUMBER}", step)
    assert value_of(upstream[1]) == pytest.approx(-exact.unit(4).signal, rel=1e-5)
    local = re.search(rf"→ net4: local ∂o4/∂net4 = o4·\(1 − o4\) = {NUMBER}", step)
    assert value_of(local[1]) == pytest.approx(exact.unit(4).slope, rel=1e-5)

    step = repl("s.goto('w46')")
    total = re.search(rf"w46.grad = {NUMBER}", step)
    assert value_of(total[1]) == pytest.approx(exact.weight("w46").grad, rel=1e-5)

    back = repl("s.previous()")
    assert re.match(r"step \d+/\d+: ", back) and "w46" not in back.splitlines()[0]
    assert repl("s.position") == str(int(re.match(r"step (\d+)/", back)[1]))

    repl("s.run()")
    assert repl("s.position") == str(count)
    table = repl("s.table()")
    rows = {row.split()[1]: row.split() for row in table.splitlines()[1:]}
    assert value_of(rows["w14"][4]) == pytest.approx(exact.weight("w14").grad, rel=1e-5)
    assert value_of(rows["b6"][4]) == pytest.approx(exact.weight("b6").grad, rel=1e-5)
    repl("again = SECTION7.network(); squared_error(again(SECTION7.x), SECTION7.t).backward()")
    assert repl("[p.grad for p in net.parameters()] == [p.grad for p in again.parameters()]") == "True"

    explanation = repl("explain(E, net.layers[1].neurons[0].w[0])")
    assert explanation.splitlines()[:2] == ["∂E/∂w46 = ∂E/∂o6 · ∂o6/∂net6 · ∂net6/∂w46",
                                            "        = (-0.526)(0.249)(0.332) = -0.0435"]
    ended = repl("s.next()")
    assert "StopIteration: backward is complete" in ended
    long = [line for text in (first, step, table, explanation) for line in text.splitlines()
            if len(line) > 80]
    assert not long, long


def test_stepping_by_neuron_in_a_python_repl_and_the_warning_after_it(repl):
    exact = training_step(SECTION7.network(), SECTION7.x, SECTION7.t, SECTION7.eta)
    repl("from nn import squared_error; from lecture import SECTION7; from stepgrad.stepping import Stepper")
    repl("net = SECTION7.network(); E = squared_error(net(SECTION7.x), net.targets(SECTION7.t)); E.label = 'E'")
    repl("s = Stepper(E, grain='neuron', network=net)")
    delta = repl("s.goto('δ6')")
    assert delta.splitlines()[0] == "step 2/7: unit 6, output layer: δ6 = −∂E/∂net6"
    value = re.search(rf"  δ6 = −∂E/∂net6 = {NUMBER}", delta)
    assert value_of(value[1]) == pytest.approx(exact.unit(6).delta, rel=1e-5)
    weights = repl("s.next()")
    total = re.search(rf"∂E/∂w46 = ∂E/∂net6·o4 = \(\S+\)\(\S+\) = {NUMBER}", weights)
    assert value_of(total[1]) == pytest.approx(exact.weight("w46").grad, rel=1e-5)
    warned = repl("E.backward()")          # stopped midway, then backward: leaves accumulate
    assert "AccumulationWarning: backward: 3 leaves already hold a gradient" in warned
    assert "w46.grad = -0.0435235" in warned and "zero_grad() first" in warned
