"""ExCon: the control room of a multi-agency field exercise.

`create_app` binds the Flask app, the Socket.IO server and the running exercise together.
Everything else in this package is plain Python that the app's thin views call.
"""

import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask_socketio import SocketIO

from ..codes import settle_codes
from ..eventlog import EventLog
from ..exercise import Exercise, check_log_fits
from ..exports import isolatable
from ..permissions import all_holders, all_roles, may_call
from ..scenario import load_scenario
from ..state_push import StatePushes
from .throttle import WrongCodes

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SCENARIO = ROOT / "scenarios.json"
MAX_MESSAGE_BYTES = 256 * 1024  # a Socket.IO message; the longest event text is 10 000 characters

socketio = SocketIO()
logger = logging.getLogger("excon")


@dataclass
class Room:
    """What the views need: the exercise, the codes, and how a submit reaches the event log."""

    exercise: Exercise
    codes: dict
    codes_generated: bool
    code_warnings: list  # codes from EXCON_CODES refused at start (rotated away)
    submit: Callable  # Exercise.submit, or on a relay Forwarder.submit (to the writer process)
    health: Callable  # the storage's health: Exercise.health, or on a relay the writer's (Forwarder.health)
    wrong_codes: WrongCodes = field(default_factory=WrongCodes)
    pushes: StatePushes | None = None  # the state pushed to the screens after commits (the writer only)
    sockets: object = None  # the Socket.IO namespace (sockets.ExerciseNamespace): who is connected as what


def create_app(test_config=None):
    """Create the app over the database and scenario named in the config.

    Config keys: DATABASE (path), SCENARIO (path), CODES ('role=code,…', else EXCON_CODES),
    ASYNC_MODE (eventlet, gevent or threading), MESSAGE_QUEUE (redis://… shared by several server
    processes), RELAY (true: forward submits to the process that writes DATABASE; see relay.py),
    BEHIND_PROXY (true: trust one proxy's X-Forwarded-For/-Proto, e.g. nginx; see docs/deployment.md),
    PROXY_ADDRESS (the proxy's own address; forwarded headers from any other are ignored),
    WRITER (true: this is the server process that writes DATABASE, holding its lock; see eventlog.py).
    """
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    app.json.sort_keys = False  # keep events in the order they were written
    app.json.ensure_ascii = False  # Cyrillic as UTF-8 (2 bytes a letter), not \uXXXX (6): the catalog in every Russian page
    app.config.from_mapping(
        DATABASE="exercise.db",
        SCENARIO=str(DEFAULT_SCENARIO),
        CODES=os.environ.get("EXCON_CODES"),
        ASYNC_MODE="eventlet",
        MESSAGE_QUEUE=None,
        RELAY=False,
        BEHIND_PROXY=False,
        PROXY_ADDRESS="127.0.0.1",
        WRITER=False,
    )
    if test_config:
        app.config.update(test_config)
    scenario = load_scenario(app.config["SCENARIO"])
    log = EventLog(app.config["DATABASE"], writer=app.config["WRITER"])
    check_log_fits(scenario, log)
    stored_codes = log.stored_codes()
    codes, generated, warnings = settle_codes(stored_codes, app.config["CODES"], all_holders(scenario.teams, scenario.people),
                                              log.retired_codes())
    if codes != stored_codes:  # several processes may share the file: write only a change
        log.store_codes(codes)
    app.secret_key = log.setting("secret_key", lambda: secrets.token_hex(32))
    app.config.update(SESSION_COOKIE_SAMESITE="Lax", PERMANENT_SESSION_LIFETIME=timedelta(days=14),
                      SEND_FILE_MAX_AGE_DEFAULT=3600, SESSION_COOKIE_SECURE=bool(app.config.get("TLS")))
    exercise = Exercise(scenario, log)
    if app.config["RELAY"]:
        if not app.config["MESSAGE_QUEUE"]:
            raise ValueError("a relay needs the message queue of its writer (MESSAGE_QUEUE)")
        from .relay import Forwarder

        forwarder = Forwarder(app.config["MESSAGE_QUEUE"])
        room = Room(exercise, codes, generated, warnings, submit=forwarder.submit, health=forwarder.health)

        @app.before_request
        def take_in_what_the_writer_stored():  # pages and the API show every event stored so far
            exercise.catch_up()

    else:
        room = Room(exercise, codes, generated, warnings, submit=exercise.submit, health=exercise.health)
    app.extensions["excon"] = room

    from . import api, compression, pages, photos, sockets, wire_json
    from .access import SecurityHeaders, TrustedProxy, csrf_token
    from .language import init_language

    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(photos.bp)
    app.after_request(compression.compress)
    init_language(app)
    app.jinja_env.globals["csrf_token"] = csrf_token
    # Every value a template writes goes through this: text people wrote can then sit in a <bdi>
    # (or between U+2068 and U+2069) without a U+2069 of its own ending that isolate early.
    app.jinja_env.finalize = lambda value: isolatable(value) if type(value) is str else value
    room.sockets = sockets.namespace_of(socketio)  # before init_app, which hands it to each new server
    socketio.init_app(app, async_mode=app.config["ASYNC_MODE"], max_http_buffer_size=MAX_MESSAGE_BYTES,
                      message_queue=app.config["MESSAGE_QUEUE"], json=wire_json)
    sockets.limit_before_connect(socketio.server)
    if not app.config["RELAY"]:  # the writer sees every commit: it pushes, to every process's clients
        room.pushes = push_states(exercise, patches=not app.config["MESSAGE_QUEUE"])
        exercise.on_changed = room.pushes.changed
    announce = sockets.announce_health(socketio)
    if app.config["MESSAGE_QUEUE"] and not app.config["RELAY"]:
        from .relay import publish_health

        publish = publish_health(app.config["MESSAGE_QUEUE"])
        publish(exercise.health())  # not the last run's fault
        exercise.on_health = lambda health: (publish(health), announce(health))
    else:
        exercise.on_health = announce
    if app.config["BEHIND_PROXY"]:  # outside Socket.IO's middleware, so that sockets see the client's address too
        app.wsgi_app = TrustedProxy(app.wsgi_app, [app.config["PROXY_ADDRESS"]])
    app.wsgi_app = SecurityHeaders(app.wsgi_app)
    return app


def push_states(exercise, patches=True) -> StatePushes:
    """Return the StatePushes that send each screen's view (the roles that may open /director) to its room."""
    views = {}
    for role in all_roles(exercise.scenario.teams):
        if may_call(role, "director"):
            views.setdefault(exercise.view_key(role), []).append(role)

    def later(delay, push):
        socketio.sleep(delay)
        try:
            push()
        except Exception:  # the next commit pushes again; the screens keep the last state meanwhile
            logger.exception("pushing the state to the screens failed")

    return StatePushes(exercise.state_for, views, send=lambda roles, message: socketio.emit("state", message, to=roles),
                       call_later=lambda delay, push: socketio.start_background_task(later, delay, push),
                       patches=patches, time_now=exercise.time_now)
