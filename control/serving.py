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
  about 0.1 s for a 250 kB frame, during which no other client is served.
"""

import errno
import logging
import resource
import socket
from collections import Counter

import eventlet
import eventlet.green.socket
import eventlet.websocket
import eventlet.wsgi

MAX_PER_ADDRESS = 100
IDLE_TIMEOUT = 30
HEADER_DEADLINE = 30
SOCKET_TIMEOUT = 60
POOL_SIZE = 1024

logger = logging.getLogger("excon")


def raise_open_file_limit() -> int:
    """Raise the soft limit on open files to the hard one; return the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
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


class GuardedListener:
    """The listening socket, whose accept survives running out of file descriptors."""

    def __init__(self, sock):
        self.sock = sock
        self.reserve = open("/dev/null", "rb")  # one descriptor kept back to accept-and-close with
        self.refusing = False

    def accept(self):
        while True:
            try:
                connection = self.sock.accept()
            except OSError as e:
                if e.errno not in (errno.EMFILE, errno.ENFILE):
                    raise
                self._refuse_one()
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
        finally:
            try:
                self.reserve = open("/dev/null", "rb")
            except OSError:  # someone took it meanwhile: wait for a descriptor to free up
                eventlet.sleep(0.05)
                self.reserve = open("/dev/null", "rb")

    def __getattr__(self, name):
        return getattr(self.sock, name)


class PerAddressPool(eventlet.GreenPool):
    """A green thread per connection, at most `per_address` of them for one client address."""

    def __init__(self, size, per_address):
        super().__init__(size)
        self.per_address = per_address
        self.open = Counter()

    def spawn(self, function, connection, *args, **kwargs):
        address = connection[0][0] if isinstance(connection[0], tuple) else connection[0]
        if self.open[address] >= self.per_address:
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
        self._deadline = eventlet.Timeout(HEADER_DEADLINE, socket.timeout("request line and headers too slow"))
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


def serve(app, sock, certfile=None, keyfile=None, per_address=MAX_PER_ADDRESS):
    """Serve `app` on the listening socket `sock` until the process stops."""
    eventlet.websocket.RFC6455WebSocket._apply_mask = staticmethod(fast_mask)
    if certfile:
        sock = eventlet.wrap_ssl(sock, certfile=certfile, keyfile=keyfile, server_side=True)
    eventlet.wsgi.server(GuardedListener(sock), app, log_output=False, protocol=DeadlineProtocol,
                         custom_pool=PerAddressPool(POOL_SIZE, per_address), keepalive=IDLE_TIMEOUT,
                         socket_timeout=SOCKET_TIMEOUT)
