"""Load ExCon with a room of real Socket.IO clients and print one table of figures from one run.

    python3 bench/load.py [--clients 50,200,500] [--seconds 30] [--fanout 25,50,100] [--week 100000]
                          [--async-mode eventlet|gevent|threading]

Everything runs on 127.0.0.1 and stops by itself.  Each measurement starts a fresh run.py
(temporary database) and, for comparison, bench/echo_server.py (the same server stack with an
echo-only submit and no database: the transport's own ceiling), connects python-socketio clients
over websocket, and measures on both:

  room     for each room size: directors and screens (1 % each), controllers (2 %), observers and
           team tablets; 20 events/s from 20 of the observers and tablets for --seconds, then 200
           events in one second, then those 20 sending again as soon as their acks arrive (5 s):
           ack latency and submit -> director/screen delivery latency, p50/p95/p99, and the
           events/s the full room sustains
  write    the write path's ceiling: 40 tablets sending as fast as acks come back, one director
           (median of 3 runs each, alternating): events/s, durable vs echo and vs bare SQLite
  fan-out  10 controllers sending 25, 50 and 100 events/s to 200 staff screens: delivery p50/p95/p99

It also measures a bare SQLite insert-and-commit loop on this disk (the durable-commit ceiling)
and, with --week N (0 to skip), on an N-event generated week: the server's RSS after start and
with the largest room connected, /api/state, delivery at 20/s, and the director's first render in
headless Chromium.  Every process shares this machine's cores with the server: the figures are
for the whole room on one 2-core laptop, not for the server alone.  Clients are spread over four
processes (senders; measured screens; the rest in two), so that one busy event loop does not
delay what another client measures.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import resource
import sqlite3
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
from week import write_week  # noqa: E402

from bench.director_first_render import render_once  # noqa: E402
from tests.conftest import CODES, RedisServer, Server, free_port  # noqa: E402

SCENARIO = json.loads((ROOT / "scenarios.json").read_text(encoding="utf-8"))
TEAMS = [t["id"] for t in SCENARIO["teams"]]
SITES = [s["id"] for s in SCENARIO["sites"]]
ACTION_TYPES = [a["id"] for a in SCENARIO["action_types"]]
OBJECTIVES = [o["id"] for o in SCENARIO["objectives"]]
ECHO_CODES = {role: role for role in CODES}  # the echo server takes the role's name as its code
ONE_HOST = ["--max-per-address", "10000"]  # every client of the benchmark comes from 127.0.0.1
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
    """Connected clients in this process: times every submit and its ack."""

    def __init__(self, url, codes):
        self.url = url
        self.codes = codes
        self.clients = []  # (role, Client)
        self.sent = {}  # event id -> send time (perf_counter: one clock for every process on Linux)
        self.acked = {}  # event id -> ack time
        self.delivered = {}  # event id -> [arrival times], on clients connected with measure=True
        self.retries = 0
        self.refused = []
        self.rng = random.Random(7)

    async def connect(self, roles, measure=False):
        async def one(role):
            client = Client(reconnection=False)
            if measure:
                client.on("event", self._arrived)
            await client.connect(self.url, auth={"code": self.codes[role]}, transports=["websocket"], wait_timeout=20)
            self.clients.append((role, client))

        for start in range(0, len(roles), 50):  # a room fills in waves, not all in the same millisecond
            await asyncio.gather(*(one(r) for r in roles[start:start + 50]))

    def _arrived(self, event):
        self.delivered.setdefault(event["id"], []).append(time.perf_counter())

    async def submit(self, role, client):
        """Submit one new event; resend while the server says retry (as the outbox does); record the times."""
        payload = payload_for(role, self.rng)
        self.sent[payload["id"]] = time.perf_counter()
        while True:
            ack = await client.call("submit", payload, timeout=30)
            if ack.get("ok"):
                self.acked[payload["id"]] = time.perf_counter()
                return
            if not ack.get("retry"):
                self.refused.append(ack.get("error"))
                return
            self.retries += 1
            await asyncio.sleep(RETRY_AFTER)

    async def at_rate(self, count, per_second, senders=None):
        """Submit `count` events at `per_second` from random senders (default: every client here); return their ids."""
        senders = senders or self.clients
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
        """Every sender submits again as soon as its ack arrives; return (acked events per second, ids)."""
        before = set(self.sent)
        stop = time.perf_counter() + seconds

        async def loop(role, client):
            while time.perf_counter() < stop:
                await self.submit(role, client)

        start = time.perf_counter()
        await asyncio.gather(*(loop(r, c) for r, c in senders))
        ids = [i for i in self.sent if i not in before]
        return sum(1 for i in ids if i in self.acked) / (time.perf_counter() - start), ids

    async def settle(self, ids, receivers, timeout):
        """Wait until every id reached `receivers` measured clients (or `timeout`); return missing deliveries."""
        deadline = time.perf_counter() + timeout
        while True:
            missing = sum(max(0, receivers - len(self.delivered.get(i, ()))) for i in ids)
            if missing == 0 or time.perf_counter() > deadline:
                return missing
            await asyncio.sleep(0.05)

    def ack_latencies(self, ids):
        return [self.acked[i] - self.sent[i] for i in ids if i in self.acked]

    async def close(self):
        await asyncio.gather(*(c.disconnect() for _, c in self.clients), return_exceptions=True)


def screens_process(url, codes, roles, pipe):
    """In a worker process: connect `roles` as measured receivers; for each list of ids the parent
    sends, wait for them and send back their arrival times; stop on None."""

    async def work():
        room = Room(url, codes)
        await room.connect(roles, measure=True)
        pipe.send(len(room.clients))
        loop = asyncio.get_running_loop()
        while (ids := await loop.run_in_executor(None, pipe.recv)) is not None:
            missing = await room.settle(ids, len(roles), timeout=30)
            pipe.send(({i: room.delivered.pop(i, []) for i in ids}, missing))
        await room.close()

    run_loop(work())


class Screens:
    """Measured receivers (directors' and screens' machines) in worker processes of their own, so that
    the load of the other clients does not delay what they measure."""

    def __init__(self, url, codes, roles, workers=1):
        context = multiprocessing.get_context("spawn")
        self.pipes, self.procs = [], []
        for w in range(workers):
            parent, child = context.Pipe()
            proc = context.Process(target=screens_process, args=(url, codes, roles[w::workers], child), daemon=True)
            proc.start()
            self.pipes.append(parent)
            self.procs.append(proc)
        self.count = sum(pipe.recv() for pipe in self.pipes)

    async def deliveries(self, sent, ids):
        """Return (submit -> arrival latencies of `ids` at every receiver, deliveries missing)."""
        loop = asyncio.get_running_loop()
        for pipe in self.pipes:
            pipe.send(ids)
        latencies, missing = [], 0
        for pipe in self.pipes:
            arrivals, lost = await loop.run_in_executor(None, pipe.recv)
            missing += lost
            latencies += [t - sent[i] for i, times in arrivals.items() for t in times]
        return latencies, missing

    def close(self):
        for pipe, proc in zip(self.pipes, self.procs, strict=True):
            pipe.send(None)
            proc.join(30)


async def connect_room(url, codes, n, senders=20):
    """Connect an n-client room as separate machines would be: the measured directors and screens in
    one worker process, most clients in two more, and `senders` observers and tablets (spread over
    the roles) here.  Return (senders' Room, Screens, the rest as Screens)."""
    roles = room_roles(n)
    measured = [r for r in roles if r in ("director", "screen")]
    submitters = [i for i, r in enumerate(roles) if r == "observer" or r.startswith("team:")]
    chosen = set(submitters[::max(1, len(submitters) // senders)][:senders])
    screens = Screens(url, codes, measured)
    rest = Screens(url, codes, [r for i, r in enumerate(roles) if r not in measured and i not in chosen], workers=2)
    room = Room(url, codes)
    await room.connect([roles[i] for i in sorted(chosen)])
    return room, screens, rest


async def measure_room(url, codes, n, seconds):
    """Measure one room of n clients on one server; return a dict of figures."""
    room, screens, rest = await connect_room(url, codes, n)
    figures = {"missing": 0}

    async def phase(name, ids):
        deliveries, missing = await screens.deliveries(room.sent, ids)
        figures[name] = (room.ack_latencies(ids), deliveries)
        figures["missing"] += missing
        await asyncio.sleep(0.5)

    await phase("steady", await room.at_rate(20 * seconds, 20))
    await phase("burst", await room.at_rate(200, 200))
    figures["sustained"], ids = await room.closed_loop(5, room.clients)
    await phase("sustained_lat", ids)
    figures["refused"] = room.refused[:3]
    await room.close()
    screens.close()
    rest.close()
    return figures


async def measure_write_path(url, codes, tablets=40, seconds=5):
    """The write path's ceiling: `tablets` team tablets (spread over the teams) and one director, every
    tablet sending again as soon as its ack arrives; return events/s and the latencies."""
    screens = Screens(url, codes, ["director"])
    room = Room(url, codes)
    await room.connect([f"team:{TEAMS[i % len(TEAMS)]}" for i in range(tablets)])
    rate, ids = await room.closed_loop(seconds, room.clients)
    deliveries, missing = await screens.deliveries(room.sent, ids)
    await room.close()
    screens.close()
    return {"rate": rate, "acks": room.ack_latencies(ids), "deliveries": deliveries, "missing": missing}


async def measure_fanout(url, codes, per_second, receivers=200, seconds=5):
    """`per_second` events from 10 controllers to `receivers` staff screens (2 worker processes)."""
    roles = (["director", "screen", "controller"] * receivers)[:receivers]
    screens = Screens(url, codes, roles, workers=2)
    room = Room(url, codes)
    await room.connect(["controller"] * 10)
    ids = await room.at_rate(per_second * seconds, per_second, room.clients)  # at most 10 a second each
    deliveries, missing = await screens.deliveries(room.sent, ids)
    await room.close()
    screens.close()
    return {"deliveries": deliveries, "acks": room.ack_latencies(ids), "missing": missing, "receivers": screens.count}


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


async def measure_relay(tmp, seconds, async_mode):
    """Two processes through a real redis-server: 40 tablets on the relay, screens on both processes."""
    queue = RedisServer(tmp)
    db = os.path.join(tmp, "relay.db")
    writer = Server(db, extra_args=["--message-queue", queue.url, "--async-mode", async_mode, *ONE_HOST]).start()
    relay = Server(db, extra_args=["--message-queue", queue.url, "--relay", "--async-mode", async_mode,
                                   *ONE_HOST]).start()
    try:
        on_writer = Screens(writer.url, CODES, ["director", "screen"])
        on_relay = Screens(relay.url, CODES, ["director", "screen"])
        room = Room(relay.url, CODES)
        await room.connect([f"team:{TEAMS[i % len(TEAMS)]}" for i in range(40)])
        ids = await room.at_rate(20 * seconds, 20)
        figures = {"acks": room.ack_latencies(ids)}
        figures["writer"], missing_writer = await on_writer.deliveries(room.sent, ids)
        figures["relay"], missing_relay = await on_relay.deliveries(room.sent, ids)
        figures["rate"], ids = await room.closed_loop(5, room.clients)
        figures["saturated_acks"] = room.ack_latencies(ids)
        _, more_writer = await on_writer.deliveries(room.sent, ids)
        _, more_relay = await on_relay.deliveries(room.sent, ids)
        figures["missing"] = missing_writer + missing_relay + more_writer + more_relay
        figures["refused"] = room.refused[:3]
        await room.close()
        on_writer.close()
        on_relay.close()
    finally:
        relay.stop()
        writer.stop()
        queue.stop()
    return figures


async def measure_week(tmp, events, clients, async_mode):
    """RSS, /api/state and the director's first render on a generated week; RSS again with `clients` connected."""
    db, seconds = write_week(tmp, events)
    figures = {"generated_s": seconds, "db_mb": os.path.getsize(db) / 1e6}
    server = Server(db, extra_args=["--async-mode", async_mode, *ONE_HOST]).start()
    try:
        figures["rss_idle"] = rss_mb(server.proc.pid)
        times = []
        for _ in range(21):
            t = time.perf_counter()
            server.get("/api/state", role="director").raise_for_status()
            times.append(time.perf_counter() - t)
        figures["state"] = times[1:]
        loop = asyncio.get_running_loop()
        renders = [await loop.run_in_executor(None, render_once, server.url, CODES["director"]) for _ in range(3)]
        figures["render_cold"] = [r["navigation_to_ready_ms"] / 1000 for r in renders]
        figures["render_warm"] = [r["warm_ready_ms"] / 1000 for r in renders]
        room, screens, rest = await connect_room(server.url, CODES, clients)
        ids = await room.at_rate(200, 20)
        figures["room_delivery"], _ = await screens.deliveries(room.sent, ids)
        figures["rss_room"] = rss_mb(server.proc.pid)
        await room.close()
        screens.close()
        rest.close()
    finally:
        server.stop()
    return figures


def triple(values):
    return " / ".join(ms(values, p) for p in (50, 95, 99))


async def main(args):
    cpu_start = resource.getrusage(resource.RUSAGE_SELF)
    wall_start = time.perf_counter()
    out = []

    def server_for(name, db):
        if name == "echo":
            return EchoServer(args.async_mode), ECHO_CODES
        return Server(db, extra_args=["--async-mode", args.async_mode, *ONE_HOST]).start(), CODES

    with tempfile.TemporaryDirectory() as tmp:
        bare = sqlite_commit_rate(tmp)
        out.append(f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, async mode {args.async_mode}")
        out.append(f"Bare SQLite insert+commit (WAL, synchronous=FULL) on this disk: {bare:,.0f} commits/s")
        out.append("")
        out.append("| clients | server | steady 20/s: ack ms p50/p95/p99 | steady: delivery to screens | "
                   "burst 200 in 1 s: ack | burst: delivery | full room sustained events/s | vs echo | missing |")
        out.append("|---|---|---|---|---|---|---|---|---|")
        for n in args.clients:
            results = {}
            for name in ("echo", "excon"):
                server, codes = server_for(name, os.path.join(tmp, f"room{n}.db"))
                try:
                    results[name] = await measure_room(server.url, codes, n, args.seconds)
                finally:
                    server.stop()
            for name, f in results.items():
                out.append(f"| {n} | {name} | {triple(f['steady'][0])} | {triple(f['steady'][1])} "
                           f"| {triple(f['burst'][0])} | {triple(f['burst'][1])} | {f['sustained']:,.0f} "
                           f"| {f['sustained'] / results['echo']['sustained']:.0%} | {f['missing']} |")
                if f["refused"]:
                    out.append(f"  refused: {f['refused']}")
            print("\n".join(out[-2:]), flush=True)
        write, fan = {"echo": [], "excon": []}, {}
        for _ in range(3):  # alternate: the two share the machine with the clients, so take medians
            for name in ("echo", "excon"):
                server, codes = server_for(name, os.path.join(tmp, f"write{len(write[name])}.db"))
                try:
                    write[name].append(await measure_write_path(server.url, codes))
                finally:
                    server.stop()
        write = {name: sorted(runs, key=lambda f: f["rate"])[1] for name, runs in write.items()}
        for name in ("echo", "excon"):
            for rate in args.fanout:
                server, codes = server_for(name, os.path.join(tmp, f"fanout{rate}.db"))
                try:
                    fan[name, rate] = await measure_fanout(server.url, codes, rate)
                finally:
                    server.stop()
        out.append("")
        for name, f in write.items():
            out.append(f"Write path, {name} (median of 3): 40 team tablets sending as fast as acks come back, 1 director: "
                       f"{f['rate']:,.0f} events/s, ack p50 {ms(f['acks'], 50)} ms, p99 {ms(f['acks'], 99)} ms, "
                       f"director delivery p99 {ms(f['deliveries'], 99)} ms ({f['missing']} missing)")
        out.append(f"Durable (ExCon) vs echo-only ceiling: {write['excon']['rate'] / write['echo']['rate']:.0%}; "
                   f"vs bare SQLite commits: {write['excon']['rate'] / bare:.0%} (group commit: many events per commit)")
        for (name, rate), f in fan.items():
            out.append(f"Fan-out, {name}: {rate} events/s to {f['receivers']} receivers: delivery p50 "
                       f"{ms(f['deliveries'], 50)} ms, p95 {ms(f['deliveries'], 95)} ms, p99 {ms(f['deliveries'], 99)} "
                       f"ms ({len(f['deliveries']):,} deliveries, {f['missing']} missing)")
        relay = await measure_relay(tmp, args.seconds, args.async_mode)
        out.append(f"Two processes through Redis (writer + relay on one database; 40 tablets on the relay, "
                   f"20 events/s): ack p50/p95/p99 {triple(relay['acks'])} ms; delivery to screens on the writer "
                   f"{triple(relay['writer'])} ms, on the relay {triple(relay['relay'])} ms; tablets on the relay "
                   f"sending as fast as acks come back: {relay['rate']:,.0f} events/s, ack p50/p99 "
                   f"{ms(relay['saturated_acks'], 50)} / {ms(relay['saturated_acks'], 99)} ms; "
                   f"{relay['missing']} missing" + (f"; refused: {relay['refused']}" if relay["refused"] else ""))
        if args.week:
            week = await measure_week(tmp, args.week, max(args.clients), args.async_mode)
            out.append("")
            out.append(f"Week of {args.week:,} events ({week['db_mb']:.0f} MB, generated in {week['generated_s']:.0f} s): "
                       f"server RSS {week['rss_idle']:.0f} MB after start, {week['rss_room']:.0f} MB with "
                       f"{max(args.clients)} clients connected; /api/state (director) median "
                       f"{ms(week['state'], 50)} ms, p95 {ms(week['state'], 95)} ms; delivery to screens at 20/s "
                       f"p50/p95/p99 {triple(week['room_delivery'])} ms; director first render (Chromium, 1920x1080) "
                       f"median {ms(week['render_cold'], 50)} ms cold, {ms(week['render_warm'], 50)} ms warm")
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    used = cpu.ru_utime + cpu.ru_stime - cpu_start.ru_utime - cpu_start.ru_stime
    out.append(f"Load generator (main process): {used:.0f} s CPU in {time.perf_counter() - wall_start:.0f} s wall")
    print()
    print("\n".join(out))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="50,200,500", type=lambda s: [int(x) for x in s.split(",")],
                        help="room sizes, comma-separated (default 50,200,500)")
    parser.add_argument("--seconds", type=int, default=30, help="length of the steady 20 events/s phase (default 30)")
    parser.add_argument("--fanout", default="25,50,100", type=lambda s: [int(x) for x in s.split(",")],
                        help="fan-out rates in events/s to 200 receivers (default 25,50,100)")
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
