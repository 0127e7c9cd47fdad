"""Connections a careless or hostile device opens: idle sockets up to the open-file limit, too many
from one address, headers sent a byte at a time, large WebSocket frames before any code."""

import json
import multiprocessing
import resource
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import requests

from .conftest import ROOT, Server, free_port, new_id


def note(text):
    return {"id": new_id(), "kind": "note", "text": text}


def closed_by_server(sock, within=5.0) -> bool:
    """Tell whether the server closes `sock` (without us sending anything more) within `within` s."""
    sock.settimeout(within)
    try:
        return sock.recv(1024) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def answers_again(url, within=15) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).ok:
                return True
        except requests.ConnectionError:
            time.sleep(0.2)
    return False


def low_open_file_limit():
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))  # and no higher hard limit to raise it to


def test_idle_connections_beyond_the_open_file_limit_do_not_stop_the_server(tmp_path):
    server = Server(tmp_path / "exercise.db", preexec_fn=low_open_file_limit).start()
    try:
        director = server.connect("director")
        idle = []
        for _ in range(300):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            idle.append(sock)
        time.sleep(1)
        assert server.proc.poll() is None  # alive: eventlet's accept loop used to die on EMFILE
        ack = director.submit(note("still served while the descriptors are used up"))
        assert ack["ok"]
        director.wait_for(lambda e: e.get("text") == "still served while the descriptors are used up")
        for sock in idle:
            sock.close()
        assert answers_again(server.url + "/healthz")  # new clients are served again, once the backlog drained
        assert server.connect("observer").submit(note("a new phone"))["ok"]
        assert "out of open files" in server.log_text()
    finally:
        server.stop()


def test_one_address_holds_at_most_its_share_of_connections(tmp_path):
    server = Server(tmp_path / "exercise.db", extra_args=["--max-per-address", "5"]).start()
    try:
        held = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(5)]
        time.sleep(0.3)
        sixth = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        assert closed_by_server(sixth)
        held.pop().close()
        time.sleep(0.3)
        assert requests.get(server.url + "/healthz", timeout=10).ok
        for sock in held:
            sock.close()
    finally:
        server.stop()


def test_the_proxy_in_front_is_not_held_to_one_address_share(tmp_path):
    """Behind nginx every client comes from the proxy's address: nginx limits them (limit_conn)."""
    server = Server(tmp_path / "exercise.db",
                    extra_args=["--max-per-address", "3", "--behind-proxy", "--proxy-address", "127.0.0.1"]).start()
    try:
        held = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(6)]
        time.sleep(0.3)
        assert not any(closed_by_server(sock, within=0.3) for sock in held)
        assert requests.get(server.url + "/healthz", timeout=10).ok
        for sock in held:
            sock.close()
    finally:
        server.stop()


PROBE = textwrap.dedent("""
    import sys
    import eventlet
    eventlet.monkey_patch()
    from control.web import serving
    serving.HEADER_DEADLINE = serving.IDLE_TIMEOUT = 1
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]
    serving.serve(app, serving.listen("127.0.0.1", int(sys.argv[1])))
""")


@pytest.fixture
def probe():
    """control/serving.py around a tiny app, with deadlines of one second."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", PROBE, str(port)], cwd=ROOT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    yield port
    proc.kill()
    proc.wait(10)


def test_headers_sent_a_byte_at_a_time_are_cut_off(probe):
    sock = socket.create_connection(("127.0.0.1", probe), timeout=5)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
    cut = False
    for byte in b"X-Slow: " + b"a" * 40:  # about 6 s of drip: each byte well within the socket timeout
        try:
            sock.sendall(bytes([byte]))
        except OSError:
            cut = True
            break
        if closed_by_server(sock, within=0.15):
            cut = True
            break
    assert cut


def test_an_idle_keep_alive_connection_is_closed(probe):
    sock = socket.create_connection(("127.0.0.1", probe), timeout=5)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert sock.recv(1024).startswith(b"HTTP/1.1 200")
    assert closed_by_server(sock, within=5)


def raw_websocket(port):
    """Open a WebSocket to Engine.IO by hand, to send frames as fast as the kernel takes them."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(b"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                 b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                 b"Sec-WebSocket-Version: 13\r\n\r\n")
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 101"), answer[:100]
    return sock


def frame(payload: bytes, opcode=1, final=True) -> bytes:
    """A client frame, masked with the key 0 (allowed, and no work to make)."""
    head = bytes([(0x80 if final else 0) | opcode])
    n = len(payload)
    size = bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + n.to_bytes(2, "big") if n < 65536 \
        else bytes([0x80 | 127]) + n.to_bytes(8, "big")
    return head + size + b"\0\0\0\0" + payload


FLOODS = {  # what is sent first, then what is sent again and again
    "250 kB messages": (b"", frame(b"4" + json.dumps(["submit", "x" * 250_000]).encode())),
    "pongs": (b"", frame(b"3") * 200),
    "one message in endless fragments": (frame(b"4", final=False), frame(b"x" * 65_536, opcode=0, final=False)),
}


def rss_mb(pid) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def flood_from(port, flood, stop, sent):
    """An attacker (its own process, as it would be its own machine): WebSockets opened again and again."""
    while not stop.is_set():
        try:
            sock = raw_websocket(port)
            first, again = FLOODS[flood]
            sock.sendall(first)
            while not stop.is_set():
                sock.sendall(again)
                with sent.get_lock():
                    sent.value += len(again)
        except OSError:  # dropped by the server: open another
            continue


@pytest.mark.parametrize("flood", sorted(FLOODS))
def test_a_websocket_flood_without_a_code_does_not_hold_up_the_room(server, flood):
    """Clients that open WebSockets and send frames back to back, never connecting with a code."""
    director, controller = server.connect("director"), server.connect("controller")
    stop, sent = multiprocessing.Event(), multiprocessing.Value("q", 0)
    attackers = [multiprocessing.Process(target=flood_from, args=(server.port, flood, stop, sent), daemon=True)
                 for _ in range(2)]
    for a in attackers:
        a.start()
    time.sleep(0.5)
    delays, peak = [], 0.0
    try:
        for i in range(20):
            text = f"delivered while flooded {i}"
            started = time.monotonic()
            assert controller.submit(note(text))["ok"]
            director.wait_for(lambda e, t=text: e.get("text") == t, timeout=15)
            delays.append(time.monotonic() - started)
            peak = max(peak, rss_mb(server.proc.pid))
            time.sleep(0.05)
    finally:
        stop.set()
        for a in attackers:
            a.join(10)
    print(f"WebSocket flood of {flood} from 2 clients without a code: {sent.value / 1e6:.0f} MB sent; "
          f"20 events to the director meanwhile, slowest {max(delays) * 1000:.0f} ms; server at most {peak:.0f} MB")
    assert sent.value > 5_000_000  # the flood did run
    assert max(delays) < 1.0, delays
    assert peak < 400
