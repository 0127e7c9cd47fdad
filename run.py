"""Start ExCon, or print its access codes.

    python run.py [--host 0.0.0.0] [--port 5000] [--db exercise.db] [--scenario scenarios.json]
    python run.py codes [--db exercise.db] [--sheet codes.html] [--url http://LAN-ADDRESS:5000]
    python run.py demo [--port 5000]   (a fresh demo.db, and a compressed day played live)
    python run.py demo-data --db week.db [--events 100000]   (a generated week, for tests and benchmarks)
    python run.py codes --rotate ROLE    (a new code for ROLE or PERSON; a running server drops the old one)
    python run.py backup PATH [--db exercise.db]   (a consistent copy while the exercise runs)
    python run.py --certfile cert.pem --keyfile key.pem   (HTTPS on the LAN)
"""

import socket
import sys

ASYNC_MODES = ("eventlet", "gevent", "threading")


def async_mode_from(argv) -> str:
    """Return --async-mode from the command line: it must be known before anything else is imported."""
    for i, arg in enumerate(argv):
        if arg.startswith("--async-mode="):
            return arg.split("=", 1)[1]
        if arg == "--async-mode" and i + 1 < len(argv):
            return argv[i + 1]
    return "eventlet"


def without_nagle(sock):
    """An event and its ack leave as two small frames: with Nagle's algorithm the second waits for
    the client's delayed ACK (40 ms).  Set on the listening socket; accepted sockets inherit it on Linux."""
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


ASYNC_MODE = async_mode_from(sys.argv)
if ASYNC_MODE == "eventlet":  # the server ExCon runs on (control/serving.py); the others are measured in bench/
    import warnings

    warnings.filterwarnings("ignore", message="\\s*Eventlet is deprecated")  # the stack is chosen; see README
    import eventlet

    eventlet.monkey_patch()
elif ASYNC_MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()
    import gevent.server

    _gevent_listener = gevent.server._tcp_listener
    gevent.server._tcp_listener = lambda *args, **kwargs: without_nagle(_gevent_listener(*args, **kwargs))
elif ASYNC_MODE == "threading":
    import socketserver

    _bind = socketserver.TCPServer.server_bind
    socketserver.TCPServer.server_bind = lambda self: (without_nagle(self.socket), _bind(self))[1]

import argparse
import errno
import json
import os
import shutil
import signal
import subprocess
from functools import cache
from pathlib import Path

import redis

from control.codes import CodesError, code_digest, new_code
from control.eventlog import StorageFault, WriterLockTaken, hold_writer_lock
from control.i18n import _, best_language, in_language
from control.permissions import PERSON
from control.scenario import ScenarioError, check_scenario, conditions, load_scenario
from control.timefmt import escaped, iso, utc_now
from control.web import DEFAULT_SCENARIO, create_app, socketio
from control.web.codes_sheet import lan_address, reachable_base
from control.web.relay import claim_writer, serve_forwarded
from control.web.sockets import broadcast


@cache
def terminal_language() -> str:
    """Return the language ExCon speaks on this terminal: the locale's (LC_ALL, LC_MESSAGES, LANG, as
    gettext reads them), such as ru_RU.UTF-8, without its encoding."""
    tags = [os.environ[v].split(".")[0].split("@")[0] for v in ("LC_ALL", "LC_MESSAGES", "LANG") if os.environ.get(v)]
    return best_language(None, None, None, tags)


def say(message) -> str:
    """Return a message for the terminal, in its language."""
    return in_language(message, terminal_language())


def fail(message):
    """Stop with `message` (a Message, or a text already said) on standard error."""
    sys.exit(f"excon: {say(message)}")


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="run.py", description="ExCon, the exercise control room.")
    parser.add_argument("command", nargs="?", choices=["serve", "codes", "demo", "demo-data", "backup", "scenario"],
                        default="serve",
                        help="serve (default): start the server; codes: print the access codes; "
                             "demo: start on a fresh demo.db and play a compressed exercise day; "
                             "demo-data: write a generated week into a new --db; "
                             "backup PATH: copy --db to PATH while the exercise runs; "
                             "scenario check FILE: check a scenario file and say what is wrong or doubtful; "
                             "scenario export FILE.xlsx: write --scenario as a workbook; "
                             "scenario import FILE.xlsx|MSEL.csv -o FILE.json: read one back (a CSV: the MSEL of "
                             "--scenario); scenario template FILE.xlsx: a blank workbook with the columns explained")
    parser.add_argument("path", nargs="?", help="with backup: the new file to write; with scenario: "
                                                 "check, export, import or template")
    parser.add_argument("file", nargs="?", help="with scenario: the file to check, write or read")
    parser.add_argument("-o", "--output", metavar="FILE.json", help="with scenario import: the scenario file to write")
    parser.add_argument("--rotate", metavar="ROLE", help="with codes: give ROLE a new code; a running server "
                                                        "picks it up within seconds and disconnects the old one")
    parser.add_argument("--certfile", help="serve HTTPS with this certificate (PEM) ...")
    parser.add_argument("--keyfile", help="... and this private key")
    parser.add_argument("--events", type=int, default=100_000, help="with demo-data: about how many events")
    parser.add_argument("--sheet", metavar="FILE", nargs="?", const="codes.html",
                        help="with codes: write a printable sheet of QR codes (default codes.html)")
    parser.add_argument("--url", help="with codes --sheet: the address phones will open "
                                      "(default: this machine's LAN address and --port)")
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0: the whole LAN)")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--db", help="SQLite file of the event log, created if missing "
                                     "(default exercise.db; demo.db for the demo)")
    parser.add_argument("--scenario", default=str(DEFAULT_SCENARIO), help="scenario file (MSEL, sites, teams …)")
    parser.add_argument("--message-queue", metavar="URL",
                        help="redis://HOST:PORT/N shared by several server processes on this host (docs/deployment.md)")
    parser.add_argument("--relay", action="store_true",
                        help="with --message-queue: serve clients and forward their submits to the process "
                             "that writes --db (started without --relay)")
    parser.add_argument("--behind-proxy", action="store_true",
                        help="trust X-Forwarded-For/-Proto from one reverse proxy in front (nginx): the wrong-code "
                             "limit then counts per client, not per proxy")
    parser.add_argument("--proxy-address", default="127.0.0.1",
                        help="with --behind-proxy: the proxy's address; forwarded headers from any other "
                             "address are ignored (default 127.0.0.1)")
    parser.add_argument("--max-per-address", type=int, default=None, metavar="N",
                        help="connections one client address may hold open (default 100; a phone needs a few)")
    parser.add_argument("--async-mode", choices=ASYNC_MODES, default="eventlet",
                        help="the server's concurrency (default eventlet; the others are for comparison, see README)")
    return parser.parse_args(argv)


PHONES_URL = "phones_url"  # setting: the address the server last told the phones to open


def remember_phones_url(log, url):
    """Note the address the phones are told to open, for `codes --sheet`; never a reason not to serve
    (a full disk or a held write lock are the storage watch's to report)."""
    try:
        log.put_setting(PHONES_URL, url)
    except StorageFault:
        pass


def print_codes(codes, people=None):
    """Print each code with who holds it: the shared codes of the roles, then each person of the roster by name."""
    people = people or {}
    width = max(map(len, codes))
    for holder, code in codes.items():
        person = people.get(holder[len(PERSON):]) if holder.startswith(PERSON) else None
        named = f"  {person['name']} ({person['role']}{', ' + person['team'] if 'team' in person else ''})" if person else ""
        print(f"  {holder:<{width}}  {code}{named}")


def stop(signum, frame):
    """Stop at once on Ctrl-C or SIGTERM.

    Every acknowledged event is already committed (an event is acked only after its commit), so
    nothing is lost by exiting here; the WAL file is folded back at the next open.  Raising
    KeyboardInterrupt instead would land in whichever green thread happens to run.
    """
    player = getattr(stop, "player", None)
    if player and player.poll() is None:
        player.terminate()
    print(say(_("ExCon stopped.")), flush=True)
    os._exit(0)


def fresh_demo_db(path: str):
    """Start the demo on an empty log: demo.db is recreated, any other file must be new."""
    if os.path.exists(path):
        if os.path.basename(path) != "demo.db":
            fail(_("the demo writes a made-up day; give it a new file, not %(path)s", path=path))
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)


def start_demo_player(args, codes):
    """Play the demo day from a separate process, through the server's real Socket.IO path."""
    env = {**os.environ, "EXCON_DEMO_CODES": json.dumps(codes)}
    url = f"http://127.0.0.1:{args.port}"
    return subprocess.Popen([sys.executable, "-m", "control.demo", "--url", url, "--scenario", args.scenario],
                            cwd=os.path.dirname(os.path.abspath(__file__)), env=env)


def rotate(room, role):
    """Give `role` a new code and store it; the running server notices within seconds.  The old code
    is remembered as rotated away, so that no later start takes it back from EXCON_CODES."""
    if role not in room.codes and PERSON + role in room.codes:  # a person may be named by their id alone
        role = PERSON + role
    if role not in room.codes:
        fail(_("unknown role '%(role)s'; roles are %(roles)s", role=escaped(role), roles=", ".join(room.codes)))
    retired = (role, code_digest(room.codes[role]), iso(utc_now()))
    room.codes[role] = new_code()
    room.exercise.log.store_codes(room.codes, retire=retired)
    print(say(_("New code for %(role)s. Its old code, sessions and sockets stop working within seconds.", role=role)))


def backup(args):
    """Write a consistent copy of the database while the exercise runs."""
    from control.eventlog import EventLog
    from control.photos import NAME as PHOTO_NAME

    if not args.path:
        fail(_("backup needs a PATH for the copy"))
    if os.path.exists(args.path):
        fail(_("%(path)s exists; a backup goes to a new file", path=args.path))
    if not os.path.exists(args.db):
        fail(_("no database at %(db)s", db=args.db))
    log = EventLog(args.db)
    log.backup(args.path)
    log.close()
    copy = EventLog(args.path)
    print(say(_("Backed up %(count)s events (up to seq %(seq)s) from %(db)s to %(path)s.", count=copy.count(),
                seq=copy.last_seq(), db=args.db, path=args.path)))
    copy.close()
    photos = Path(f"{args.db}.photos")  # the entries' photos, next to the database (control/photos.py)
    if photos.is_dir():
        shutil.copytree(photos, f"{args.path}.photos", ignore=shutil.ignore_patterns("*.part"), dirs_exist_ok=True)
        count = sum(1 for photo in photos.iterdir() if PHOTO_NAME.match(photo.name))
        print(say(_("Photos copied to %(path)s.photos: %(count)s.", count=count, path=args.path)))


def scenario_command(args):
    """`scenario check|export|import|template FILE`: the scenario file as planners work on it (the
    workbook part is control/workbook.py)."""
    from control import workbook

    if args.path not in ("check", "export", "import", "template") or not args.file:
        fail(_("scenario: say what to do — scenario check FILE, export FILE.xlsx, import FILE.xlsx -o FILE.json or "
               "template FILE.xlsx"))
    # A workbook goes to .xlsx, a scenario to .json, never over what is read: a slip must not cost a file.
    if args.path in ("export", "template") and not args.file.lower().endswith(".xlsx"):
        fail(_("scenario %(action)s writes a workbook: name it FILE.xlsx, not %(path)s", action=args.path, path=args.file))
    if args.path == "import" and args.output and (not args.output.lower().endswith(".json")
                                                  or os.path.abspath(args.output) == os.path.abspath(args.file)):
        fail(_("scenario import writes a scenario file: -o FILE.json, other than %(path)s", path=args.file))
    try:
        if args.path == "export":
            workbook.write_workbook(load_scenario(args.scenario).source, args.file)
            print(say(_("%(scenario)s written as a workbook: %(path)s", scenario=args.scenario, path=args.file)))
            return
        if args.path == "template":
            workbook.write_template(args.file)
            print(say(_("A blank scenario workbook, its columns explained in English and Russian: %(path)s",
                        path=args.file)))
            return
        if args.path == "import":
            if not args.output:
                fail(_("scenario import: say where to write the scenario — -o FILE.json"))
            if args.file.lower().endswith(".csv"):
                raw, where = workbook.read_msel_csv(args.file, load_scenario(args.scenario).source)
                print(say(_("%(path)s holds the MSEL only: the rest of the scenario (days, sites, teams, objectives …) "
                            "comes from %(scenario)s (--scenario)", path=args.file, scenario=args.scenario)))
            else:
                raw, where = workbook.read_workbook(args.file)
            checked = checked_workbook(raw, where)
            with open(args.output, "w", encoding="utf-8") as f:
                json.dump(raw, f, ensure_ascii=False, indent=2)
                f.write("\n")
            print(say(_("%(path)s read: %(injects)s injects, %(teams)s teams, %(objectives)s objectives; written to "
                        "%(output)s", path=args.file, injects=len(checked.injects), teams=len(checked.teams),
                        objectives=len(checked.objectives), output=args.output)))
            return
        if args.file.lower().endswith(".xlsx"):  # a planner's workbook, checked as it will be imported
            print_holds(args.file, checked_workbook(*workbook.read_workbook(args.file)))
            return
        scenario = load_scenario(args.file)
    except (ScenarioError, workbook.WorkbookError) as e:
        fail(e.args[0])
    except OSError as e:  # a folder that does not exist, a directory for a file, a file open in Excel …
        fail(_("cannot write or read %(path)s: %(error)s", path=e.filename or args.file, error=e.strerror or str(e)))
    for warning in scenario.warnings:
        print("excon:", say(_("warning: %(warning)s", warning=warning)), file=sys.stderr, flush=True)
    print_holds(args.file, scenario)


def checked_workbook(raw: dict, where: dict):
    """Check a scenario read from a workbook or CSV; say its refusal and its warnings at their sheet and row."""
    from control import workbook

    try:
        checked = check_scenario(raw)
    except ScenarioError as e:
        fail(workbook.located(e.args[0], where))
    for warning in checked.warnings:
        print("excon:", say(_("warning: %(warning)s", warning=workbook.located(warning, where))),
              file=sys.stderr, flush=True)
    return checked


def print_holds(path, scenario) -> None:
    """Say what a checked scenario holds (`scenario check`)."""
    print(say(_("%(path)s holds: %(days)s days, %(sites)s sites, %(teams)s teams, %(objectives)s objectives with "
                "%(tasks)s critical tasks, %(injects)s injects (%(branching)s waiting for the teams' play), "
                "%(request_kinds)s kinds of request, %(actors)s actors, %(people)s people; %(warnings)s warnings",
                path=path, days=len(scenario.days), sites=len(scenario.sites), teams=len(scenario.teams),
                objectives=len(scenario.objectives), tasks=len(scenario.tasks), injects=len(scenario.injects),
                branching=sum(1 for inject in scenario.injects.values() if conditions(inject)),
                request_kinds=len(scenario.request_kinds), actors=len(scenario.actors), people=len(scenario.people),
                warnings=len(scenario.warnings))))


def write_demo_data(args):
    """Write a deterministic generated week into a new database file."""
    from control.eventlog import EventLog
    from control.scenario import load_scenario
    from control.weekgen import write_week

    if os.path.exists(args.db):
        fail(_("%(db)s exists; demo-data writes only into a new file", db=args.db))
    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as e:
        fail(e.args[0])
    log = EventLog(args.db)
    written = write_week(scenario, log, args.events)
    log.close()
    print(say(_("Wrote %(count)s events of a generated week to %(db)s.", count=written, db=args.db)))


def write_sheet(app, path, base_url, warning=None):
    from flask import render_template

    from control.web.codes_sheet import sheet_entries

    room = app.extensions["excon"]
    with app.test_request_context():
        html = render_template("codes_sheet.html", entries=sheet_entries(room.codes, base_url),
                               scenario=room.exercise.scenario.raw, warning=warning)
    with open(path, "w", encoding="utf-8") as f:
        f.write(html)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.db is None:
        args.db = "demo.db" if args.command == "demo" else "exercise.db"
    if args.command == "demo":
        fresh_demo_db(args.db)
    if args.command == "demo-data":
        return write_demo_data(args)
    if args.command == "backup":
        return backup(args)
    if args.command == "scenario":
        return scenario_command(args)
    if bool(args.certfile) != bool(args.keyfile):
        fail(_("--certfile and --keyfile go together"))
    if args.relay and not args.message_queue:
        fail(_("--relay forwards to a writer through --message-queue redis://…"))
    writer_lock = None
    if args.command in ("serve", "demo") and not args.relay:
        try:
            writer_lock = hold_writer_lock(args.db)  # noqa: F841 - held for as long as the process runs
        except WriterLockTaken as taken:
            fail(_("another ExCon server (%(holder)s) is already serving %(db)s; stop it first, or start this one "
                   "with --relay --message-queue … (docs/deployment.md)", holder=taken.args[0], db=args.db))
        except OSError as e:
            fail(_("cannot open %(db)s: %(error)s", db=args.db, error=e.strerror or str(e)))
    try:
        app = create_app({"DATABASE": args.db, "SCENARIO": args.scenario, "ASYNC_MODE": ASYNC_MODE,
                          "TLS": bool(args.certfile), "MESSAGE_QUEUE": args.message_queue, "RELAY": args.relay,
                          "BEHIND_PROXY": args.behind_proxy, "PROXY_ADDRESS": args.proxy_address,
                          "WRITER": writer_lock is not None})
    except (ScenarioError, CodesError) as e:
        fail(e.args[0])
    except StorageFault as e:
        fail(_("cannot start on %(db)s: %(fault)s; try again once it is free", db=args.db, fault=e.message))
    room = app.extensions["excon"]
    for warning in [*room.exercise.scenario.warnings, *room.code_warnings]:
        print("excon:", say(_("warning: %(warning)s", warning=warning)), file=sys.stderr, flush=True)
    if args.command == "codes":
        if args.rotate:
            rotate(room, args.rotate)
        print_codes(room.codes, room.exercise.scenario.in_language(terminal_language()).people)
        if args.sheet:
            # the address the server last served the phones at (its real port), unless told another
            served = room.exercise.log.stored_setting(PHONES_URL)
            base, warning = reachable_base(args.url or served or f"http://127.0.0.1:{args.port}", lan_address())
            if warning:
                print("excon:", say(_("warning: %(warning)s", warning=warning)), file=sys.stderr, flush=True)
            write_sheet(app, args.sheet, base, warning)
            print(say(_("Code sheet with QR codes for %(url)s: %(path)s (print it; keep it with exercise control)",
                        url=base, path=args.sheet)))
        return
    if args.message_queue and not args.relay:
        me = f"{socket.gethostname()}:{os.getpid()}:{args.port}"
        try:
            other = claim_writer(args.message_queue, me)
        except redis.RedisError as e:
            fail(_("cannot reach the message queue %(url)s: %(error)s", url=args.message_queue, error=str(e)))
        if other:
            fail(_("another writer (%(holder)s) serves this message queue; start this process with --relay", holder=other))
    listening = None
    if ASYNC_MODE == "eventlet":
        from control.web import serving

        serving.raise_open_file_limit()
        try:
            listening = serving.listen(args.host, args.port)
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                fail(_("port %(port)s is already in use (another ExCon, or another program); stop it or choose "
                       "another --port", port=args.port))
            fail(_("cannot listen on %(host)s:%(port)s: %(error)s", host=args.host, port=args.port,
                   error=e.strerror or str(e)))
    title = room.exercise.scenario.in_language(terminal_language()).raw.get("exercise", {}).get("title", "")
    print(f"ExCon — {title}")
    print(say(_("Event log: %(db)s (%(count)s events)", db=args.db, count=room.exercise.log.count())))
    room.exercise.state_for("director")  # fold the log once now, not on the first screen that opens
    scheme = "https" if args.certfile else "http"
    urls = [f"{scheme}://127.0.0.1:{args.port}/"] if args.host in ("0.0.0.0", "127.0.0.1", "localhost") else []
    if args.host == "0.0.0.0" and lan_address():
        urls.append(f"{scheme}://{lan_address()}:{args.port}/")
    if args.host not in ("0.0.0.0", "127.0.0.1", "localhost"):
        urls.append(f"{scheme}://{args.host}:{args.port}/")
    print(say(_("Open: %(urls)s", urls="  ".join(urls))))
    if writer_lock is not None:  # `codes --sheet` prints QR codes for this address and port
        socketio.start_background_task(remember_phones_url, room.exercise.log, urls[-1].rstrip("/"))
    print(say(_("Access codes (new — keep them; 'python run.py codes' shows them again):") if room.codes_generated
              else _("Access codes:")))
    print_codes(room.codes, room.exercise.scenario.in_language(terminal_language()).people)
    sys.stdout.flush()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.command == "demo":
        stop.player = start_demo_player(args, room.codes)
        url = f"http://127.0.0.1:{args.port}/login?code={room.codes['director']}"
        print(say(_("Demo: open %(url)s — play starts in a few seconds.", url=url)), flush=True)
    socketio.start_background_task(room.sockets.watch, app)
    if args.message_queue and not args.relay:
        print(say(_("Writer of %(db)s: relays forward their submits through %(url)s", db=args.db, url=args.message_queue)),
              flush=True)
        exercise = room.exercise
        socketio.start_background_task(serve_forwarded, args.message_queue, me, exercise.submit,
                                       socketio.start_background_task,
                                       lambda event: broadcast(socketio, exercise, event))
    elif args.relay:
        print(say(_("Relay: submits go to the writer of %(db)s through %(url)s", db=args.db, url=args.message_queue)),
              flush=True)
    tls = {"certfile": args.certfile, "keyfile": args.keyfile} if args.certfile else {}
    if ASYNC_MODE == "eventlet":
        from control.web import serving

        serving.serve(app, listening, **tls, per_address=args.max_per_address or serving.MAX_PER_ADDRESS,
                      proxy=args.proxy_address if args.behind_proxy else None)
        return
    unsafe = {"allow_unsafe_werkzeug": True} if ASYNC_MODE == "threading" else {}  # measured, not deployed
    socketio.run(app, host=args.host, port=args.port, log_output=False, **tls, **unsafe)


if __name__ == "__main__":
    try:
        main()
    except StorageFault as fault:  # codes --rotate, backup … while the database is locked or failing
        fail(_("%(fault)s; try again once it is free", fault=fault.message))
