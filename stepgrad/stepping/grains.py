"""Backward by neuron and by layer, in the lecture's order: the error, δ of the output units and their
weights' gradients, then each hidden layer's δs and weights; each step told in the lecture's words.

A network is read by duck typing (``layers``, each with ``neurons`` having ``w``, ``b``, ``net``,
``out``, ``name``), so autodiff does not import nn.
"""

import math
from collections.abc import Container
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from autodiff import CONST, Value, local_derivative, topological_order

from .notation import WIDTH, Text, chain_term, factor, fit_lines, number, preformatted, wrapped

if TYPE_CHECKING:   # for annotations only: the network is read by duck typing
    from nn import MLP

__all__ = ["Unit", "units_of", "Plan", "Chunk", "plan", "record", "Stage"]


@dataclass(eq=False)
class Unit:
    """One neuron of a network as it sits in a graph: its nodes from the weights up to ``out``."""

    neuron: object
    name: str            # the lecture's unit name: 6
    layer: int           # 1 for the first layer after the inputs
    output: bool         # in the last layer
    net: Value
    out: Value
    members: list        # the nodes computed from its weights and bias, up to out, parents first
    parameters: list     # its weights, then its bias

    @property
    def where(self):
        return "output layer" if self.output else f"hidden layer {self.layer}"


def units_of(network: "MLP", present: "Container[Value]") -> "list[Unit]":
    """The units of ``network`` whose latest ``out`` is among the nodes ``present`` (a set or
    dict), each owning the nodes between its weights and bias and its ``out``."""
    layers = getattr(network, "layers", None)
    if layers is None:
        raise TypeError(f"network must be an nn.MLP (with .layers), got {type(network).__name__}")
    units, owned = [], set()
    for k, layer in enumerate(layers, 1):
        for j, neuron in enumerate(layer.neurons, 1):
            out = getattr(neuron, "out", None)
            if out is None or out not in present:
                continue
            parameters = [*neuron.w, neuron.b]
            below = set(parameters)
            members = []
            for node in topological_order(out):
                if node in below or node in owned:
                    continue
                if any(p in below for p in node.parents):
                    below.add(node)
                    owned.add(node)
                    members.append(node)
            name = neuron.name if neuron.name is not None else f"{k}.{j}"
            units.append(Unit(neuron, str(name), k, k == len(layers), neuron.net, out, members,
                              parameters))
    return units


@dataclass(eq=False)
class Chunk:
    """The nodes one step applies, in backward's order, and what the step is about."""

    kind: str            # node, error, delta, weights, layer, below
    name: "str | None"   # what goto() finds it by: E, δ6, weights of 6, layer 2 (None: a node)
    nodes: list
    units: tuple = ()


@dataclass(eq=False)
class Plan:
    """A Stepper's steps as Chunks, and which unit owns which node."""

    chunks: list
    owner: dict = field(default_factory=dict)


def plan(root, order, grain, network, constants):
    """The steps of a Stepper at ``grain``, in an order backward may take (each node after every
    node that uses it). ``order`` is ``reverse_topological_order(root)``."""
    if grain == "node":
        return Plan([Chunk("node", None, [n]) for n in order if constants or n.op is not CONST])
    if network is None:
        raise ValueError(f"Stepper: grain {grain!r} needs the network: "
                         f"Stepper(E, grain={grain!r}, network=net)")
    position = {node: i for i, node in enumerate(order)}
    units = units_of(network, position)
    if not units:
        raise ValueError("Stepper: none of the network's units is in this graph "
                         "(run the network forward to build it)")
    owner = {m: u for u in units for m in u.members}
    outs = {u.out for u in units}
    above = set()                          # computed from some unit's output
    for node in reversed(order):           # parents first
        if node in outs or any(p in above for p in node.parents):
            above.add(node)
    free = [n for n in order if n.parents and n not in owner]
    chunks = []
    error = [n for n in free if n in above]
    if error or not root.parents:
        chunks.append(Chunk("error", None, error))
    for k in sorted({u.layer for u in units}, reverse=True):
        layer = [u for u in units if u.layer == k]
        deltas = [Chunk("delta", f"δ{u.name}", [u.out] if u.out is not u.net else [], (u,))
                  for u in layer]
        weights = [Chunk("weights", f"weights of {u.name}",
                         [m for m in u.members if m is not u.out or u.out is u.net][::-1], (u,))
                   for u in layer]
        if grain == "layer":
            chunks.append(Chunk("layer", f"layer {k}",
                                [n for c in deltas + weights for n in c.nodes], tuple(layer)))
        else:
            chunks += deltas + weights
    below = [n for n in free if n not in above]
    if below:
        chunks.append(Chunk("below", "below the network", below))
    _place_leaves(chunks, order, constants)
    for chunk in chunks:
        chunk.nodes.sort(key=position.__getitem__)
    _check_order(chunks, order)
    return Plan(chunks, owner)


def _place_leaves(chunks, order, constants):
    """Each leaf goes into the chunk of its last user, where its gradient is complete."""
    index = {node: k for k, chunk in enumerate(chunks) for node in chunk.nodes}
    last = {}
    for node in order:
        for parent in node.parents:
            if not parent.parents:
                last[parent] = max(last.get(parent, 0), index[node])
    for node in order:
        if node.parents or (node.op is CONST and not constants):
            continue
        chunks[last.get(node, 0)].nodes.append(node)   # a leaf root: the first step


def _check_order(chunks, order):
    """ValueError unless every non-constant node is stepped once, after all the nodes using it."""
    step = {node: k for k, chunk in enumerate(chunks) for node in chunk.nodes}
    for node in order:
        if node.op is not CONST and node not in step:
            raise ValueError(f"Stepper: the node {node!r:.60} belongs to no step")
        for parent in node.parents:
            if parent in step and step[parent] < step[node]:
                raise ValueError("Stepper: the network's units cannot be stepped in the "
                                 "lecture's order in this graph; use grain='node'")


# -- stages: what a neuron or layer step says ------------------------------------------------

@dataclass(frozen=True, eq=False)
class Stage:
    """One step at neuron or layer grain: several node steps under one heading.

    ``steps`` are the node Steps it applied (``detail()`` prints them), ``lines`` what it says
    in the lecture's words, ``node`` the node it is about (E, o6 for δ6, net6 for its weights).
    """

    index: int
    count: int
    kind: str            # error, delta, weights, layer, below
    name: str
    title: str
    node: Value
    steps: tuple
    lines: tuple
    units: tuple = ()
    stepper: object = field(default=None, repr=False)   # the Stepper whose step this is

    def text(self) -> Text:
        """The step as the REPL shows it, every line at most 80 columns."""
        return Text("\n".join(fit_lines([f"step {self.index}/{self.count}: {self.title}",
                                   *self.lines])))

    def detail(self) -> Text:
        """The node steps this step is made of, as text."""
        return Text("\n".join(s.text() for s in self.steps))

    __str__ = text
    __repr__ = text

    def _repr_html_(self):
        return preformatted(self.text())


def record(stepper, chunk, steps, index, owner, grads):
    """What the Stepper returns for a chunk just applied: the node's Step at node grain, else a
    Stage told in the lecture's words, from ``grads`` (node → gradient once the chunk is applied:
    the Stepper's own, never ``.grad``)."""
    if chunk.kind == "node":
        return steps[0]
    words = _Words(stepper.root, stepper.names, owner, grads)
    count = len(stepper)
    if chunk.kind == "error":
        title, lines = words.error(steps)
        return Stage(index, count, "error", stepper.names[stepper.root], title, stepper.root,
                     steps, lines, (), stepper)
    if chunk.kind == "below":
        lines = tuple(f"  {words.d(s.node)} = {number(words.grad(s.node))}" for s in steps)
        return Stage(index, count, "below", chunk.name, "below the network: what the inputs are "
                     "made from", steps[0].node, steps, lines, (), stepper)
    if chunk.kind in ("delta", "weights"):
        (unit,) = chunk.units
        if chunk.kind == "delta":
            title, lines, node = words.delta_title(unit), words.delta(unit, steps), unit.out
        else:
            title, lines, node = words.weights_title(unit), words.weights(unit, steps), unit.net
        return Stage(index, count, chunk.kind, chunk.name, title, node, steps, lines, (unit,),
                     stepper)
    lines = []
    for unit in chunk.units:
        lines += [f"  {words.delta_title(unit)}", *("  " + ln for ln in words.delta(unit, steps))]
    for unit in chunk.units:
        own = {*unit.members, *unit.parameters}
        lines += [f"  {words.weights_title(unit)}",
                  *("  " + ln for ln in words.weights(unit, [s for s in steps if s.node in own]))]
    lines += words.leaves(steps, {p for unit in chunk.units for p in unit.parameters})
    first = chunk.units[0]
    kind = "output" if first.output else "hidden"
    title = f"layer {first.layer} ({kind}): δ of its units, then their weights"
    return Stage(index, count, "layer", chunk.name, title, first.net, steps, tuple(lines),
                 chunk.units, stepper)


class _Words:
    """The lecture's sentences for a stage, from its node steps and the gradients they left."""

    def __init__(self, root, names, owner, grads):
        self.names = names
        self.root = root
        self.owner = owner
        self.grads = grads

    def grad(self, node):
        return self.grads.get(node, 0.0)

    def d(self, node):
        return f"∂{wrapped(self.names[self.root])}/∂{wrapped(self.names[node])}"

    def error(self, steps):
        root, names = self.root, self.names
        head = f"the error {names[root]}" if root.label == "E" else names[root]
        first = [s for s in steps if s.node is root]
        made = f" = {first[0].expression}" if first else ""
        title = f"{head}{made} = {number(root.data)}"
        inside = {s.node for s in steps}
        lines = []
        for step in steps:
            for edge in step.edges:
                parent = edge.parent
                if parent in inside or edge.local is None:
                    continue
                chain = _chain(root, parent, inside, names)
                value = number(self.grad(parent))
                shown = "" if chain is None or chain.text == value else f"{chain.text} = "
                lines.append(f"  {self.d(parent)} = {shown}{value}")
        return title, tuple(dict.fromkeys(lines))

    def delta_title(self, unit):
        return f"unit {unit.name}, {unit.where}: δ{unit.name} = −{self.d(unit.net)}"

    def delta(self, unit, steps):
        names, net, out = self.names, unit.net, unit.out
        lines = []
        if out is not net:
            (step,) = [s for s in steps if s.node is out]
            received = f"  {self.d(out)} = {self._received(out, step)}"
            if len(received) > WIDTH and " = (" in received:
                head, tail = received.split(" = (", 1)
                received = [head, f"      = ({tail}"]
            lines += [received] if isinstance(received, str) else received
            (edge,) = step.edges
            local = number(edge.local)
            slope = f"∂{wrapped(names[out])}/∂{wrapped(names[net])}"
            rule = local if edge.formula == local else f"{edge.formula} = {local}"
            lines += [f"  {slope} = {rule}",
                      f"  {self.d(net)} = {self.d(out)} · {slope}",
                      f"      = {number(step.upstream)} × {factor(edge.local)} = "
                      f"{number(self.grad(net))}"]
        else:
            lines.append(f"  {self.d(net)} = {number(self.grad(net))}")
        lines.append(f"  δ{unit.name} = −{self.d(net)} = {number(-self.grad(net))}")
        return tuple(lines)

    def _received(self, node, step):
        """∂E/∂o4 as what the next layer's units sent it: ∂E/∂net6·w46 + … (Σk δk·wk4)."""
        terms, values = [], []
        for incoming in step.received:
            child = incoming.child
            unit = self.owner.get(child)
            if (child is None or unit is None or child.op.name != "mul"
                    or self.grad(child) != self.grad(unit.net)):
                return number(step.upstream)
            other = child.b if child.a is node else child.a
            terms.append(f"{self.d(unit.net)}·{wrapped(self.names[other])}")
            values.append(f"({number(self.grad(unit.net))})({number(other.data)})")
        if not terms:
            return number(step.upstream)
        return f"{' + '.join(terms)} = {''.join(values) if len(values) == 1 else ' + '.join(values)}" \
               f" = {number(step.upstream)}"

    def weights_title(self, unit):
        net = wrapped(self.names[unit.net])
        return (f"the weights of unit {unit.name}: "
                f"∂{wrapped(self.names[self.root])}/∂w = {self.d(unit.net)} · ∂{net}/∂w")

    def weights(self, unit, steps):
        names, net = self.names, unit.net
        inside = {s.node for s in steps}
        gradient = number(self.grad(net))
        lines = []
        for parameter in unit.parameters:
            paths = _paths_within(net, parameter, inside)
            if len(paths) != 1:
                continue
            local = math.prod(local_derivative(node, i) for node, i in paths[0])
            through = chain_term(paths[0], names)
            contribution = self.grad(net) * local
            if through is not None and through.text == "1":
                line = f"  {self.d(parameter)} = {self.d(net)} = {gradient}"
            else:
                name = wrapped(through.text) if through is not None else "…"
                line = (f"  {self.d(parameter)} = {self.d(net)}·{name} = "
                        f"({gradient})({number(local)}) = {number(contribution)}")
            lines.append(line)
            if self.grad(parameter) != contribution:
                lines.append(f"    {wrapped(names[parameter])}.grad = "
                             f"{number(self.grad(parameter))} "
                             "in all (it is used elsewhere too)")
        parameters = set(unit.parameters)
        for step in reversed(steps):     # forward order: the unit's inputs as written
            for edge in step.edges:
                parent = edge.parent
                if parent in inside or parent in parameters or edge.local is None:
                    continue
                upstream = self.d(net) if step.upstream == self.grad(net) else self.d(step.node)
                other = names[step.node.parents[1 - edge.operand]] \
                    if len(step.node.parents) == 2 else number(edge.local)
                lines.append(f"  passed on: {self.d(parent)} gets {upstream}·{wrapped(other)}")
                lines.append(f"      = ({number(step.upstream)})({number(edge.local)}) = "
                             f"{number(edge.contribution)}")
        return tuple(lines) + self.leaves(steps, parameters)

    def leaves(self, steps, parameters):
        """Inputs given as Values, whose gradient is complete in this step."""
        return tuple(f"  {self.d(s.node)} = {s.accumulation()}" for s in steps
                     if not s.node.parents and s.node not in parameters and s.node.op is not CONST)



def _paths_within(top, bottom, inside):
    """The paths from ``top`` down to ``bottom`` through the nodes ``inside`` (at most 2, each a
    tuple of (node, operand) edges)."""
    paths = []
    stack: "list[tuple[Value, tuple[tuple[Value, int], ...]]]" = [(top, ())]
    while stack and len(paths) < 2:
        node, edges = stack.pop()
        for i in range(len(node.parents) - 1, -1, -1):
            parent = node.parents[i]
            if parent is bottom:
                paths.append(edges + ((node, i),))
            elif parent in inside and parent.parents:
                stack.append((parent, edges + ((node, i),)))
    return paths


def _chain(top, bottom, inside, names):
    """∂top/∂bottom along the one path through ``inside``, as a Term; None otherwise."""
    paths = _paths_within(top, bottom, inside)
    return chain_term(paths[0], names) if len(paths) == 1 else None
