"""JupyterLab on a temporary folder, driven by Debian's chromium through playwright.

The server runs in its own process group and is stopped by its process id
(``stop_lab``), together with the kernels it started, however a test ends.
JupyterLab is reached on 127.0.0.1 with a token; its settings, workspaces and
runtime files live in the temporary folder, with the settings that keep dialogs
(news, kernel choice) out of the way.
"""

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false"},
    "@jupyterlab/notebook-extension/tracker": {
        "autoStartDefaultKernel": True,
        # every cell stays in the page, so locators reach cells below the fold
        "windowingMode": "none",
    },
}
NUMBER = re.compile(r"[-−]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def in_ci():
    """True when the CI environment variable says so (CI=true, as CI services set it)."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def missing(reason, test="browser test"):
    """Skip for a ``reason`` the machine lacks (a browser), except under CI, where it fails."""
    import pytest

    if in_ci():
        pytest.fail(f"{reason}; CI=true requires the {test} (.ci/run installs chromium)")
    pytest.skip(f"{reason}: install it (`sudo apt-get install chromium`) to run the {test}")


def find_chromium():
    """Path of the system's chromium, or None."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def free_port():
    """A TCP port that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def numbers_in(text):
    """Every number shown in ``text`` (Unicode minus understood), as floats."""
    return [float(match.replace("−", "-")) for match in NUMBER.findall(text)]


@dataclass
class Lab:
    """A running JupyterLab: its process, address, token and log file."""

    process: subprocess.Popen
    url: str
    token: str
    root: Path
    log: Path

    def tree_url(self, name):
        """Address that opens notebook ``name`` (relative to the root) in a fresh workspace."""
        return f"{self.url}lab/tree/{name}?reset&token={self.token}"

    def log_tail(self, chars=3000):
        return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]


def _write_settings(settings_dir):
    for key, values in SETTINGS.items():
        package, plugin = key.rsplit("/", 1)
        path = settings_dir / package / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")


def _lab_environment(workdir):
    env = dict(os.environ)
    # the tests draw off-screen (MPLBACKEND=Agg); the kernel must draw inline
    env.pop("MPLBACKEND", None)
    env.pop("PYTHONWARNINGS", None)
    folders = {
        "JUPYTERLAB_SETTINGS_DIR": "lab-settings",
        "JUPYTERLAB_WORKSPACES_DIR": "lab-workspaces",
        "JUPYTER_CONFIG_DIR": "jupyter-config",
        "JUPYTER_DATA_DIR": "jupyter-data",
        "JUPYTER_RUNTIME_DIR": "jupyter-runtime",
        "IPYTHONDIR": "ipython",
    }
    for var, name in folders.items():
        env[var] = str(workdir / name)
        (workdir / name).mkdir(parents=True, exist_ok=True)
    _write_settings(workdir / folders["JUPYTERLAB_SETTINGS_DIR"])
    return env


def start_lab(root, workdir, timeout=60.0):
    """Start JupyterLab on folder ``root``; return a ``Lab`` once its API answers.

    The caller must call ``stop_lab`` (in a ``finally`` or a fixture teardown).
    """
    port, token = free_port(), secrets.token_hex(16)
    log = workdir / "jupyterlab.log"
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        "--ServerApp.allow_root=True",
        f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=root,
            env=_lab_environment(workdir),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    lab = Lab(process, f"http://127.0.0.1:{port}/", token, Path(root), log)
    try:
        _wait_for_api(lab, timeout)
    except BaseException:
        stop_lab(lab)
        raise
    return lab


def _wait_for_api(lab, timeout):
    deadline = time.monotonic() + timeout
    status = f"{lab.url}api/status?token={lab.token}"
    while time.monotonic() < deadline:
        if lab.process.poll() is not None:
            raise RuntimeError(
                f"JupyterLab exited with {lab.process.returncode}:\n{lab.log_tail()}"
            )
        try:
            with urllib.request.urlopen(status, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise TimeoutError(f"JupyterLab did not answer within {timeout} s:\n{lab.log_tail()}")


def _descendants(pid):
    """Process ids started by ``pid``, children first found, by walking /proc (no recursion)."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                children = [int(child) for child in task.read_text().split()]
            except OSError:
                continue
            found.extend(children)
            todo.extend(children)
    return found


def stop_lab(lab, grace=10.0):
    """Stop the server by its process id: SIGTERM to its group, then SIGKILL what remains.

    Kernels run in sessions of their own; they are found among the server's
    descendants before it stops and killed by id if the server left them behind.
    """
    process = lab.process
    if process.poll() is not None:
        return
    kernels = _descendants(process.pid)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=grace)
    for pid in kernels:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


# --- the page --------------------------------------------------------------------------

KERNEL_IDLE = """() => {
  const app = window.jupyterapp;
  const panel = app && app.shell.currentWidget;
  if (!panel || !panel.sessionContext || !panel.context || !panel.context.isReady) return false;
  const session = panel.sessionContext;
  const kernel = session.session && session.session.kernel;
  return session.isReady && !!kernel && kernel.status === 'idle';
}"""

RUN_STATE = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const kernel = panel.sessionContext.session.kernel;
  const cells = panel.content.widgets.filter(cell => cell.model.type === 'code');
  const errors = [];
  cells.forEach((cell, k) => {
    const tags = cell.model.getMetadata('tags') || [];
    for (let i = 0; i < cell.model.outputs.length; i++) {
      const out = cell.model.outputs.get(i).toJSON();
      if (out.output_type === 'error' && !tags.includes('raises-exception')) {
        errors.push(`code cell ${k}: ${out.ename}: ${out.evalue}`);
      }
    }
  });
  const done = cells.every(cell => cell.model.executionCount !== null);
  return {idle: kernel.status === 'idle', done, errors};
}"""


def open_notebook(page, lab, name, timeout=60.0):
    """Open ``name`` and wait until its kernel is started and idle."""
    page.goto(lab.tree_url(name), wait_until="domcontentloaded")
    page.wait_for_function(KERNEL_IDLE, timeout=timeout * 1000, polling=200)


def run_all(page, timeout=60.0):
    """Clear every output, run all cells, wait until each code cell ran and the kernel is idle.

    Fails at once, with the message, when a cell raises (unless tagged raises-exception).
    """
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget.content.widgets"
        ".every(c => c.model.type !== 'code' || c.model.executionCount === null)",
        timeout=10_000,
    )
    # fired, not awaited: awaiting run-all inside evaluate does not resolve
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = page.evaluate(RUN_STATE)
        if state["errors"]:
            raise AssertionError("a cell raised:\n" + "\n".join(state["errors"]))
        if state["done"] and state["idle"]:
            return
        page.wait_for_timeout(200)
    raise TimeoutError(f"run all did not finish within {timeout} s: {state}")


def cell_metadata(page, key):
    """Metadata ``key`` of every cell of the open notebook, in order (None where absent)."""
    return page.evaluate(
        "key => window.jupyterapp.shell.currentWidget.content.widgets"
        ".map(c => c.model.getMetadata(key) ?? null)",
        key,
    )


def cell_source(page, index):
    return page.evaluate(
        "i => window.jupyterapp.shell.currentWidget.content.widgets[i].model.sharedModel.getSource()",
        index,
    )


def type_into_cell(page, index, text):
    """Replace the source of cell ``index`` as a learner would: click, select all, type."""
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    editor = cell.locator(".cm-content")
    editor.scroll_into_view_if_needed()
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)
    return cell


def run_cell(page, index, timeout=30.0):
    """Run cell ``index``, which has the focus, with Shift+Enter; return its output texts."""
    before = page.evaluate(
        "i => window.jupyterapp.shell.currentWidget.content.widgets[i].model.executionCount", index
    )
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(
        """([i, before]) => {
          const panel = window.jupyterapp.shell.currentWidget;
          const count = panel.content.widgets[i].model.executionCount;
          return count !== null && count !== before
            && panel.sessionContext.session.kernel.status === 'idle';
        }""",
        arg=[index, before],
        timeout=timeout * 1000,
        polling=200,
    )
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    return "\n".join(cell.locator(".jp-OutputArea-output").all_inner_texts())
