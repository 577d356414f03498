"""The example notebooks in JupyterLab, in a real headless Chromium: Run All from the Run menu,
then the stepper widget's ▶ button clicked, and what the page shows read back and checked against
autodiff.grad and a Stepper that never shared its graph.

It starts ``jupyter lab`` on a free port of 127.0.0.1 with a token of its own, over a copy of
examples/, with settings and workspaces in a temporary folder. Like the other browser tests it
skips without chromium and chromedriver, and without jupyterlab, except where CI is set.
``STEPGRAD_SCREENSHOTS=folder`` keeps a screenshot of the stepper notebook after stepping there.
"""

import json
import os
import pathlib
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from browser import browser, needs_chromium  # noqa: F401 (a fixture)
from selenium.webdriver.common.by import By
from test_viz_notebook import EXAMPLES, NOTEBOOKS, essence, loopback_available, same_text
from viz_support import needs_dot, optional_module, svg_texts

import lecture
from autodiff import grad
from stepgrad.stepping import Stepper, number
from viz import stepper_dot
from viz.notebook import box_for, strip_svg, svg_of

REPO = pathlib.Path(__file__).resolve().parents[1]
START_SECONDS = 60        # for the server to answer
RUN_SECONDS = 180         # for a notebook's cells to run
CLICKS = 4                # ▶ after Run All


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server over a copy of examples/: (base URL, token)."""
    optional_module("jupyterlab")
    if not loopback_available():
        if os.environ.get("CI"):
            pytest.fail("JupyterLab needs the loopback interface (127.0.0.1)")
        pytest.skip("JupyterLab needs the loopback interface (127.0.0.1)")
    folder = tmp_path_factory.mktemp("lab")
    notebooks = folder / "examples"
    shutil.copytree(EXAMPLES, notebooks)
    settings = folder / "settings"
    # Every cell in the page (no windowing), so the outputs of them all can be read.
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
               JUPYTERLAB_SETTINGS_DIR=str(settings),
               JUPYTERLAB_WORKSPACES_DIR=str(folder / "workspaces"),
               JUPYTER_CONFIG_DIR=str(folder / "config"),
               JUPYTER_RUNTIME_DIR=str(folder / "runtime"))
    token, port = secrets.token_hex(16), free_port()
    log = open(folder / "lab.log", "wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={notebooks}", "--ServerApp.port_retries=0",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         *(["--allow-root"] if os.geteuid() == 0 else [])],
        env=env, cwd=notebooks, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    raise AssertionError("jupyter lab did not start:\n"
                                         + (folder / "lab.log").read_text(errors="replace")[-3000:])
                time.sleep(0.5)
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.25)


def menu(driver, title, label):
    """Choose ``label`` in the menu bar's menu ``title``."""
    (bar,) = wait_for(lambda: [m for m in driver.find_elements(By.CSS_SELECTOR, ".lm-MenuBar-item")
                               if m.text.strip() == title], 30, f"the {title} menu")
    bar.click()
    item = wait_for(lambda: [i for i in driver.find_elements(
        By.CSS_SELECTOR, f"#jp-mainmenu-{title.lower()} .lm-Menu-item")
        if i.text.startswith(label)], 10, f"{label} in the {title} menu")
    item[0].click()


def prompts(driver):
    return [p.get_attribute("textContent") for p in driver.find_elements(
        By.CSS_SELECTOR, ".jp-Notebook .jp-CodeCell .jp-InputPrompt")]


def run_all(driver, base, token, name):
    """Open the notebook ``name``, clear its outputs and run every cell, from the menus; wait
    until all ran."""
    driver.set_window_size(1400, 1000)
    driver.get(f"{base}/lab/tree/{name}?reset&token={token}")
    wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".jp-Notebook .jp-CodeCell"), 60,
             f"{name} to open")
    wait_for(lambda: kernel_idle(driver), 60, "the kernel to start")
    import nbformat
    cells = sum(cell.cell_type == "code"
                for cell in nbformat.read(EXAMPLES / name, as_version=4).cells)
    wait_for(lambda: len(prompts(driver)) == cells, 30, f"the {cells} code cells of {name}")
    menu(driver, "Edit", "Clear Outputs of All Cells")   # the committed counts look like a run
    wait_for(lambda: all(p.strip() in ("[ ]:", "[]:") for p in prompts(driver)), 30,
             "the outputs to clear")
    menu(driver, "Run", "Run All Cells")

    def done():
        shown = prompts(driver)
        return len(shown) == cells and all(re.fullmatch(r"\[\d+\]:", p.strip()) for p in shown)

    try:
        wait_for(done, RUN_SECONDS, f"every cell of {name} to run")
    except AssertionError as error:
        raise AssertionError(f"{error}; prompts {prompts(driver)}") from None


def kernel_idle(driver):
    return driver.execute_script(
        "const s = document.querySelector('.jp-Notebook-ExecutionIndicator');"
        "return s !== null && s.getAttribute('data-status') === 'idle';")


def shown_outputs(driver):
    """Each code cell's output text as the page shows it, in order."""
    return [cell.get_attribute("textContent") for cell in driver.find_elements(
        By.CSS_SELECTOR, ".jp-Notebook .jp-CodeCell .jp-Cell-outputWrapper")]


@needs_dot
@needs_chromium
@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_run_all_in_jupyterlab_shows_the_committed_outputs(browser, lab, name):
    import nbformat
    if name == "torch_handover.ipynb":
        optional_module("torch")
    run_all(browser, *lab, name)
    shown = shown_outputs(browser)
    committed = [cell for cell in nbformat.read(EXAMPLES / name, as_version=4).cells
                 if cell.cell_type == "code"]
    assert len(shown) == len(committed)
    for text in shown:
        assert "Traceback" not in text and "Error displaying widget" not in text, text[-2000:]
    for cell, text in zip(committed, shown):
        for said in essence(cell):
            if said.startswith("stdout: "):         # what the cell printed, as the page shows it
                printed = said.removeprefix("stdout: ").strip()
                found = [line for line in text.splitlines() if line.strip()]
                assert any(same_text(printed.splitlines()[0], line.strip()) for line in found), \
                    (cell.id, printed[:200])


def widget_state(driver):
    """What the stepper widget shows: (its step text, the texts of its drawing, slider value)."""
    return driver.execute_script("""
        const widget = document.querySelector('.jp-OutputArea-output .widget-vbox');
        if (widget === null) return null;
        const pre = widget.querySelector('pre');
        const svg = widget.querySelector('svg');
        const slider = widget.querySelector('.widget-readout');
        const texts = svg === null ? null : Array.from(svg.querySelectorAll('text'),
                                                       t => t.textContent.replace(/\u00a0/g, ' '));
        return [pre ? pre.textContent : null, texts,
                slider ? slider.textContent : null];""")


@needs_dot
@needs_chromium
@pytest.mark.slow
def test_the_stepper_widget_in_jupyterlab_steps_with_the_numbers_of_autodiff_grad(browser, lab,
                                                                                   tmp_path):
    optional_module("ipywidgets")
    run_all(browser, *lab, "section7_stepper.ipynb")
    graph = lecture.error_graph("section7")
    error = graph.root
    alone = Stepper(error)               # never shares its graph: what the widget must show
    start = 6                            # the notebook leaves the widget at node step 6 of 33
    text, _, readout = wait_for(lambda: widget_state(browser), 30, "the widget")
    assert text.startswith(f"step {start}/33: ") and readout.strip() == str(start)
    (button,) = [b for b in browser.find_elements(By.CSS_SELECTOR, ".widget-vbox button")
                 if "next" in b.text]
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", button)
    for k in range(start + 1, start + 1 + CLICKS):
        button.click()
        text, drawn, readout = wait_for(
            lambda: (lambda s: s if s and s[0] and s[0].startswith(f"step {k}/33") else None)(
                widget_state(browser)), 30, f"step {k} in the widget")
        step = alone.goto(k)
        assert text == step.text(), k
        assert readout.strip() == str(k)
        (exact,) = grad(error, [step.node])
        shown = re.search(r"upstream ∂E/∂\S+ = (\S+)|\.grad = (\S+)", text)
        assert shown and (shown.group(1) or shown.group(2)) == number(exact), (k, text)
        drawing = strip_svg(svg_of(stepper_dot(alone, fit=box_for("node"))))
        assert drawn == svg_texts(drawing[drawing.index("<svg"):]), k
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'})",
                           browser.find_element(By.CSS_SELECTOR, ".widget-vbox"))
    picture = tmp_path / "stepper.png"
    browser.save_screenshot(str(picture))
    keep = os.environ.get("STEPGRAD_SCREENSHOTS")
    if keep:
        pathlib.Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(picture, pathlib.Path(keep) / "stepper_in_jupyterlab.png")
