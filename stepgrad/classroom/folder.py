"""A class folder, as ``stepgrad exercise new`` writes it: per student ``exercises/ID/`` (to hand
out) and ``keys/ID/`` (to keep), and ``manifest.json``, which lists each student's exercise id,
seed and files, the class seed and the template, so that a later run for one student adds to the
same class and never mixes two."""

import hashlib
import json
import os
import pathlib
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import viz
from lecture import training_step
from stepgrad._ground import printable, read_data, write_atomic, write_atomic_all
from viz import pipe

from .exercise import Exercise, generate
from .exercise_files import answers_toml, exercise_toml, key_toml
from .template import Template
from .worksheet import (
    solution_html,
    solution_latex,
    solution_markdown,
    worksheet_html,
    worksheet_latex,
    worksheet_markdown,
)

__all__ = ["MANIFEST", "MANIFEST_FORMAT", "ClassFolderError", "read_manifest", "class_seed_of",
           "write_class"]

MANIFEST = "manifest.json"
MANIFEST_FORMAT = "stepgrad.exercises/1"
PLAIN_CAPTION = "The network with its weights and biases."
STEP_CAPTION = "The network, with one training step on it: net, out and δ, each weight old → new."


class ClassFolderError(ValueError):
    """A class folder that cannot be used: another class's, or not a class folder at all."""


def read_manifest(out: "str | os.PathLike[str]") -> "dict[str, Any] | None":
    """The manifest of the class folder ``out`` (a dict), or None when it has none."""
    path = pathlib.Path(out) / MANIFEST
    if not path.exists():
        return None
    try:
        data = read_data(path, "json")
    except (OSError, ValueError) as error:
        raise ClassFolderError(f"{error}; move it away or use another --out") from None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT \
            or not isinstance(data.get("class_seed"), int) or not isinstance(data.get("exercises"), list):
        raise ClassFolderError(f"{path}: not a manifest of stepgrad exercise new "
                               f"({MANIFEST_FORMAT}); use another --out")
    template = data.get("template")
    data["template"] = template.get("name") if isinstance(template, dict) else None
    data["template_content"] = template.get("content") if isinstance(template, dict) else None
    return data


def template_digest(template: Template) -> str:
    """The template's content as a short digest: a changed template under the same name shows."""
    return hashlib.sha256(repr(template).encode("utf-8")).hexdigest()[:16]


def class_seed_of(out: "str | os.PathLike[str]", previous: "Mapping[str, Any] | None", seed: int | None,
                  template: Template) -> int | None:
    """The class seed to use in ``out``: ``seed``, else the manifest's; an error when the folder
    holds another class (another seed or template)."""
    class_seed = seed
    if class_seed is None and previous is not None:
        class_seed = previous["class_seed"]
    content = previous.get("template_content") if previous is not None else None
    if previous is not None and content is not None and content != template_digest(template) \
            and previous["class_seed"] == class_seed and previous["template"] == template.name:
        raise ClassFolderError(
            f"{pathlib.Path(out) / MANIFEST}: the template {template.name!r} has changed since "
            f"these exercises were made from it; keep it as it was, or use another --out")
    if previous is not None and (previous["class_seed"] != class_seed
                                 or previous["template"] != template.name):
        raise ClassFolderError(
            f"{pathlib.Path(out) / MANIFEST}: this folder holds the exercises of class seed "
            f"{previous['class_seed']} and template {previous['template']!r}; use them, or "
            f"another --out")
    return class_seed


def write_class(out: "str | os.PathLike[str]", template: Template, template_file: str | None,
                students: "Iterable[str]", class_seed: int,
                previous: "Mapping[str, Any] | None" = None) -> "tuple[list[Exercise], str | None]":
    """Generate and write each student's exercise, worksheets and key under ``out``, and the
    manifest. Returns (the exercises, a note for the teacher or None)."""
    out = pathlib.Path(out)
    exercises = [generate(template, s, class_seed) for s in students]
    figures, note = _figures(exercises)
    files, entries = {}, []
    for exercise in exercises:
        entries.append(_files(exercise, figures.get(exercise.id), files))
    manifest = _manifest(previous, template, template_file, class_seed, entries)
    _refuse_edited(out, files, previous)
    write_atomic_all({out / path: data for path, data in files.items()})
    write_atomic(out / MANIFEST, (json.dumps(manifest, indent=1, ensure_ascii=False) + "\n").encode())
    return exercises, note


def _refuse_edited(out, files, previous):
    """A ClassFolderError, before anything is written, when a file about to be written differs
    from what an earlier run wrote there (the teacher edited a key or an exercise). Worksheets
    and solutions are made from those two, so they are simply written again."""
    written = {}
    for entry in (previous or {}).get("exercises", ()):
        if isinstance(entry, dict) and isinstance(entry.get("sha256"), dict):
            written.update(entry["sha256"])
    edited = []
    for path, data in files.items():
        if not path.endswith(("/key.toml", "/exercise.toml")):
            continue
        target = out / path
        if target.is_symlink():
            edited.append(path)
            continue
        if not target.is_file():
            continue
        now = _digest(target.read_bytes())
        if now != _digest(data) and now != written.get(path):
            edited.append(path)
    if edited:
        shown = ", ".join(printable(p) for p in edited[:5]) + (f" and {len(edited) - 5} more"
                                                                if len(edited) > 5 else "")
        raise ClassFolderError(f"{out}: {shown} changed since stepgrad wrote "
                               f"{'it' if len(edited) == 1 else 'them'} (edited by hand?); "
                               f"nothing was written: move {'it' if len(edited) == 1 else 'them'} "
                               f"away, or use another --out")


def _digest(data):
    return hashlib.sha256(data).hexdigest()


def _folder(exercise):
    return exercise.student or exercise.id


def _figures(exercises):
    """Per exercise id: the network for the worksheet and, for the key, with one training step
    on it, each as SVG text and PDF bytes. Without Graphviz: none, and a note."""
    graphs, captions = [], {}
    for exercise in exercises:
        problem = exercise.problem
        plain = viz.network_to_dot(problem.network())
        captions[exercise.id], stepped = PLAIN_CAPTION, plain
        if problem.loss == "squared_error" and problem.sign == "lecture":
            # NOTE: training_step is the lecture's: E = ½Σ(t − o)² and δ = −∂E/∂net
            network = problem.network()
            step = training_step(network, list(problem.x), list(problem.t), problem.eta)
            stepped, captions[exercise.id] = viz.network_to_dot(network, step), STEP_CAPTION
        graphs += [(exercise.id, "worksheet", plain), (exercise.id, "key", stepped)]
    figures = {ident: {"caption": caption} for ident, caption in captions.items()}
    try:
        # NOTE: dot runs in its own process, so threads draw side by side; one run per graph
        # draws both formats, each the same bytes as a run of its own
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            drawn = list(pool.map(lambda graph: pipe(graph[2], ("svg", "pdf")), graphs))
    except viz.DotNotFoundError:
        return {}, ("NOTE: the Graphviz 'dot' program is missing, so the worksheets have no "
                    "picture of the network; install graphviz and run again to add it.")
    for (ident, name, _), images in zip(graphs, drawn):
        figures[ident][name] = (images["svg"].decode("utf-8"), images["pdf"])
    return figures, None


def _files(exercise, figures, files):
    """Add the exercise's files (path → bytes) to ``files``; returns its manifest entry."""
    folder = _folder(exercise)
    student, keys = pathlib.PurePosixPath("exercises", folder), pathlib.PurePosixPath("keys", folder)
    text = {student / "exercise.toml": exercise_toml(exercise),
            student / "answers.toml": answers_toml(exercise),
            # NOTE: the key names the student's exercise file rather than holding a copy:
            # stepgrad grade --key OUT/keys reads every .toml under it as a key
            keys / "key.toml": key_toml(exercise, f"../../exercises/{folder}/exercise.toml")}
    svg: "dict[str, str | None]" = {"worksheet": None, "key": None}
    image, caption = None, PLAIN_CAPTION
    if figures:
        caption = figures["caption"]
        for name, folder_ in (("worksheet", student), ("key", keys)):
            drawing, pdf = figures[name]
            svg[name] = drawing
            files[str(folder_ / "network.svg")] = drawing.encode("utf-8")
            files[str(folder_ / "network.pdf")] = pdf
        image = "network"
    text[student / "worksheet.html"] = worksheet_html(exercise, svg["worksheet"])
    text[student / "worksheet.md"] = worksheet_markdown(exercise, image and "network.svg")
    text[student / "worksheet.tex"] = worksheet_latex(exercise, image and "network.pdf")
    text[keys / "solution.html"] = solution_html(exercise, svg["key"], caption)
    text[keys / "solution.md"] = solution_markdown(exercise, image and "network.svg")
    text[keys / "solution.tex"] = solution_latex(exercise, image and "network.pdf")
    for path, content in text.items():
        files[str(path)] = content.encode("utf-8")
    names = {"exercise": student / "exercise.toml", "answers": student / "answers.toml",
             "worksheet_html": student / "worksheet.html", "worksheet_md": student / "worksheet.md",
             "worksheet_tex": student / "worksheet.tex", "key": keys / "key.toml",
             "solution_html": keys / "solution.html", "solution_md": keys / "solution.md",
             "solution_tex": keys / "solution.tex"}
    return {"student": exercise.student, "id": exercise.id, "seed": exercise.seed,
            "shape": "-".join(str(len(layer)) for layer in exercise.problem.unit_names),
            "files": {k: str(v) for k, v in names.items()},
            "sha256": {str(v): _digest(files[str(v)]) for v in names.values()}}


def _manifest(previous, template, template_file, class_seed, entries):
    """The manifest: the new entries, and those of earlier runs for other students."""
    kept = []
    if previous is not None:
        new = {_key(e) for e in entries}
        kept = [e for e in previous["exercises"] if isinstance(e, dict) and _key(e) not in new]
    return {"format": MANIFEST_FORMAT,
            "template": {"name": template.name, "file": template_file,
                         "content": template_digest(template)},
            "class_seed": class_seed,
            "exercises": sorted(kept + entries, key=_key)}


def _key(entry):
    return (entry.get("student") or "", entry.get("id") or "")
