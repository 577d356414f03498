"""Fitting a drawing to where it is shown: a notebook cell or a 1920×1080 slide, in either orientation.

Graphviz scales a drawing down to the graph's ``size`` (inches); at 96 pixels an inch a notebook
cell is about 900 px wide. Before dot runs, a sketch of the layout (ranks from the edges, text
widths from the labels) tells which orientation shows the text larger in that box.
"""

__all__ = ["FITS", "Sketch", "box_of", "graph_attributes"]

DPI = 96                 # pixels an inch, in PNG (dot's default) and in a browser
# name → (width, height) in pixels, and whether a smaller drawing is scaled up to fill it
FITS = {"notebook": ((900, 1200), False), "slide": ((1920, 1080), True)}
MAX_SCALE_UP = 2.0       # a small graph on a slide grows at most this much
_CHAR = 0.58             # the width of an average character, in font sizes (Helvetica)


def box_of(fit):
    """``fit`` as ((width, height) in pixels, scale up?), or None for the natural size."""
    if fit is None:
        return None
    if isinstance(fit, str):
        if fit not in FITS:
            raise ValueError(f"fit must be one of {', '.join(FITS)}, a (width, height) in pixels "
                             f"or None, got {fit!r}")
        return FITS[fit]
    try:
        width, height = fit
        width, height = int(width), int(height)
    except (TypeError, ValueError):
        raise ValueError(f"fit must be one of {', '.join(FITS)}, a (width, height) in pixels or "
                         f"None, got {fit!r}") from None
    if width < 50 or height < 50:
        raise ValueError(f"fit: a box of {width}×{height} pixels is too small to draw in")
    return (width, height), False


class Sketch:
    """The nodes and edges of a drawing with the size of each node, to estimate its layout."""

    def __init__(self):
        self.sizes = {}          # id → (width, height) in points
        self.edges = []
        self.blocks = []         # a title, a legend: (width, height), stacked above or below

    def node(self, node_id, lines, fontsize=11, padding=8, cells=1, shape=None):
        """Record a node whose label has these text ``lines`` (or a fixed ``shape`` size)."""
        if shape is not None:
            self.sizes[node_id] = shape
            return
        width = max((len(line) for line in lines), default=1) * _CHAR * fontsize
        self.sizes[node_id] = (width + padding * cells, (fontsize + 9) * max(1, len(lines)))

    def block(self, lines, fontsize):
        """Record a caption or legend of these text lines, set above or below the graph."""
        width = max((len(line) for line in lines), default=0) * _CHAR * fontsize
        self.blocks.append((width + 16, (fontsize + 6) * len(lines) + 16))

    def edge(self, source, target):
        self.edges.append((source, target))

    def size(self, rankdir, nodesep=22.0, ranksep=29.0):
        """The estimated (width, height) in points of the laid-out drawing."""
        if not self.sizes:
            return (max((w for w, _ in self.blocks), default=0) + 16,
                    sum(h for _, h in self.blocks) + 16)
        rank = {node: 0 for node in self.sizes}
        incoming = {node: [] for node in self.sizes}
        for source, target in self.edges:
            if source in rank and target in rank:
                incoming[target].append(source)
        order = _topological(self.sizes, self.edges)
        for node in order:
            for source in incoming[node]:
                rank[node] = max(rank[node], rank[source] + 1)
        outgoing = {}
        for source, target in self.edges:
            if source in rank and target in rank:
                outgoing.setdefault(source, []).append(target)
        for node in reversed(order):       # a source sits just before its first user, as in dot
            if not incoming[node] and node in outgoing:
                rank[node] = min(rank[t] for t in outgoing[node]) - 1
        ranks = {}
        for node, r in rank.items():
            ranks.setdefault(r, []).append(self.sizes[node])
        across = max(sum(h if rankdir in ("LR", "RL") else w for w, h in nodes)
                     + nodesep * (len(nodes) - 1) for nodes in ranks.values())
        along = sum(max(w if rankdir in ("LR", "RL") else h for w, h in nodes)
                    for nodes in ranks.values()) + ranksep * (len(ranks) - 1)
        width, height = (along, across) if rankdir in ("LR", "RL") else (across, along)
        for w, h in self.blocks:
            width, height = max(width, w), height + h
        return width + 16, height + 16


def _topological(nodes, edges):
    """The nodes, sources first (Kahn's algorithm; no recursion)."""
    after = {node: [] for node in nodes}
    waiting = dict.fromkeys(nodes, 0)
    for source, target in edges:
        if source in after and target in waiting:
            after[source].append(target)
            waiting[target] += 1
    ready = [node for node, n in waiting.items() if n == 0]
    order = []
    while ready:
        node = ready.pop()
        order.append(node)
        for target in after[node]:
            waiting[target] -= 1
            if waiting[target] == 0:
                ready.append(target)
    return order


def graph_attributes(sketch, fit, rankdir, ranksep):
    """The graph attributes that fit ``sketch`` into ``fit``: ``rankdir``, ``ranksep`` (inches,
    given per orientation as {"LR": …, "TB": …}) and ``size``. With ``rankdir`` "auto"
    the orientation is the one that shows the text larger (LR on a near tie)."""
    box = box_of(fit)
    choices = ("LR", "TB") if rankdir == "auto" else (rankdir,)
    if box is None:
        direction = choices[0]
        return {"rankdir": direction, "ranksep": _separation(ranksep, direction)}
    (width, height), fill = box
    box_pt = (width * 72 / DPI, height * 72 / DPI)
    best = None
    for direction in choices:
        separation = _separation(ranksep, direction)
        w, h = sketch.size(direction, ranksep=72 * float(separation))
        scale = min(box_pt[0] / w, box_pt[1] / h)
        # a drawing that fits at its natural size gains nothing from the other orientation
        shown = min(scale, MAX_SCALE_UP if fill else 1.0)
        if best is None or shown > best[0] * 1.1:
            best = (shown, direction, separation, w, h, scale)
    _, direction, separation, w, h, scale = best  # pyright: ignore[reportGeneralTypeIssues, reportOptionalIterable]
    # NOTE: no dpi: dot's defaults (96 for PNG, 72 points an inch for SVG, which a browser shows
    # at 96 px an inch) both give 96 px an inch; dpi=96 would enlarge SVG by a third.
    attributes = {"rankdir": direction, "ranksep": separation}
    if fill and scale > 1:
        grow = min(scale, MAX_SCALE_UP)
        attributes["size"] = f"{w * grow / 72:.2f},{h * grow / 72:.2f}!"
    else:
        attributes["size"] = f"{box_pt[0] / 72:.2f},{box_pt[1] / 72:.2f}"
    return attributes


def _separation(ranksep, direction):
    return str(ranksep["LR" if direction in ("LR", "RL") else "TB"])
