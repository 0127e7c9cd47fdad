"""Start ExCon, or print its access codes.

    python run.py [--host 0.0.0.0] [--port 5000] [--db exercise.db] [--scenario scenarios.json]
    python run.py codes [--db exercise.db] [--scenario scenarios.json]
"""

ASYNC_MODE = "eventlet"  # the one line to change for gevent or threading

if ASYNC_MODE == "eventlet":
    import warnings

    warnings.filterwarnings("ignore", message="\s*Eventlet is deprecated")  # the stack is chosen; see README
    import eventlet

    eventlet.monkey_patch()

import argparse
import os
import signal
import socket
import sys

from control import DEFAULT_SCENARIO, create_app, socketio
from control.codes import CodesError
from control.scenario import ScenarioError


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="run.py", description="ExCon, the exercise control room.")
    parser.add_argument("command", nargs="?", choices=["serve", "codes"], default="serve",
                        help="serve (default): start the server; codes: print the access codes")
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0: the whole LAN)")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--db", default="exercise.db", help="SQLite file of the event log (created if missing)")
    parser.add_argument("--scenario", default=str(DEFAULT_SCENARIO), help="scenario file (MSEL, sites, teams …)")
    return parser.parse_args(argv)


def lan_address() -> str | None:
    """Return this machine's LAN address, if it has one (no packet is sent)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))
            address = s.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


def print_codes(codes):
    width = max(map(len, codes))
    for role, code in codes.items():
        print(f"  {role:<{width}}  {code}")


def stop(signum, frame):
    """Stop at once on Ctrl-C or SIGTERM.

    Every acknowledged event is already committed (each insert is its own transaction), so
    nothing is lost by exiting here; the WAL file is folded back at the next open.  Raising
    KeyboardInterrupt instead would land in whichever green thread happens to run.
    """
    print("ExCon stopped.", flush=True)
    os._exit(0)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        app = create_app({"DATABASE": args.db, "SCENARIO": args.scenario, "ASYNC_MODE": ASYNC_MODE})
    except (ScenarioError, CodesError) as e:
        sys.exit(f"excon: {e}")
    room = app.extensions["excon"]
    if args.command == "codes":
        print_codes(room.codes)
        return
    title = room.exercise.scenario.raw.get("exercise", {}).get("title", "")
    print(f"ExCon — {title}")
    print(f"Event log: {args.db} ({room.exercise.log.count()} events)")
    urls = [f"http://127.0.0.1:{args.port}/"] if args.host in ("0.0.0.0", "127.0.0.1", "localhost") else []
    if args.host == "0.0.0.0" and lan_address():
        urls.append(f"http://{lan_address()}:{args.port}/")
    if args.host not in ("0.0.0.0", "127.0.0.1", "localhost"):
        urls.append(f"http://{args.host}:{args.port}/")
    print("Open:", "  ".join(urls))
    print("Access codes" + (" (new — keep them; 'python run.py codes' shows them again):" if room.codes_generated else ":"))
    print_codes(room.codes)
    sys.stdout.flush()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    socketio.run(app, host=args.host, port=args.port, log_output=False)


if __name__ == "__main__":
    main()
