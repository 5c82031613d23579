"""Run a demo in Nengo GUI and drive it from headless Chromium.

Used by the browser tests (through the ``gui_browser`` fixture in ``tests/conftest.py``) and by
``tools/screenshots.py``. Each run:

1. copies the demo, its ``.py.cfg`` layout and any extra files into a fresh temporary folder,
   because Nengo GUI rewrites the ``.cfg`` beside the script whenever the layout changes;
2. starts ``nengo --no-browser -P PORT --auto-shutdown 0 SCRIPT.py`` there, listening on
   127.0.0.1 (Nengo GUI's default), and reads the URL with its access token from the output;
3. opens the page in headless Chromium through chromedriver, waits for the plots, presses play,
   and waits until simulation time passes ``run_until`` seconds;
4. records what a test checks (simulation times, the components on the page, the text of the
   editor's error console, the server's output, the HTML shown by HTML nodes), optionally saves a
   screenshot, and always stops Chromium and the server.

Layouts: in a ``.py.cfg``, a plot's ``x`` and ``y`` are its centre and ``width`` and ``height``
its half-size, in units of the network view. In Chromium's 1600x1000 window with the code editor
open, the area left of the editor spans about x 0 to 1.65 and y 0 to 1.6. One unit is about 600
pixels across and 430 down. ``01_lif_slider.py.cfg`` is a worked example.

Chromium and chromedriver come from Debian's ``chromium`` and ``chromium-driver`` packages; set
``CHROMIUM`` and ``CHROMEDRIVER`` to use other binaries.
"""

import dataclasses
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1600,1000",
)

# Nengo GUI's .cfg names each plot by its Python class; the page builds it from this JavaScript
# class (Voltage plots are drawn by Nengo.Value).
CFG_TEMPLATE_TO_JS_CLASS = {
    "HTMLView": "HTMLView",
    "Pointer": "Pointer",
    "Raster": "Raster",
    "Slider": "Slider",
    "SpaSimilarity": "SpaSimilarity",
    "SpikeGrid": "Image",
    "Value": "Value",
    "Voltage": "Value",
    "XYValue": "XYValue",
}
LAYOUT_TEMPLATES = {"AceEditor", "NetGraph", "SimControl"}

# Most specific classes first: some JavaScript plot classes inherit from Nengo.Value.
COMPONENTS_SCRIPT = """
var names = ['HTMLView', 'Image', 'Pointer', 'Raster', 'Slider', 'SpaSimilarity',
             'XYValue', 'Value'];
return Nengo.Component.components.map(function (c) {
    var type = names.filter(function (n) { return Nengo[n] && c instanceof Nengo[n]; })[0];
    return {type: type || '', label: c.label ? c.label.textContent : ''};
});
"""


class BrowserUnavailable(RuntimeError):
    """Chromium or chromedriver is not installed."""


@dataclasses.dataclass
class DemoRun:
    """Observations from one demo run in the browser."""

    script: str
    sim_times: list  # simulation time (s) read from the page, in order
    components: list  # [{"type": JavaScript class, "label": plot title}, ...]
    console_error: str  # the editor console's error text; Python errors appear here
    html_views: list  # inner HTML of each HTML node's plot
    server_output: str
    interaction: object = None  # what the after_play callback returned

    @property
    def component_types(self):
        return sorted(c["type"] for c in self.components)


def expected_components(cfg_path):
    """Return the (JavaScript class, target) of each plot that a .py.cfg layout places."""
    # Most plots are written as ``ValueTemplate(obj)``; HTMLView has no Template alias.
    pattern = re.compile(r"^_viz_\w+ = nengo_gui\.components\.(\w+?)(?:Template)?\((.*)\)\s*$")
    components = []
    for line in Path(cfg_path).read_text().splitlines():
        match = pattern.match(line)
        if match is None or match.group(1) in LAYOUT_TEMPLATES:
            continue
        components.append((CFG_TEMPLATE_TO_JS_CLASS[match.group(1)], match.group(2)))
    return components


def find_browser():
    """Return the paths of Chromium and chromedriver, or raise BrowserUnavailable."""
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium")
    chromedriver = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver")
    if chromium is None or chromedriver is None:
        raise BrowserUnavailable(
            "Chromium and chromedriver are needed for browser tests and screenshots: "
            "install them with `apt-get install chromium chromium-driver`, "
            "or set CHROMIUM and CHROMEDRIVER to their paths"
        )
    return chromium, chromedriver


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NengoGuiServer:
    """``nengo --no-browser`` serving one script on 127.0.0.1, stopped on exit."""

    def __init__(self, script_path, start_timeout=120.0, env=None):
        self.script_path = Path(script_path)
        self.env = env or {}
        self.start_timeout = start_timeout
        self.port = _free_port()
        self.url = None
        self.process = None
        self._output = []
        self._reader = None

    @property
    def output(self):
        return "".join(self._output)

    def __enter__(self):
        nengo_command = Path(sys.executable).with_name("nengo")
        env = dict(os.environ)
        # The copied script imports snn_demos from the repository.
        env["PYTHONPATH"] = os.pathsep.join(
            [str(REPO_ROOT)] + [p for p in [env.get("PYTHONPATH")] if p]
        )
        env["PYTHONUNBUFFERED"] = "1"
        # As run.sh does: TensorFlow 2.16+ then gives NengoDL Keras 2 even though Nengo GUI
        # imports TensorFlow before the demo. TensorFlow 2.12 ignores the variable.
        env["TF_USE_LEGACY_KERAS"] = "1"
        for name, value in self.env.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        self.process = subprocess.Popen(
            [
                str(nengo_command),
                "--no-browser",
                "-P",
                str(self.port),
                "--auto-shutdown",
                "0",
                self.script_path.name,
            ],
            cwd=self.script_path.parent,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read_output, daemon=True)
        self._reader.start()
        try:
            self._wait_for_url()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def _read_output(self):
        for line in self.process.stdout:
            self._output.append(line)

    def _wait_for_url(self):
        deadline = time.monotonic() + self.start_timeout
        pattern = re.compile(r"(http://\S+:%d/\?token=\S+)" % self.port)
        while time.monotonic() < deadline:
            match = pattern.search(self.output)
            if match:
                self.url = match.group(1).replace("localhost", "127.0.0.1")
                return
            if self.process.poll() is not None:
                raise RuntimeError(
                    "Nengo GUI exited with code %d before serving %s:\n%s"
                    % (self.process.returncode, self.script_path.name, self.output)
                )
            time.sleep(0.2)
        raise TimeoutError(
            "Nengo GUI did not print its URL within %.0f s:\n%s" % (self.start_timeout, self.output)
        )

    def stop(self):
        """Stop the server and every process it started."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def start_chromium(user_data_dir):
    """Start headless Chromium with a fresh profile and return a Selenium driver."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, chromedriver = find_browser()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument("--user-data-dir=%s" % user_data_dir)
    return webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)


def _wait_for(driver, script, timeout, what, server):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        if server.process.poll() is not None:
            raise RuntimeError("Nengo GUI exited while waiting for %s:\n%s" % (what, server.output))
        time.sleep(0.25)
    raise TimeoutError(
        "timed out after %.0f s waiting for %s\n"
        "editor console: %s\nserver output:\n%s"
        % (timeout, what, _console_error(driver), server.output)
    )


def _console_error(driver):
    return driver.execute_script(
        "var e = document.getElementById('console_error'); return e ? e.textContent : '';"
    )


def _sim_time(driver):
    return driver.execute_script("return (typeof sim === 'undefined') ? null : sim.time;")


def wait_for_sim_time(driver, seconds, timeout=60.0):
    """Wait until the page's simulation time reaches ``seconds``; return the time reached."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = _sim_time(driver)
        if now is not None and now >= seconds:
            return now
        time.sleep(0.05)
    raise TimeoutError(
        "simulation time %s did not reach %.3f s within %.0f s" % (_sim_time(driver), seconds, timeout)
    )


def _press_play(driver):
    from selenium.webdriver.common.by import By

    driver.find_element(By.ID, "pause_button").click()


def run_demo(
    script,
    run_until=1.0,
    extra_files=(),
    screenshot=None,
    timeout=180.0,
    expect_error=False,
    before_play=None,
    after_play=None,
    env=None,
):
    """Open ``script`` in Nengo GUI in headless Chromium, press play and return a DemoRun.

    Parameters
    ----------
    script : str or Path
        A demo file; its ``.py.cfg`` is copied with it when present.
    run_until : float
        Simulation time (s) to wait for after pressing play.
    extra_files : iterable of Path
        Files the demo needs beside it, such as a weights file.
    screenshot : Path or None
        Where to save a PNG of the page once ``run_until`` is reached.
    timeout : float
        Seconds allowed for the server to start, the page to load and the simulation to run.
    expect_error : bool
        If True, return as soon as the editor console shows an error instead of pressing play.
    before_play : callable or None
        Called with the Selenium driver once the plots are on the page, before play.
    after_play : callable or None
        Called with the Selenium driver once simulation time reaches ``run_until``, while the
        simulation keeps running; its return value is ``DemoRun.interaction``.
    env : dict or None
        Environment variables for the Nengo GUI server; a value of None removes the variable.
        The server starts with ``TF_USE_LEGACY_KERAS=1``, as ``run.sh`` sets it.
    """
    script = Path(script).resolve()
    interaction = None
    with tempfile.TemporaryDirectory(prefix="nengo-gui-") as workdir:
        workdir = Path(workdir)
        shutil.copy(script, workdir / script.name)
        cfg = script.with_name(script.name + ".cfg")
        if cfg.exists():
            shutil.copy(cfg, workdir / cfg.name)
        for extra in extra_files:
            shutil.copy(extra, workdir / Path(extra).name)
        expected = expected_components(cfg) if cfg.exists() else []

        with NengoGuiServer(workdir / script.name, start_timeout=timeout, env=env) as server:
            driver = start_chromium(workdir / "chromium-profile")
            try:
                driver.set_page_load_timeout(timeout)
                driver.get(server.url)
                if expect_error:
                    _wait_for(
                        driver,
                        "var e = document.getElementById('console_error');"
                        "return e && e.textContent.length > 0;",
                        timeout,
                        "an error in the editor console",
                        server,
                    )
                    sim_times = []
                else:
                    _wait_for(
                        driver,
                        "return typeof Nengo !== 'undefined' && Nengo.Component"
                        " && Nengo.Component.components.length >= %d;" % len(expected),
                        timeout,
                        "the %d plots in %s" % (len(expected), cfg.name),
                        server,
                    )
                    if before_play is not None:
                        before_play(driver)
                    sim_times = [_sim_time(driver)]
                    _press_play(driver)
                    _wait_for(
                        driver,
                        "return sim.time >= %r;" % float(run_until),
                        timeout,
                        "simulation time %.2f s" % run_until,
                        server,
                    )
                    sim_times.append(_sim_time(driver))
                    if after_play is not None:
                        interaction = after_play(driver)
                    time.sleep(0.5)
                    sim_times.append(_sim_time(driver))
                    # Let the plots draw the latest data before the screenshot.
                    time.sleep(0.5)
                if screenshot is not None:
                    Path(screenshot).parent.mkdir(parents=True, exist_ok=True)
                    driver.save_screenshot(str(screenshot))
                components = driver.execute_script(COMPONENTS_SCRIPT)
                html_views = driver.execute_script(
                    "return Array.prototype.map.call("
                    "document.querySelectorAll('.htmlview'), function (d) { return d.innerHTML; });"
                )
                console_error = _console_error(driver)
            finally:
                driver.quit()
            output = server.output

    return DemoRun(
        script=script.name,
        sim_times=sim_times,
        components=components,
        console_error=console_error,
        html_views=html_views,
        server_output=output,
        interaction=interaction,
    )


def assert_demo_ran(run, cfg_path):
    """Assert what every browser test checks: no Python error, time advanced, the layout's plots."""
    assert run.console_error == "", "Nengo GUI showed a Python error:\n" + run.console_error
    assert "Traceback" not in run.server_output, run.server_output
    start, reached, later = run.sim_times
    assert reached > start, "simulation time did not advance after play: %s" % run.sim_times
    assert later > reached, "simulation stopped advancing: %s" % run.sim_times
    expected = sorted(js_class for js_class, _ in expected_components(cfg_path))
    assert run.component_types == expected, "plots on the page differ from %s: %s" % (
        Path(cfg_path).name,
        run.components,
    )
