"""Fixtures: the default scenario, a fresh exercise with a hand-driven clock, the Flask app, and a
real `run.py` server process on a free port with a temporary database."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
import requests
import socketio

from control.eventlog import EventLog
from control.exercise import Exercise
from control.scenario import load_scenario
from control.web import create_app

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios.json"
CODES = {
    "director": "dir-code",
    "controller": "ctl-code",
    "observer": "obs-code",
    "screen": "scr-code",
    "team:alpha": "alpha-code",
    "team:bravo": "bravo-code",
    "team:charlie": "charlie-code",
    "team:delta": "delta-code",
    "team:echo": "echo-code",
}
CODES_ENV = ",".join(f"{r}={c}" for r, c in CODES.items())


def codes_with(people: dict) -> str:
    """Return EXCON_CODES with the test roles' codes and these people's own: {"person:<id>": code}."""
    return CODES_ENV + "," + ",".join(f"{who}={code}" for who, code in people.items())


def new_id() -> str:
    return str(uuid.uuid4())


def submit(exercise, role, kind, **fields):
    """Store an entry of `kind` through the one write path as `role`; return the stored event."""
    return exercise.submit({"id": new_id(), "kind": kind, **fields}, role).event


@pytest.fixture(scope="session")
def scenario():
    return load_scenario(SCENARIO)


@pytest.fixture
def raw_scenario():
    """A fresh copy of the default scenario's JSON, to break in tests."""
    return json.loads(SCENARIO.read_text(encoding="utf-8"))


class HandClock:
    """A wall clock the test moves by hand."""

    def __init__(self):
        self.moment = datetime(2026, 5, 4, 7, 0, tzinfo=UTC)

    def __call__(self):
        return self.moment

    def advance(self, **kwargs):
        self.moment += timedelta(**kwargs)
        return self.moment


@pytest.fixture
def hand_clock():
    return HandClock()


@pytest.fixture
def log(tmp_path):
    log = EventLog(tmp_path / "exercise.db")
    yield log
    log.close()


@pytest.fixture
def exercise(scenario, log, hand_clock):
    return Exercise(scenario, log, now=hand_clock)


@pytest.fixture
def app(tmp_path):
    return create_app({"DATABASE": str(tmp_path / "app.db"), "CODES": CODES_ENV, "ASYNC_MODE": "threading",
                       "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


# --- a real server ---------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`run.py` as a child process on a free port, with its own database file."""

    def __init__(self, db_path, codes_env=CODES_ENV, extra_args=(), tls=False, log_path=None, port=None,
                 preexec_fn=None):
        self.db_path = str(db_path)
        self.log_path = str(log_path or f"{db_path}.log")
        self.codes_env = codes_env
        self.extra_args = list(extra_args)
        self.tls = tls
        self.preexec_fn = preexec_fn
        self.port = port or free_port()
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.proc = None
        self.clients = []

    def start(self):
        env = {**os.environ, "EXCON_CODES": self.codes_env, "PYTHONUNBUFFERED": "1"}
        self.output = open(self.log_path, "ab")  # noqa: SIM115 (the server writes to it until stop())
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "run.py"), "--host", "127.0.0.1", "--port", str(self.port),
             "--db", self.db_path, *self.extra_args],
            cwd=ROOT, env=env, stdout=self.output, stderr=subprocess.STDOUT, preexec_fn=self.preexec_fn)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"run.py exited with {self.proc.returncode}: {self.log_text()}")
            try:  # answering: healthy, or telling why not (503: its storage fails)
                if requests.get(self.url + "/healthz", timeout=1, verify=False).status_code in (200, 503):
                    return self
            except (requests.ConnectionError, requests.Timeout):  # not listening yet, or busy starting (a big log)
                time.sleep(0.1)
        raise RuntimeError(f"run.py did not answer on {self.url}: {self.log_text()}")

    def log_text(self):
        return Path(self.log_path).read_text(errors="replace")[-3000:]

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self):
        for c in self.clients:
            c.disconnect()
        self.clients.clear()
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill9()
        if self.proc:
            self.output.close()

    def connect(self, role_or_code, **kwargs):
        """Connect a real python-socketio client over websocket; it records every `event` it gets."""
        code = CODES.get(role_or_code, role_or_code)
        client = Listener()
        client.connect(self.url, auth={"code": code}, transports=["websocket"], wait_timeout=10, **kwargs)
        self.clients.append(client)
        return client

    def get(self, path, role=None, headers=None):
        headers = dict(headers or {})
        if role:
            headers["Authorization"] = f"Bearer {CODES.get(role, role)}"  # a role, or a person's own code
        return requests.get(self.url + path, headers=headers, timeout=10)


class RedisServer:
    """A throwaway redis-server (Debian's) on a free port, without persistence."""

    def __init__(self, directory):
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: run `sh tests/install-needs.sh` "
                               "(apt-get install redis-server)")
        port = free_port()
        self.url = f"redis://127.0.0.1:{port}/0"
        self.proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", str(directory)], stdout=subprocess.DEVNULL)
        client = redis.Redis(port=port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


class Listener(socketio.Client):
    """A Socket.IO client that keeps the events it receives."""

    def __init__(self):
        super().__init__(reconnection=False)
        self.received = []
        self.health = []  # the storage's health, as the server announced it
        self.states = []  # the state of its view, pushed after commits (director, controllers, screen)
        self.on("event", self.received.append)
        self.on("health", self.health.append)
        self.on("state", self.states.append)

    def submit(self, payload, timeout=10):
        return self.call("submit", payload, timeout=timeout)

    def wait_for(self, predicate, timeout=10):
        """Wait until some received event satisfies `predicate`; return it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.received:
                if predicate(event):
                    return event
            time.sleep(0.02)
        raise AssertionError(f"no matching event within {timeout}s; received {self.received}")


@pytest.fixture
def server(tmp_path):
    srv = Server(tmp_path / "exercise.db").start()
    yield srv
    srv.stop()


# --- a real browser ------------------------------------------------------------------------------

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def chromium_path():
    for candidate in (os.environ.get("EXCON_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium through Playwright; a missing browser fails the test (never skips)."""
    path = chromium_path()
    if path is None:
        pytest.fail("Chromium is not installed: run `sh tests/install-needs.sh` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Page:
    """A browser page on the server that records every request and blocks any other host."""

    def __init__(self, browser, server, **context_options):
        self.server = server
        self.context = browser.new_context(**context_options)
        self.requests = []
        self.errors = []
        self.dialogs = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def _route(self, route):
        self.requests.append(route.request.url)
        if route.request.url.startswith(self.server.url):
            route.continue_()
        else:
            route.abort()

    def login(self, role, path=None):
        self.page.goto(f"{self.server.url}/login?code={CODES[role]}" if path is None else self.server.url + path)
        return self.page

    def foreign_requests(self):
        return [url for url in self.requests if not url.startswith(self.server.url)]


@pytest.fixture
def open_page(browser, server):
    pages = []

    def opener(role=None, **context_options):
        page = Page(browser, server, **context_options)
        pages.append(page)
        if role:
            page.login(role)
        return page

    yield opener
    for page in pages:
        page.context.close()


def until(page, expression, timeout=15):
    """Poll a JS expression in the page until it is truthy (page.wait_for_function stalled on the phone pages)."""
    from playwright.sync_api import Error as PlaywrightError

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if page.evaluate(expression):
                return
        except PlaywrightError as e:  # the page is being loaded again: ask the new one
            if "navigation" not in str(e) and "context" not in str(e):
                raise
        time.sleep(0.1)
    raise AssertionError(f"not true within {timeout}s: {expression}")


def wait_for_text(page, selector, text, timeout=15):
    """Wait until the element's text holds `text`, read as people read it: without the invisible marks
    that isolate user text for bidi (U+2068, U+2069)."""
    until(page, f"""(() => {{ const e = document.querySelector({json.dumps(selector)});
        return !!e && e.innerText.replace(/[\\u2068\\u2069]/g, "").includes({json.dumps(text)}); }})()""", timeout)
