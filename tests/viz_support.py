"""Shared by the viz tests: the rules for tests that need dot or an optional module; SVG text."""

import importlib
import os
import shutil
import xml.etree.ElementTree as ET

import pytest

SVG_TEXT = "{http://www.w3.org/2000/svg}text"

# A test that runs dot may skip on a user's machine without it, never where CI is set.
_skip = pytest.mark.skipif(shutil.which("dot") is None and not os.environ.get("CI"),
                           reason="the Graphviz dot program is not installed (CI unset)")


def needs_dot(test):
    """Mark ``test`` as needing the dot program (marker ``dot``), with the skip rule above."""
    return pytest.mark.dot(_skip(test))


def svg_texts(svg):
    """The text lines of an SVG drawing, with the no-break spaces dot writes made plain."""
    root = ET.fromstring(svg)
    return [(element.text or "").replace("\u00a0", " ") for element in root.iter(SVG_TEXT)]


def optional_module(name):
    """Import an optional dependency: skip without it on a user's machine, fail where CI is set."""
    if os.environ.get("CI"):
        return importlib.import_module(name)
    return pytest.importorskip(name)
