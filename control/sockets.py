"""Socket.IO handlers: thin over `Exercise`.  See docs/protocol.md for the contract.

Every connection joins one room named after its role; an event goes to the rooms of the roles
that may see it, so a client never receives what its role may not see.
"""

from flask import current_app, request
from flask_socketio import ConnectionRefusedError, join_room

from .access import role_from_code, room, session_role
from .throttle import SUBMIT_RATE, Bucket
from .events import InvalidEvent
from .relay import WriterUnavailable

connected_roles = {}  # sid -> role
buckets = {}  # sid -> its submission rate limit


def register(socketio):
    """Attach the handlers to `socketio` (once per server)."""
    if getattr(socketio, "_excon_registered", False):
        return
    socketio._excon_registered = True

    @socketio.on("connect")
    def connect(auth=None):
        """Any client connects with auth={"code": …} or a logged-in session; a bad code is refused."""
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
        return True

    @socketio.on("disconnect")
    def disconnect(*args):
        connected_roles.pop(request.sid, None)
        buckets.pop(request.sid, None)

    @socketio.on("submit")
    def submit(payload=None, *extra):
        """A client submits one event; the ack answers it, and the stored event goes as `event`
        to every connected client whose role may see it (the sender included)."""
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
        except WriterUnavailable as e:
            return {"ok": False, "retry": True, "error": str(e)}
        except Exception:  # a bug, not bad input: say so, and let the sender resend (ids make it safe)
            current_app.logger.exception("submit failed")
            return {"ok": False, "error": "the server could not handle this submission; send it again"}
        return {"ok": True, "seq": receipt.event["seq"], "duplicate": receipt.duplicate}

    @socketio.on("resume")
    def resume(payload=None, *extra):
        """A client that (re)connects asks for what it missed; the ack carries the events after
        `since` that its role may see (at most 5000; `more` says to ask again from `next`)."""
        since = payload.get("since") if isinstance(payload, dict) and not extra else None
        if not isinstance(since, int) or isinstance(since, bool) or since < 0:
            return {"ok": False, "error": "resume needs {\"since\": N} with N a whole number ≥ 0"}
        events, cursor, more = room().exercise.events_for(connected_roles.get(request.sid), since)
        return {"ok": True, "events": events, "next": cursor, "more": more}


def broadcast(socketio, exercise, event):
    """Send a stored event to the room of every role that may see it, as that role sees it (through
    the message queue, when there is one, to the clients of every server process)."""
    for audience, shown in exercise.deliveries(event):
        socketio.emit("event", shown, to=audience)


def watch_codes(socketio, app, every=2.0):
    """Pick up codes changed in the database (`run.py codes --rotate`), and disconnect the sockets
    of the roles whose code changed.  Runs as a background task of the server."""
    while True:
        socketio.sleep(every)
        with app.app_context():
            current = room().codes
            stored = room().exercise.log.stored_codes()
            changed = [r for r in current if stored.get(r) and stored[r] != current[r]]
            for role in changed:
                current[role] = stored[role]
                for sid in [sid for sid, r in connected_roles.items() if r == role]:
                    socketio.server.disconnect(sid)
            if changed:
                app.logger.warning("new codes for %s: their old sessions and sockets are closed", ", ".join(changed))
