"""Names a person writes for the lecture's quantities: aliases, a file's own [notation], and suggestions.

Everyone writes δ6, delta6, delta_6 or d6; Δw46 or dw46; ∂E/∂w46 or dE/dw46; h1 for a hidden
output. ``Names`` resolves a key to a canonical quantity or given of the problem. A file's
[notation] table maps the writer's names to canonical ones, one name (``h1 = "o1"``) or a
pattern over units (``"h{j}" = "o{j}"``, ``"dE/dw{i}{j}" = "dEdw{i}{j}"``); its entries come
first, so a writer's o1 may stand for the problem's o3.
"""

import difflib
import functools
import re

from nn import weight_label

__all__ = ["Names", "NotationError"]

# Spellings of a canonical prefix: each maps to the canonical form.
_PREFIXES = (("∂E/∂net", "dEdnet"), ("dE/dnet", "dEdnet"), ("∂E/∂o", "dEdo"), ("dE/do", "dEdo"),
             ("∂E/∂", "dEd"), ("dE/d", "dEd"), ("delta_", "delta"), ("δ_", "delta"), ("δ", "delta"),
             ("Δ", "d"), ("err_", "signal"), ("err", "signal"), ("net_", "net"))


class NotationError(ValueError):
    """A [notation] entry that names nothing, or two entries for one name."""


class Names:
    """Resolves the keys of a derivation to the problem's names.

    ``resolve(key)`` gives the canonical name of a quantity or a given (w14, x1, t6, eta), or
    None; ``suggest(key)`` the closest names for an unknown one.
    """

    def __init__(self, catalog, notation=None):
        self.catalog = catalog
        self.mapping = {}
        for key, target in (notation or {}).items():
            for name, canonical in self._expand(key, target):
                if name in self.mapping and self.mapping[name] != canonical:
                    raise NotationError(f"[notation] {key}: {name} would mean both "
                                        f"{self.mapping[name]} and {canonical}")
                self.mapping[name] = canonical
        self.known = set(catalog.quantities) | set(catalog.constants)

    def _expand(self, key, target):
        """The (writer's name, canonical name) pairs of one [notation] entry."""
        problem = self.catalog.problem
        if "{" not in key and "{" not in target:
            canonical = self._canonical(target)
            if canonical is None:
                raise NotationError(f"[notation] {key} = {target!r}: the problem has no "
                                    f"quantity {target!r}")
            return [(key, canonical)]
        fields = set(re.findall(r"\{(\w+)\}", key + target))
        braces = re.sub(r"\{[ij]\}", "", key + target)
        if "{" in braces or "}" in braces or fields - {"i", "j"} or \
                set(re.findall(r"\{(\w+)\}", key)) != set(re.findall(r"\{(\w+)\}", target)):
            raise NotationError(f"[notation] {key} = {target!r}: a pattern uses {{j}} for a unit "
                                f"(and {{i}}{{j}} for a weight from i to j) on both sides")
        if "i" in fields:
            pairs = [(c.source, c.target) for c in problem.connections if c.source is not None]
            cases = [{"i": i, "j": j} for i, j in pairs]
        else:
            cases = [{"j": u} for layer in problem.unit_names for u in layer]
        found = []
        for case in cases:
            canonical = self._canonical(_fill(target, case))
            if canonical is not None:
                found.append((_fill(key, case), canonical))
        if not found:
            raise NotationError(f"[notation] {key} = {target!r}: the pattern names no quantity "
                                f"of this problem")
        return found

    def _canonical(self, key):
        """A key in the built-in spellings → a canonical name of the problem, or None."""
        key = key.strip()
        scope, _, base = key.rpartition(".")
        base = _spelled(base)
        name = f"{scope}.{base}" if scope else base
        if name in self.catalog.quantities or name in self.catalog.constants:
            return name
        return None

    def resolve(self, key):
        """The canonical name ``key`` stands for (in the writer's notation first), or None."""
        key = key.strip()
        scope, _, base = key.rpartition(".")
        mapped = self.mapping.get(base)
        if mapped is not None:
            if not scope:
                return mapped
            head, _, tail = mapped.rpartition(".")
            candidate = f"{scope}.{tail}"
            return candidate if candidate in self.known else None
        return self._canonical(key)

    def suggest(self, key, count=3):
        """The closest names a person could have meant."""
        choices = list(dict.fromkeys([*self.mapping, *self.catalog.quantities]))
        return difflib.get_close_matches(_spelled(key.strip()), choices, n=count)

    def variables(self, values, scope=""):
        """Every name an expression answer of ``scope`` (example2, or "") may use, with its
        value: the givens, the quantities of that scope without it, their spellings (δ6, Δw46,
        err6) and the writer's own names; only names an expression can spell (w46, not w1,10)."""
        found = {}
        for name, value in values.items():
            head, _, base = name.rpartition(".")
            if head and not (head == scope or scope.startswith(head + ".")):
                continue
            found.setdefault(base, value) if head != scope else found.__setitem__(base, value)
            for canonical, alias in (("delta", "δ"), ("dw", "Δw"), ("db", "Δb"), ("signal", "err")):
                if base.startswith(canonical):
                    found.setdefault(alias + base[len(canonical):], value)
        for name, canonical in self.mapping.items():
            for key in ((f"{scope}.{canonical.rpartition('.')[2]}" if scope else canonical), canonical):
                if key in values:
                    found[name] = values[key]
                    break
        return {name: value for name, value in found.items() if name.isidentifier()}


def _fill(pattern, case):
    """A pattern with its {i} and {j} replaced (plain replacement: a file's text is no format)."""
    for field, unit in case.items():
        pattern = pattern.replace("{" + field + "}", unit)
    return pattern


def _spelled(base):
    """One key without its scope, in canonical spelling: δ_6 → delta6, Δw1,4 → dw14."""
    # NOTE: a class's files spell the same few hundred keys, hundreds of thousands of times
    return _spelled_remembered(base) if len(base) <= 100 else _spelling(base)


def _spelling(base):
    base = base.replace("′", "'").strip()
    for prefix, canonical in _PREFIXES:
        if base.startswith(prefix) and len(base) > len(prefix):
            base = canonical + base[len(prefix):]
            break
    if "," in base:
        match = re.fullmatch(r"(dEd|d)?w([A-Za-z0-9]+),([A-Za-z0-9]+)(_new)?", base)
        if match:
            base = (match[1] or "") + weight_label(match[2], match[3]) + (match[4] or "")
    return base


_spelled_remembered = functools.lru_cache(maxsize=4096)(_spelling)
