"""The layout keeps its floors: imports point down, through a package's face, at the top of a module;
a public name is defined once. Read from the source with ``ast``; nothing is imported."""

import ast
import pathlib
from collections import defaultdict

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent

# Bottom to top. Packages on one floor do not import each other.
FLOORS = (
    ("stepgrad._ground", "autodiff"),
    ("nn",),
    ("stepgrad.stepping",),
    ("viz", "lecture"),
    ("stepgrad.classroom",),
    ("stepgrad",),
)
FLOOR = {package: level for level, packages in enumerate(FLOORS) for package in packages}
TOP_LEVEL = ("autodiff", "nn", "viz", "lecture", "stepgrad")
GUARD = "_stepgrad_packages"   # the shadowing guard: a standalone module beside the packages
# The deliberate exceptions, each with its reason.
INNER_IMPORTS = {
    ("nn.taped", "TapedLoss.__init__"): "the tape brings numpy, which `import nn` defers",
    ("viz", "stepper_widget"): "viz.widget subclasses ipywidgets' VBox: ipywidgets stays optional",
}
# Names deliberately defined in more than one module (same name, different meaning in its place).
SHARED_NAMES = {"main", "run", "add_parsers", "__getattr__"}


def package_of(module):
    """The floor package a module belongs to: the longest prefix in FLOOR."""
    best = None
    for package in FLOOR:
        if module == package or module.startswith(package + "."):
            if best is None or len(package) > len(best):
                best = package
    return best


def modules():
    for path in sorted(ROOT.glob("*/**/*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] not in TOP_LEVEL:
            continue
        parts = list(relative.with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        yield ".".join(parts), is_package, ast.parse(path.read_text(encoding="utf-8"), str(path))


MODULES = list(modules())
PACKAGES = {name for name, is_package, _ in MODULES if is_package}
MODULE_NAMES = {name for name, _, _ in MODULES}
# The names a package's face binds (``from lecture import check`` is the function, not the module).
FACES = {name: {alias.asname or alias.name for node in tree.body if isinstance(node, ast.ImportFrom)
                for alias in node.names}
         for name, is_package, tree in MODULES if is_package}


def imports(name, is_package, tree):
    """(target module, imported names, enclosing function or None, line) for each project import."""
    here = name if is_package else name.rpartition(".")[0]
    found = []

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            inner = function
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inner = f"{function}.{child.name}" if function else child.name
            elif isinstance(child, ast.ClassDef) and function is None:
                visit_class(child)
                continue
            if isinstance(child, ast.ImportFrom):
                if child.level:
                    base = here.split(".")[:len(here.split(".")) - child.level + 1]
                    target = ".".join(base + ([child.module] if child.module else []))
                else:
                    target = child.module
                found.append((target, [a.name for a in child.names], function, child.lineno))
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    found.append((alias.name, [], function, child.lineno))
            visit(child, inner)

    def visit_class(cls):
        for item in cls.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(item, f"{cls.name}.{item.name}")

    visit(tree, None)
    return found


def project_imports():
    for name, is_package, tree in MODULES:
        for target, names, function, line in imports(name, is_package, tree):
            root = target.split(".")[0]
            if root in TOP_LEVEL:
                # ``from package import submodule`` names a module, not a name of the face
                for imported in names or [None]:
                    full = f"{target}.{imported}" if imported else target
                    module = full in MODULE_NAMES and (target == name or imported not in FACES.get(target, ()))
                    yield name, (full if module else target), function, line
            else:
                yield name, target, function, line


IMPORTS = list(project_imports())


def test_the_floors_cover_every_module():
    assert all(package_of(name) for name, _, _ in MODULES)


def test_imports_point_down_only():
    wrong = []
    for module, target, _, line in IMPORTS:
        if target.split(".")[0] not in TOP_LEVEL:
            continue
        mine, theirs = package_of(module), package_of(target)
        if mine == theirs:
            continue
        if FLOOR[theirs] >= FLOOR[mine]:
            wrong.append(f"{module}:{line} imports {target} ({theirs}, floor {FLOOR[theirs]}) "
                         f"from floor {FLOOR[mine]}")
    assert not wrong, "\n".join(wrong)


def test_another_package_is_imported_through_its_face():
    wrong = []
    for module, target, _, line in IMPORTS:
        if target.split(".")[0] not in TOP_LEVEL:
            continue
        theirs = package_of(target)
        if package_of(module) != theirs and target not in PACKAGES:
            wrong.append(f"{module}:{line} imports {target}: import it from {theirs}")
    assert not wrong, "\n".join(sorted(set(wrong)))


def test_no_project_module_is_imported_inside_a_function():
    wrong = []
    for module, target, function, line in IMPORTS:
        if function is None:
            continue
        if target.split(".")[0] not in TOP_LEVEL + (GUARD,):
            continue   # the standard library, or a third-party package kept optional
        if (module, function) in INNER_IMPORTS:
            continue
        wrong.append(f"{module}:{line} imports {target} inside {function}()")
    assert not wrong, "\n".join(wrong)


def test_the_exceptions_are_still_needed():
    inner = {(module, function) for module, target, function, _ in IMPORTS
             if function and target.split(".")[0] in TOP_LEVEL}
    assert set(INNER_IMPORTS) <= inner, "an allowed exception no longer happens: remove it"


@pytest.mark.parametrize("module", sorted(m for m, _, _ in MODULES))
def test_a_module_has_no_import_circle(module):
    graph = defaultdict(set)
    for source, target, function, _ in IMPORTS:
        if function is None and target.split(".")[0] in TOP_LEVEL:
            graph[source].add(target)
    # a package's face imports its modules; a module importing the face then reaches them all
    seen, stack = set(), [(module, (module,))]
    while stack:
        node, path = stack.pop()
        for nxt in graph[node]:
            if nxt == module and len(path) > 1 and not _through_own_face(path):
                pytest.fail("import circle: " + " → ".join(path + (nxt,)))
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, path + (nxt,)))


def _through_own_face(path):
    """A module of package P that imports P's face (``from . import x``) is not a circle of ours."""
    return any(step in PACKAGES and path[0].startswith(step + ".") for step in path[1:])


def test_a_public_name_is_defined_in_one_module():
    homes = defaultdict(list)
    for name, is_package, tree in MODULES:
        if is_package:
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
                homes[node.name].append(name)
    # a set: typing's @overload defines one name several times in its one module
    twice = {n: where for n, where in homes.items() if len(set(where)) > 1 and n not in SHARED_NAMES}
    assert not twice, "\n".join(f"{n}: {', '.join(w)}" for n, w in sorted(twice.items()))


def test_the_engine_imports_only_the_standard_library():
    import sys
    allowed = set(sys.stdlib_module_names) | {"autodiff"}
    wrong = [f"{module}:{line} imports {target}" for module, target, function, line in IMPORTS
             if package_of(module) == "autodiff" and not module.startswith("autodiff.tape")
             and (module, function) not in INNER_IMPORTS
             and target.split(".")[0] not in allowed]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("name, home", [("Stepper", "stepgrad.stepping"), ("explain", "stepgrad.stepping"),
                                        ("check_ops", "stepgrad.stepping"), ("trace", "autodiff.tape"),
                                        ("as_values", "nn")])
def test_an_old_import_still_works_for_one_release_with_a_warning(name, home):
    import importlib

    import autodiff
    with pytest.warns(DeprecationWarning, match=rf"autodiff\.{name} moved: import it from {home}"):
        moved = getattr(autodiff, name)
    assert moved is getattr(importlib.import_module(home), name)
    with pytest.raises(AttributeError):
        autodiff.no_such_name  # noqa: B018
