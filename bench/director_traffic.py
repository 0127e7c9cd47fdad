"""Measure what one director's screen receives, and what the server spends, in a room at 20 events/s.

    python3 bench/director_traffic.py [--seconds 30] [--clients 200] [--rate 20] [--runs 3] [--idle 5]
                                      [--root PATH]

Everything runs on 127.0.0.1 and stops by itself; it prints one small table and asserts nothing.

  room   a fresh run.py (temporary database) with a room of --clients Socket.IO clients (the role mix
         of bench/load.py's room_roles, connected as load.py connects them) plus one separately
         measured director client in a process of its own; --rate events/s from 20 of the observers
         and team tablets for --seconds (after --idle seconds of the room connected and silent):
           * bytes per second received by that director, counted at the transport: every WebSocket
             frame it receives (header and payload), whatever it carries — Socket.IO events of any
             name, acks, Engine.IO pings — with a breakdown by message name (count and bytes);
           * the server's CPU (utime + stime of the run.py process, /proc/<pid>/stat) over the
             phase: ms per stored event, and its share of one core.
  write  the write path's ceiling as bench/load.py measures it (40 tablets sending as soon as their
         acks come back, one director), --runs runs, each on a fresh run.py: the median events/s.

--root PATH starts PATH/run.py (another checkout, e.g. the version before a change); the clients,
helpers and payloads always come from this script's own repository.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import tests.conftest as conftest  # noqa: E402
from bench.load import ONE_HOST, Client, connect_room, measure_write_path, room_roles, run_loop  # noqa: E402
from tests.conftest import CODES, Server  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
ENGINEIO_TYPES = {"0": "open", "1": "close", "2": "ping", "3": "pong", "4": "message", "5": "upgrade", "6": "noop"}
SOCKETIO_TYPES = {"0": "connect", "1": "disconnect", "2": "event", "3": "ack", "4": "connect_error",
                  "5": "binary event", "6": "binary ack"}


class RootServer(Server):
    """tests.conftest's Server, but starting `root`/run.py (with `root` as its working directory)."""

    def __init__(self, root, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.root = Path(root)

    def start(self):
        saved, conftest.ROOT = conftest.ROOT, self.root  # Server.start reads the module's ROOT
        try:
            return super().start()
        finally:
            conftest.ROOT = saved


def server_cpu_seconds(pid):
    """utime + stime of a process (all its threads), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # fields 14 and 15 of stat(5)


def frame_bytes(data):
    """The size of a server-to-client WebSocket frame (unmasked) carrying `data`."""
    size = len(data.encode("utf-8")) if isinstance(data, str) else len(data)
    return size + (2 if size < 126 else 4 if size < 65536 else 10)


def message_name(data):
    """What one Engine.IO packet (one WebSocket frame) carries: the Socket.IO event's name, or its type."""
    if isinstance(data, bytes):
        return "(binary attachment)"
    kind = ENGINEIO_TYPES.get(data[:1], "?")
    if kind != "message":
        return f"(engine.io {kind})"
    body = data[1:]
    sio = SOCKETIO_TYPES.get(body[:1], "?")
    if sio != "event":
        return f"(socket.io {sio})"
    start = body.find("[")
    try:
        return str(json.loads(body[start:])[0]) if start >= 0 else "(socket.io event)"
    except (ValueError, IndexError, TypeError):
        return "(socket.io event, unreadable)"


def director_process(url, code, pipe):
    """In a worker process: connect one director and count every WebSocket frame it receives, by message
    name; at each "mark" from the parent send back (time, {name: [count, bytes]}) so far; stop on None."""
    import aiohttp

    counts = defaultdict(lambda: [0, 0])
    receive = aiohttp.ClientWebSocketResponse.receive

    async def counted(self, *args, **kwargs):
        message = await receive(self, *args, **kwargs)
        if isinstance(message.data, (str, bytes)):
            entry = counts[message_name(message.data)]
            entry[0] += 1
            entry[1] += frame_bytes(message.data)
        return message

    aiohttp.ClientWebSocketResponse.receive = counted  # this process holds only the measured director

    async def work():
        client = Client(reconnection=False)
        await client.connect(url, auth={"code": code}, transports=["websocket"], wait_timeout=20)
        loop = asyncio.get_running_loop()
        while await loop.run_in_executor(None, pipe.recv) is not None:
            pipe.send((time.perf_counter(), {name: list(v) for name, v in counts.items()}))
        await client.disconnect()

    run_loop(work())


class Director:
    """The measured director, in a process of its own (as a separate machine would be)."""

    def __init__(self, url, code):
        self.pipe, child = multiprocessing.get_context("spawn").Pipe()
        self.proc = multiprocessing.get_context("spawn").Process(target=director_process, args=(url, code, child),
                                                                 daemon=True)
        self.proc.start()

    async def mark(self):
        """Return (the director's clock, {name: [count, bytes]} received since it connected)."""
        loop = asyncio.get_running_loop()
        self.pipe.send("mark")
        return await loop.run_in_executor(None, self.pipe.recv)

    def close(self):
        self.pipe.send(None)
        self.proc.join(30)


def window(first, second):
    """Seconds between two marks, and what arrived between them by name."""
    (t0, c0), (t1, c1) = first, second
    diff = {name: [v[0] - c0.get(name, [0, 0])[0], v[1] - c0.get(name, [0, 0])[1]] for name, v in c1.items()}
    return t1 - t0, {name: v for name, v in diff.items() if v[0]}


async def measure_room(root, tmp, n, seconds, rate, idle):
    server = RootServer(root, os.path.join(tmp, "room.db"), extra_args=ONE_HOST).start()
    try:
        figures = {"cmdline": Path(f"/proc/{server.proc.pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()}
        director = Director(server.url, CODES["director"])
        room, screens, rest = await connect_room(server.url, CODES, n)
        await asyncio.sleep(1)  # the room's connects are over
        marks = [await director.mark()]
        cpu_idle, wall_idle = server_cpu_seconds(server.proc.pid), time.perf_counter()
        if idle:
            await asyncio.sleep(idle)
        marks.append(await director.mark())
        cpu_start, wall_start = server_cpu_seconds(server.proc.pid), time.perf_counter()
        ids = await room.at_rate(rate * seconds, rate)
        cpu_end, wall_end = server_cpu_seconds(server.proc.pid), time.perf_counter()
        marks.append(await director.mark())
        figures["connect"] = marks[0][1]
        figures["idle"] = (cpu_start - cpu_idle, wall_start - wall_idle, *window(marks[0], marks[1]))
        figures["phase"] = (cpu_end - cpu_start, wall_end - wall_start, *window(marks[1], marks[2]))
        figures["stored"] = sum(1 for i in ids if i in room.acked)
        figures["sent"] = len(ids)
        figures["retries"], figures["refused"] = room.retries, room.refused
        figures["room"] = len(room.clients) + screens.count + rest.count
        await room.close()
        screens.close()
        rest.close()
        director.close()
    finally:
        server.stop()
    return figures


async def measure_writes(root, tmp, runs):
    rates = []
    for run in range(runs):
        server = RootServer(root, os.path.join(tmp, f"write{run}.db"), extra_args=ONE_HOST).start()
        try:
            rates.append((await measure_write_path(server.url, CODES))["rate"])
        finally:
            server.stop()
    return rates


def describe(root):
    """The commit of a checkout, and whether its work tree differs from it."""
    def git(*args):
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("log", "-1", "--format=%h %s")
    if commit is None:
        return "not a git checkout"
    changed = git("status", "--porcelain", "--untracked-files=no")
    return commit + (f" + uncommitted changes in {len(changed.splitlines())} files" if changed else " (clean)")


async def main(args):
    root = Path(args.root).resolve()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        room = await measure_room(root, tmp, args.clients, args.seconds, args.rate, args.idle)
        writes = await measure_writes(root, tmp, args.runs)

    mix = defaultdict(int)
    for role in room_roles(args.clients):
        mix[role.split(":")[0]] += 1
    cpu, wall, director_s, by_name = room["phase"]
    stored = room["stored"]
    total_count = sum(v[0] for v in by_name.values())
    total_bytes = sum(v[1] for v in by_name.values())
    idle_cpu, idle_wall, idle_director_s, idle_by_name = room["idle"]
    idle_bytes = sum(v[1] for v in idle_by_name.values())
    out = [
        f"Server: {room['cmdline']}",
        f"Commit: {describe(root)}",
        f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, load average before the run "
        f"{load_before[0]:.2f}",
        f"Room: {room['room']} clients connected ({', '.join(f'{k} {v}' for k, v in mix.items())}) "
        f"+ 1 measured director; {args.rate} events/s from 20 observers and tablets for {args.seconds} s",
        "",
        "| figure | value |",
        "|---|---|",
        f"| events stored in the phase | {stored} of {room['sent']} sent in {wall:.1f} s ({stored / wall:.1f}/s); "
        f"{room['retries']} retries, {len(room['refused'])} refused |",
        f"| director: bytes received (every WebSocket frame) | **{total_bytes / director_s:,.0f} B/s** "
        f"({total_count / director_s:.1f} frames/s; {total_bytes / max(stored, 1):,.0f} B per stored event) |",
        f"| server CPU per stored event | **{cpu * 1000 / max(stored, 1):.2f} ms** ({cpu:.2f} s CPU in {wall:.1f} s) |",
        f"| server CPU share | **{cpu / wall:.1%} of one core** |",
    ]
    if args.idle:
        out.append(f"| the same room idle for {idle_wall:.0f} s before | server {idle_cpu / idle_wall:.1%} of one core; "
                   f"director {idle_bytes / idle_director_s:,.0f} B/s |")
    out.append(f"| write path: 40 tablets as fast as acks come back, 1 director (median of {len(writes)}) | "
               f"**{statistics.median(writes):,.0f} events/s** (runs: {', '.join(f'{r:,.0f}' for r in writes)}) |")
    out += ["", f"Director, by message, during the {args.rate} events/s phase ({director_s:.1f} s):", "",
            "| message | count | bytes | bytes/s | share of bytes |", "|---|---|---|---|---|"]
    for name, (count, size) in sorted(by_name.items(), key=lambda item: -item[1][1]):
        out.append(f"| {name} | {count:,} | {size:,} | {size / director_s:,.0f} | {size / max(total_bytes, 1):.1%} |")
    out.append(f"| total | {total_count:,} | {total_bytes:,} | {total_bytes / director_s:,.0f} | 100% |")
    connect = room["connect"]
    out.append("")
    out.append("At connect (before the phase): " + ", ".join(
        f"{name} {count} ({size:,} B)" for name, (count, size) in connect.items()))
    if room["refused"]:
        out.append(f"Refused: {room['refused'][:3]}")
    print("\n".join(out))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30, help="length of the steady phase (default 30)")
    parser.add_argument("--clients", type=int, default=200, help="room size, besides the measured director (default 200)")
    parser.add_argument("--rate", type=int, default=20, help="events per second in the steady phase (default 20)")
    parser.add_argument("--runs", type=int, default=3, help="write-path runs, the median is printed (default 3)")
    parser.add_argument("--idle", type=float, default=5,
                        help="seconds of the connected room sending nothing, before the phase (default 5; 0: skip)")
    parser.add_argument("--root", default=str(ROOT),
                        help="the checkout whose run.py is started (default: this script's own repository)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    run_loop(main(parse_args()))
