"""Load ExCon with a room of real Socket.IO clients and print one table of figures from one run.

    python3 bench/load.py [--clients 50,200,500] [--async-mode eventlet] [--seconds 10] [--week 100000]

Everything runs on 127.0.0.1 and stops by itself.  For each room size it starts a fresh run.py
(temporary database) and, for comparison, bench/echo_server.py (the same server stack with an
echo-only submit and no database: the transport's own ceiling), connects the room (directors,
screens, controllers, observers and team tablets, as python-socketio clients over websocket) and
measures, on both:

  steady   20 events/s from random observers and tablets: ack and submit -> director/screen
           delivery latency, p50/p95/p99
  burst    200 events in one second, the same latencies
  sustain  every submitter sends again as soon as its ack arrives (closed loop), 5 s: events/s
           acknowledged (for ExCon: committed first)
  fan-out  200 receivers (directors, screens, controllers) and 100 events/s: delivery p99

It also measures a bare SQLite insert-and-commit loop on this disk (the durable-commit ceiling),
and, with --week N, the server's RSS with an N-event week and the largest room connected, and
/api/state on that week.  Latencies are taken in the load process (one asyncio loop), so they
include its own delays; it prints its CPU share so that you can tell.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import engineio
import requests
import socketio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.conftest import CODES, Server, free_port  # noqa: E402

SCENARIO = json.loads((ROOT / "scenarios.json").read_text(encoding="utf-8"))
TEAMS = [t["id"] for t in SCENARIO["teams"]]
SITES = [s["id"] for s in SCENARIO["sites"]]
ACTION_TYPES = [a["id"] for a in SCENARIO["action_types"]]
OBJECTIVES = [o["id"] for o in SCENARIO["objectives"]]
ECHO_CODES = {role: role for role in CODES}  # the echo server takes the role's name as its code
RETRY_AFTER = 0.05  # seconds before a submit answered with retry: true goes again (as the outbox does)


class InlineEngineIO(engineio.AsyncClient):
    """Handle each message in the read loop rather than in a new task per message (the library's
    default): the load generator shares two cores with the server, so its clients must be light."""

    async def _trigger_event(self, event, *args, **kwargs):
        kwargs.pop("run_async", None)
        return await super()._trigger_event(event, *args, **kwargs)


class Client(socketio.AsyncClient):
    """A python-socketio client over websocket, with inline message handling."""

    def _engineio_client_class(self):
        return InlineEngineIO


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def ms(values, p):
    return f"{percentile(values, p) * 1000:.1f}"


def room_roles(n):
    """Return the roles of an n-client room: a few staff screens, then observers and team tablets."""
    staff = max(1, n // 100)
    roles = ["director"] * staff + ["screen"] * staff + ["controller"] * max(1, n // 50)
    rest = n - len(roles)
    observers = rest * 2 // 5
    roles += ["observer"] * observers
    roles += [f"team:{TEAMS[i % len(TEAMS)]}" for i in range(rest - observers)]
    return roles


def payload_for(role, rng):
    """Return a valid new event for what this role logs most: tablets actions, observers ratings."""
    base = {"id": str(uuid.uuid4())}
    if role.startswith("team:"):
        return {**base, "kind": "action", "team": role[5:], "action_type": rng.choice(ACTION_TYPES),
                "site": rng.choice(SITES), "text": "load test: interviewed the site manager"}
    if role == "observer":
        return {**base, "kind": "evaluation", "objective": rng.choice(OBJECTIVES), "team": rng.choice(TEAMS),
                "rating": rng.choice("PSMU"), "note": "load test: a rating with a short note"}
    return {**base, "kind": "note", "text": "load test: a control-cell note"}


class Room:
    """A room of connected clients; times every submit, its ack and its deliveries to the screens."""

    def __init__(self, url, code_for):
        self.url = url
        self.code_for = code_for
        self.clients = []  # (role, AsyncClient)
        self.sent = {}  # event id -> send time
        self.acked = {}  # event id -> ack time
        self.delivered = {}  # event id -> [arrival times at measured receivers]
        self.measured = set()  # roles whose arrivals count
        self.retries = 0
        self.refused = []
        self.rng = random.Random(7)

    async def connect(self, roles, measured=("director", "screen")):
        self.measured = set(measured)

        async def one(role):
            client = Client(reconnection=False)
            if role in self.measured:
                client.on("event", self._arrived)
            await client.connect(self.url, auth={"code": self.code_for(role)}, transports=["websocket"],
                                 wait_timeout=20)
            self.clients.append((role, client))

        for start in range(0, len(roles), 50):  # a room fills in waves, not all in the same millisecond
            await asyncio.gather(*(one(r) for r in roles[start:start + 50]))

    def _arrived(self, event):
        self.delivered.setdefault(event["id"], []).append(time.perf_counter())

    def submitters(self):
        return [(r, c) for r, c in self.clients if r == "observer" or r.startswith("team:")] or \
            [(r, c) for r, c in self.clients if r == "controller"]

    def receivers(self):
        return sum(1 for r, _ in self.clients if r in self.measured)

    async def submit(self, role, client):
        """Submit one new event; resend while the server says retry; record the times."""
        payload = payload_for(role, self.rng)
        self.sent[payload["id"]] = time.perf_counter()
        while True:
            ack = await client.call("submit", payload, timeout=30)
            if ack.get("ok"):
                self.acked[payload["id"]] = time.perf_counter()
                return True
            if not ack.get("retry"):
                self.refused.append(ack.get("error"))
                return False
            self.retries += 1
            await asyncio.sleep(RETRY_AFTER)

    async def at_rate(self, count, per_second, senders=None):
        """Submit `count` events at `per_second` from random senders; return their ids."""
        senders = senders or self.submitters()
        before = set(self.sent)
        start = time.perf_counter()
        tasks = []
        for i in range(count):
            delay = start + i / per_second - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(self.submit(*self.rng.choice(senders))))
        await asyncio.gather(*tasks)
        return [i for i in self.sent if i not in before]

    async def closed_loop(self, seconds, senders):
        """Every sender submits again as soon as its ack arrives; return acked events per second."""
        before = len(self.acked)
        stop = time.perf_counter() + seconds

        async def loop(role, client):
            while time.perf_counter() < stop:
                await self.submit(role, client)

        start = time.perf_counter()
        await asyncio.gather(*(loop(r, c) for r, c in senders))
        return (len(self.acked) - before) / (time.perf_counter() - start)

    async def settle(self, ids, timeout=10):
        """Wait until every id reached every measured receiver (or `timeout`); return missing deliveries."""
        want = self.receivers_for(ids)
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            missing = sum(want - len(self.delivered.get(i, ())) for i in ids)
            if missing <= 0:
                return 0
            await asyncio.sleep(0.05)
        return missing

    def receivers_for(self, ids):
        return self.receivers()

    def latencies(self, ids):
        acks = [self.acked[i] - self.sent[i] for i in ids if i in self.acked]
        deliveries = [t - self.sent[i] for i in ids for t in self.delivered.get(i, ())]
        return acks, deliveries

    async def close(self):
        await asyncio.gather(*(c.disconnect() for _, c in self.clients), return_exceptions=True)


async def measure_room(url, code_for, n, seconds):
    """Measure one room of n clients on one server; return a dict of figures."""
    room = Room(url, code_for)
    t = time.perf_counter()
    await room.connect(room_roles(n))
    figures = {"connect_s": time.perf_counter() - t}
    steady = await room.at_rate(20 * seconds, 20)
    figures["steady_missing"] = await room.settle(steady)
    figures["steady"] = room.latencies(steady)
    await asyncio.sleep(0.5)
    burst = await room.at_rate(200, 200)
    figures["burst_missing"] = await room.settle(burst)
    figures["burst"] = room.latencies(burst)
    await asyncio.sleep(0.5)
    before = set(room.sent)
    senders = room.submitters()[:100]
    figures["sustained"] = await room.closed_loop(5, senders)
    sustained_ids = [i for i in room.sent if i not in before]
    figures["sustained_missing"] = await room.settle(sustained_ids, timeout=30)
    figures["sustained_lat"] = room.latencies(sustained_ids)
    figures["retries"] = room.retries
    figures["refused"] = room.refused[:3]
    await room.close()
    return figures


async def measure_write_path(url, code_for, tablets=40, seconds=5):
    """The write path's ceiling: `tablets` team tablets (spread over the teams) and one director, every
    tablet sending again as soon as its ack arrives; return events/s and the ack latencies."""
    room = Room(url, code_for)
    await room.connect(["director"] + [f"team:{TEAMS[i % len(TEAMS)]}" for i in range(tablets)])
    before = set(room.sent)
    rate = await room.closed_loop(seconds, room.submitters())
    ids = [i for i in room.sent if i not in before]
    missing = await room.settle(ids, timeout=30)
    acks, deliveries = room.latencies(ids)
    await room.close()
    return {"rate": rate, "acks": acks, "deliveries": deliveries, "missing": missing, "retries": room.retries}


def receive_in_worker(url, codes, roles, pipe):
    """In a worker process: connect `roles`, report ready, then return their arrival times for the
    ids the parent sends once it has submitted them."""

    async def work():
        room = Room(url, codes.get)
        await room.connect(roles, measured=set(roles))
        pipe.send(len(room.clients))
        ids = await asyncio.get_running_loop().run_in_executor(None, pipe.recv)
        missing = await room.settle(ids, timeout=30)
        pipe.send(({i: room.delivered.get(i, []) for i in ids}, missing))
        await room.close()

    run_loop(work())


async def measure_fanout(url, codes, receivers=200, per_second=100, seconds=5, workers=2):
    """`per_second` events to `receivers` staff screens (spread over worker processes, as the
    screens are separate machines): delivery p50/p95/p99 across every receiver."""
    roles = (["director", "screen", "controller"] * receivers)[:receivers]
    pipes, procs = [], []
    context = multiprocessing.get_context("spawn")
    for w in range(workers):
        parent, child = context.Pipe()
        proc = context.Process(target=receive_in_worker, args=(url, codes, roles[w::workers], child))
        proc.start()
        pipes.append(parent)
        procs.append(proc)
    connected = sum(pipe.recv() for pipe in pipes)
    room = Room(url, codes.get)
    await room.connect(["controller"] * 10, measured=())
    ids = await room.at_rate(per_second * seconds, per_second, room.clients)  # 10 a second each: under the limit
    deliveries, missing = [], 0
    for pipe in pipes:
        pipe.send(ids)
    for pipe in pipes:
        arrivals, lost = await asyncio.get_running_loop().run_in_executor(None, pipe.recv)
        missing += lost
        deliveries += [t - room.sent[i] for i, times in arrivals.items() for t in times]
    for proc in procs:
        proc.join(30)
    acks, _ = room.latencies(ids)
    await room.close()
    return {"deliveries": deliveries, "acks": acks, "missing": missing, "receivers": connected}


def sqlite_commit_rate(directory, seconds=2.0):
    """Return bare insert-and-commit transactions per second with ExCon's durability settings."""
    conn = sqlite3.connect(os.path.join(directory, "bare.db"), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE, body TEXT)")
    body = "x" * 300  # about the size of a stored event
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        conn.execute("INSERT INTO t (id, body) VALUES (?, ?)", (str(uuid.uuid4()), body))
        count += 1
    rate = count / (time.perf_counter() - start)
    conn.close()
    return rate


class EchoServer:
    """bench/echo_server.py as a child process on a free port."""

    def __init__(self, async_mode):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "echo_server.py"), "--port", str(self.port),
                                      "--async-mode", async_mode], cwd=ROOT, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/healthz", timeout=1).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("the echo server did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def measure_week(tmp, events, clients, async_mode):
    """RSS and /api/state on a generated week with `clients` connected."""
    db = os.path.join(tmp, "week.db")
    t = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "run.py"), "demo-data", "--db", db, "--events", str(events)],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    generated = time.perf_counter() - t
    server = Server(db, extra_args=["--async-mode", async_mode]).start()
    try:
        figures = {"generated_s": generated, "db_mb": os.path.getsize(db) / 1e6,
                   "rss_idle": rss_mb(server.proc.pid)}
        times = []
        for _ in range(21):
            t = time.perf_counter()
            server.get("/api/state", role="director").raise_for_status()
            times.append(time.perf_counter() - t)
        figures["state"] = times[1:]
        room = Room(server.url, CODES.get)
        await room.connect(room_roles(clients))
        ids = await room.at_rate(100, 20)
        await room.settle(ids)
        figures["rss_room"] = rss_mb(server.proc.pid)
        figures["room_delivery"] = room.latencies(ids)[1]
        await room.close()
    finally:
        server.stop()
    return figures


def row(name, acks, deliveries):
    return (f"| {name} | {ms(acks, 50)} / {ms(acks, 95)} / {ms(acks, 99)} "
            f"| {ms(deliveries, 50)} / {ms(deliveries, 95)} / {ms(deliveries, 99)} |")


async def main(args):
    cpu_start = resource.getrusage(resource.RUSAGE_SELF)
    wall_start = time.perf_counter()
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        bare = sqlite_commit_rate(tmp)
        out.append(f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, async mode {args.async_mode}")
        out.append(f"Bare SQLite insert+commit (WAL, synchronous=FULL) on this disk: {bare:,.0f} commits/s")
        out.append("")
        out.append("| clients | server | steady 20/s ack ms p50/p95/p99 | steady delivery ms p50/p95/p99 "
                   "| burst 200 in 1 s ack | burst delivery | sustained events/s | its ack p50/p99 | vs echo "
                   "| vs bare SQLite | missing |")
        out.append("|---|---|---|---|---|---|---|---|---|---|---|")
        for n in args.clients:
            results = {}
            for name in ("echo", "excon"):
                if name == "echo":
                    server = EchoServer(args.async_mode)
                    code_for = str
                else:
                    server = Server(os.path.join(tmp, f"room{n}.db"), extra_args=["--async-mode", args.async_mode]).start()
                    code_for = CODES.get
                try:
                    results[name] = await measure_room(server.url, code_for, n, args.seconds)
                    if name == "excon":
                        results[name]["rss"] = rss_mb(server.proc.pid)
                finally:
                    server.stop()
            for name, f in results.items():
                ratio = f["sustained"] / results["echo"]["sustained"]
                missing = f["steady_missing"] + f["burst_missing"] + f["sustained_missing"]
                out.append(f"| {n} | {name} | {' / '.join(ms(f['steady'][0], p) for p in (50, 95, 99))} "
                           f"| {' / '.join(ms(f['steady'][1], p) for p in (50, 95, 99))} "
                           f"| {' / '.join(ms(f['burst'][0], p) for p in (50, 95, 99))} "
                           f"| {' / '.join(ms(f['burst'][1], p) for p in (50, 95, 99))} "
                           f"| {f['sustained']:,.0f} | {ms(f['sustained_lat'][0], 50)} / {ms(f['sustained_lat'][0], 99)} | {ratio:.0%} | {f['sustained'] / bare:.0%} | {missing} |")
                if f["refused"]:
                    out.append(f"  refused: {f['refused']}")
            print("\n".join(out[-2:]), flush=True)
        out.append("")
        fan = {}
        for name in ("echo", "excon"):
            server = EchoServer(args.async_mode) if name == "echo" else \
                Server(os.path.join(tmp, "fanout.db"), extra_args=["--async-mode", args.async_mode]).start()
            try:
                fan[name] = await measure_fanout(server.url, ECHO_CODES if name == "echo" else CODES)
            finally:
                server.stop()
        out.append("")
        for name, f in fan.items():
            out.append(f"Fan-out, {name}: 100 events/s to {f['receivers']} receivers: delivery p50 "
                       f"{ms(f['deliveries'], 50)} ms, p95 {ms(f['deliveries'], 95)} ms, p99 {ms(f['deliveries'], 99)} ms "
                       f"({len(f['deliveries']):,} deliveries, {f['missing']} missing)")
        if args.week:
            week = await measure_week(tmp, args.week, max(args.clients), args.async_mode)
            out.append("")
            out.append(f"Week of {args.week:,} events ({week['db_mb']:.0f} MB, generated in {week['generated_s']:.0f} s): "
                       f"server RSS {week['rss_idle']:.0f} MB after start, {week['rss_room']:.0f} MB with "
                       f"{max(args.clients)} clients connected; /api/state (director) median "
                       f"{ms(week['state'], 50)} ms, p95 {ms(week['state'], 95)} ms; delivery at 20/s on it p99 "
                       f"{ms(week['room_delivery'], 99)} ms")
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    used = cpu.ru_utime + cpu.ru_stime - cpu_start.ru_utime - cpu_start.ru_stime
    out.append(f"Load generator: {used:.0f} s CPU in {time.perf_counter() - wall_start:.0f} s wall "
               f"({used / (time.perf_counter() - wall_start):.0%} of one core)")
    print()
    print("\n".join(line for line in out if line is not None))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="50,200,500", type=lambda s: [int(x) for x in s.split(",")],
                        help="room sizes, comma-separated (default 50,200,500)")
    parser.add_argument("--seconds", type=int, default=10, help="length of the steady 20 events/s phase")
    parser.add_argument("--async-mode", default="eventlet", choices=("eventlet", "gevent", "threading"))
    parser.add_argument("--week", type=int, default=100_000,
                        help="events in the generated week for RSS and /api/state (0: skip)")
    return parser.parse_args(argv)


def run_loop(coroutine):
    """Run on uvloop when it is installed (bench/requirements.txt): less of the machine for the clients."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


if __name__ == "__main__":
    run_loop(main(parse_args()))
