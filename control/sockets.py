"""Socket.IO handlers: thin over `Exercise`.  See docs/protocol.md for the contract.

Every connection joins one room named after its role; an event goes to the rooms of the roles
that may see it, so a client never receives what its role may not see.  Every request a client
makes with an ack is answered, whatever it carried.
"""

from functools import wraps

from flask import current_app, request
from flask_socketio import ConnectionRefusedError, join_room

from .access import role_from_code, room, session_role
from .eventlog import StorageFault
from .events import InvalidEvent
from .permissions import all_roles
from .relay import WriterUnavailable
from .throttle import SUBMIT_RATE, Bucket

connected_roles = {}  # sid -> role
buckets = {}  # sid -> its submission rate limit
MAX_SINCE = 2**63 - 1
BEFORE_CONNECT_LIMIT = 4096  # characters a message may have before its client has connected with a code


def answered(handler):
    """Answer a request whatever happens in its handler: a fault of ExCon is said, and may be resent."""
    @wraps(handler)
    def answering(*args):
        try:
            return handler(*args)
        except Exception:
            current_app.logger.exception("%s failed", handler.__name__)
            return {"ok": False, "retry": True, "error": "the server failed on this request; send it again"}
    return answering


def register(socketio):
    """Attach the handlers to `socketio` (once per server)."""
    if getattr(socketio, "_excon_registered", False):
        return
    socketio._excon_registered = True

    @socketio.on("connect")
    def connect(auth=None):
        """Any client connects with auth={"code": …} or a logged-in session; a bad code is refused.
        A client that connects while the storage fails is told at once (`health`)."""
        wait = room().wrong_codes.wait(request.remote_addr)
        if wait:
            raise ConnectionRefusedError(f"too many wrong codes from this address: try again in {wait} seconds")
        code = auth.get("code") if isinstance(auth, dict) else None
        role = role_from_code(code, request.remote_addr) if code is not None else session_role()
        if role is None or role not in room().codes:
            raise ConnectionRefusedError("unknown or missing access code")
        connected_roles[request.sid] = role
        buckets[request.sid] = Bucket()
        join_room(role)
        health = room().exercise.health()
        if not health["ok"]:
            socketio.emit("health", health, to=request.sid)
        return True

    @socketio.on("disconnect")
    def disconnect(*args):
        connected_roles.pop(request.sid, None)
        buckets.pop(request.sid, None)

    @socketio.on("submit")
    @answered
    def submit(payload=None, *extra):
        """A client submits one event; the ack answers it, and the stored event goes as `event`
        to every connected client whose role may see it (the sender included).  `retry: true`: not
        stored, not refused — keep the entry and send it again."""
        role = connected_roles.get(request.sid)
        exercise = room().exercise
        if not buckets[request.sid].take():
            # Said, never dropped: the sender keeps the entry and sends it again (retry: true).
            return {"ok": False, "retry": True,
                    "error": f"too many submissions from this connection (at most {SUBMIT_RATE} a second): "
                             "send it again in a moment"}
        if extra:
            return {"ok": False, "error": "send one payload object with each submit"}
        try:
            receipt = room().submit(payload, role, on_stored=lambda event: broadcast(socketio, exercise, event),
                                    conn=f"socket:{request.sid}")
        except InvalidEvent as e:
            return {"ok": False, "error": str(e)}
        except (StorageFault, WriterUnavailable) as e:
            return {"ok": False, "retry": True, "error": f"not saved yet: {e}; it is kept and sent again"}
        return {"ok": True, "seq": receipt.event["seq"], "duplicate": receipt.duplicate}

    @socketio.on("resume")
    @answered
    def resume(payload=None, *extra):
        """A client that (re)connects asks for what it missed; the ack carries the events after
        `since` that its role may see (a page: `more` says to ask again from `next`)."""
        since = payload.get("since") if isinstance(payload, dict) and not extra else None
        if not isinstance(since, int) or isinstance(since, bool) or not 0 <= since <= MAX_SINCE:
            return {"ok": False, "error": "resume needs {\"since\": N} with N a whole number ≥ 0"}
        events, cursor, more = room().exercise.events_for(connected_roles.get(request.sid), since)
        return {"ok": True, "events": events, "next": cursor, "more": more}


def limit_before_connect(server):
    """Drop a client that sends a large message before it has connected with a code: only a small
    Socket.IO `connect` carrying the code is expected then, and reading large messages costs every
    other client its turn."""
    handle = server.eio.handlers["message"]

    def guarded(eio_sid, data):
        if len(data) > BEFORE_CONNECT_LIMIT and server.manager.sid_from_eio_sid(eio_sid, "/") is None:
            server.eio.disconnect(eio_sid)
            return None
        return handle(eio_sid, data)

    server.eio.handlers["message"] = guarded


def broadcast(socketio, exercise, event):
    """Send a stored event to the room of every role that may see it, as that role sees it (through
    the message queue, when there is one, to the clients of every server process)."""
    for audience, shown in exercise.deliveries(event):
        socketio.emit("event", shown, to=audience)


def announce_health(socketio, exercise):
    """Return the callback that tells every room when the storage starts or stops failing."""
    def announce(health):
        for audience in all_roles(exercise.scenario.teams):
            socketio.emit("health", health, to=audience)
    return announce


def watch(socketio, app, every=2.0):
    """Every few seconds: take up codes changed in the database (`run.py codes --rotate`) and
    disconnect the sockets of roles whose code changed; look at the storage's health.  Runs as a
    background task of the server."""
    while True:
        socketio.sleep(every)
        with app.app_context():
            try:
                room().exercise.check_health()
                take_up_codes(socketio, app)
            except Exception:  # a storage that fails reads too: say so, and look again
                app.logger.exception("watching the storage and the codes failed")


def take_up_codes(socketio, app):
    """Use codes changed in the database; close the sockets of the roles whose code changed."""
    current = room().codes
    stored = room().exercise.log.stored_codes()
    changed = [r for r in current if stored.get(r) and stored[r] != current[r]]
    for role in changed:
        current[role] = stored[role]
        for sid in [sid for sid, r in connected_roles.items() if r == role]:
            socketio.server.disconnect(sid)
    if changed:
        app.logger.warning("new codes for %s: their old sessions and sockets are closed", ", ".join(changed))
