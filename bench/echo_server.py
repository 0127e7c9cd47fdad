"""The transport's own ceiling: ExCon's server stack with an echo-only `submit` and no database.

    python bench/echo_server.py --port 5001 [--async-mode eventlet|gevent|threading]

Same run.py start-up (async mode, monkey patching) and serving (control/serving.py), same Flask-SocketIO server and
rooms per role.  `submit` stores nothing and checks nothing: it sends the payload as `event` to
the rooms that would receive it and acks with a counter as its seq.  bench/load.py compares
ExCon's durable submit with this.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import argparse  # noqa: E402
import itertools  # noqa: E402
import signal  # noqa: E402

from flask import Flask  # noqa: E402
from flask_socketio import SocketIO, join_room  # noqa: E402

import run  # noqa: E402  (first: it picks the async mode and patches before Flask is imported)
from control import permissions  # noqa: E402
from control.scenario import load_scenario  # noqa: E402

BENCH_PER_ADDRESS = 10_000  # every client of the benchmark comes from 127.0.0.1


def create_echo_app(teams):
    app = Flask(__name__)
    socketio = SocketIO(app, async_mode=run.ASYNC_MODE)
    roles = permissions.broadcast_order(teams)
    seq = itertools.count(1)

    @socketio.on("connect")
    def connect(auth=None):
        """Any client connects with auth={"code": ROLE}: the code is the role's name here."""
        role = auth.get("code") if isinstance(auth, dict) else None
        if role not in roles:
            return False
        join_room(role)
        return True

    @socketio.on("submit")
    def submit(payload):
        """Send the payload to the rooms that may see its kind, then ack: no checks, no database."""
        event = {**payload, "seq": next(seq), "role": "echo"}
        for role in roles:
            if permissions.view(role, event, None) is not None:
                socketio.emit("event", event, to=role)
        return {"ok": True, "seq": event["seq"], "duplicate": False}

    @app.get("/healthz")
    def healthz():
        return {"ok": True}

    return app, socketio


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument("--async-mode", choices=run.ASYNC_MODES, default="eventlet")
    args = parser.parse_args()
    app, socketio = create_echo_app(load_scenario(ROOT / "scenarios.json").teams)
    signal.signal(signal.SIGTERM, run.stop)
    print(f"echo server ({run.ASYNC_MODE}) on http://{args.host}:{args.port}", flush=True)
    if run.ASYNC_MODE == "eventlet":  # the same serving as run.py: TCP_NODELAY, fast unmasking, timeouts
        from control.web import serving

        serving.raise_open_file_limit()
        serving.serve(app, serving.listen(args.host, args.port), per_address=BENCH_PER_ADDRESS)
        return
    unsafe = {"allow_unsafe_werkzeug": True} if run.ASYNC_MODE == "threading" else {}
    socketio.run(app, host=args.host, port=args.port, log_output=False, **unsafe)


if __name__ == "__main__":
    main()
