"""Serve the app with eventlet, guarded against what one careless or hostile device can do.

The one module that speaks to eventlet itself (run.py monkey-patches before anything is imported):

* the listening socket without SO_REUSEPORT, so a second server on the port fails instead of
  silently sharing it, and without Nagle's delay (an event and its ack leave at once);
* the open-file limit raised as far as the system allows; when it is reached anyway (EMFILE),
  new connections are accepted and closed at once while the open ones go on being served;
* at most MAX_PER_ADDRESS connections from one address (a phone needs a few);
* idle keep-alive connections closed after IDLE_TIMEOUT, a request line and headers that take
  longer than HEADER_DEADLINE dropped, any socket operation stalled for SOCKET_TIMEOUT dropped
  (a WebSocket hears Engine.IO's ping every 25 s, so a live one never stalls that long);
* WebSocket frames unmasked with integer arithmetic: eventlet unmasks byte by byte in Python,
  about 0.1 s for a 250 kB frame, during which no other client is served;
* a turn for every other client after each WebSocket frame read (a connection whose frames keep
  arriving never has to wait for the network, so it would otherwise never let go), a budget of
  frames and bytes per second per WebSocket (a phone sends a few messages a second; a flood is
  closed), and a message in fragments held to the size of one frame.
"""

import errno
import logging
import resource
import socket
import time
from collections import Counter

import eventlet
import eventlet.green.socket
import eventlet.websocket
import eventlet.wsgi

MAX_PER_ADDRESS = 100
# What one WebSocket may send: well above what a phone sends (the application answers more than 30
# submits a second with "retry"; a phone catching up after an hour offline sends one entry per ack),
# far below a flood.  One message is at most 256 kB.
FRAMES_PER_SECOND, FRAME_BURST = 100, 300
BYTES_PER_SECOND, BYTE_BURST = 1024 * 1024, 4 * 1024 * 1024
IDLE_TIMEOUT = 30
HEADER_DEADLINE = 30
SOCKET_TIMEOUT = 60
POOL_SIZE = 1024

logger = logging.getLogger("excon")


def raise_open_file_limit() -> int:
    """Raise the soft limit on open files to the hard one; return the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):
            pass
    return soft


def fast_mask(data, mask, length=None, offset=0):
    """Unmask (or mask) WebSocket payload bytes: XOR with the 4-byte key, as one big integer."""
    if length is None:
        length = len(data)
    if not length:
        return b""
    key = bytes(mask[(offset + i) % 4] for i in range(4))
    repeated = (key * (length // 4 + 1))[:length]
    value = int.from_bytes(bytes(data[:length]), "little") ^ int.from_bytes(repeated, "little")
    return value.to_bytes(length, "little")


class Budget:
    """A token bucket: spend() is False once more is spent than the rate and burst allow."""

    def __init__(self, rate, burst):
        self.rate, self.burst, self.tokens, self.at = rate, burst, float(burst), time.monotonic()

    def spend(self, amount) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate) - amount
        self.at = now
        return self.tokens >= 0


def guard_websockets():
    """Unmask fast, take turns, keep a budget, bound fragmented messages (eventlet's WebSocket)."""
    socket_class = eventlet.websocket.RFC6455WebSocket
    socket_class._apply_mask = staticmethod(fast_mask)
    read_frame, push = socket_class._recv_frame, socket_class.Message.push

    def paced_read_frame(self, message=None):
        before = sum(map(len, message.data)) if message is not None else 0
        message = read_frame(self, message)
        budgets = self.__dict__.setdefault("excon_budgets", (Budget(FRAMES_PER_SECOND, FRAME_BURST),
                                                             Budget(BYTES_PER_SECOND, BYTE_BURST)))
        if not budgets[0].spend(1) or not budgets[1].spend(sum(map(len, message.data)) - before):
            raise eventlet.websocket.FailedConnectionError(1008, "too many messages: slow down")
        eventlet.sleep(0)
        return message

    def bounded_push(self, data, final=False):
        self.excon_size = getattr(self, "excon_size", 0) + len(data)
        if self.excon_size > self.max_frame_length:
            raise eventlet.websocket.FailedConnectionError(1009, "message too large")
        return push(self, data, final)

    socket_class._recv_frame = paced_read_frame
    socket_class.Message.push = bounded_push


class GuardedListener:
    """The listening socket, whose accept survives running out of file descriptors."""

    def __init__(self, sock):
        self.sock = sock
        self.reserve = open("/dev/null", "rb")  # noqa: SIM115 (one descriptor kept back to accept-and-close with)
        self.refusing = False

    def accept(self):
        while True:
            try:
                connection = self.sock.accept()
            except OSError as e:  # an ssl.SSLError too
                if e.errno in (errno.EMFILE, errno.ENFILE):
                    self._refuse_one()
                    continue
                if e.errno in (errno.EBADF, errno.EINVAL):  # the listening socket itself is closed: stop
                    raise
                # One client's trouble (reset before it was accepted, garbage instead of a TLS hello):
                # eventlet's loop would stop serving everyone on some of these.
                logger.debug("accept: %s", e)
                continue
            if self.refusing:
                self.refusing = False
                logger.warning("open files: new connections are accepted again")
            return connection

    def _refuse_one(self):
        """Out of descriptors: accept one waiting connection with the reserve and close it at once,
        rather than let the accept loop die or spin."""
        if not self.refusing:
            self.refusing = True
            logger.error("out of open files: new connections are refused until some close")
        self.reserve.close()
        try:
            connection, _ = self.sock.accept()
            connection.close()
        except OSError:
            eventlet.sleep(0.05)
        while True:  # take the reserve back before anything else takes the descriptor
            try:
                self.reserve = open("/dev/null", "rb")  # noqa: SIM115 (kept back, as above)
                return
            except OSError:
                eventlet.sleep(0.05)

    def __getattr__(self, name):
        return getattr(self.sock, name)


class PerAddressPool(eventlet.GreenPool):
    """A green thread per connection, at most `per_address` of them for one client address (a reverse
    proxy's own address is exempt: every client comes through it, and it limits them itself)."""

    def __init__(self, size, per_address, exempt=()):
        super().__init__(size)
        self.per_address = per_address
        self.exempt = set(exempt)
        self.open = Counter()

    def spawn(self, function, connection, *args, **kwargs):
        address = connection[0][0] if isinstance(connection[0], tuple) else connection[0]
        if self.open[address] >= self.per_address and address not in self.exempt:
            function = _close_at_once
        self.open[address] += 1
        thread = super().spawn(function, connection, *args, **kwargs)
        thread.link(self._release, address)
        return thread

    def _release(self, thread, address):
        self.open[address] -= 1
        if self.open[address] <= 0:
            del self.open[address]


def _close_at_once(connection):
    connection[1].close()


class DeadlineProtocol(eventlet.wsgi.HttpProtocol):
    """An HTTP connection whose request line and headers must arrive within HEADER_DEADLINE: a client
    that sends them a byte at a time no longer holds its green thread for ever."""

    def handle_one_request(self):
        self._deadline = eventlet.Timeout(HEADER_DEADLINE, TimeoutError("request line and headers too slow"))
        try:
            return super().handle_one_request()
        finally:
            self._deadline.cancel()

    def parse_request(self):
        try:
            return super().parse_request()
        finally:
            self._deadline.cancel()  # the headers are in: the request itself may take its time


def listen(host: str, port: int):
    """Return a listening socket on host:port: no SO_REUSEPORT, no Nagle."""
    address = eventlet.green.socket.getaddrinfo(host, port)[0]
    sock = eventlet.listen(address[4], address[0], reuse_port=False)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # accepted sockets inherit it on Linux
    return sock


def serve(app, sock, certfile=None, keyfile=None, per_address=MAX_PER_ADDRESS, proxy=None):
    """Serve `app` on the listening socket `sock` until the process stops; `proxy`: the address of a
    reverse proxy in front, exempt from the per-address limit."""
    guard_websockets()
    if certfile:
        sock = eventlet.wrap_ssl(sock, certfile=certfile, keyfile=keyfile, server_side=True)
    eventlet.wsgi.server(GuardedListener(sock), app, log_output=False, protocol=DeadlineProtocol,
                         custom_pool=PerAddressPool(POOL_SIZE, per_address, [proxy] if proxy else ()),
                         keepalive=IDLE_TIMEOUT,
                         socket_timeout=SOCKET_TIMEOUT)
