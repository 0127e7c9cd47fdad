"""Socket.IO handlers: thin over `Exercise`.  See docs/protocol.md for the contract.

Every connection joins one room named after its role; an event goes to the rooms of the roles
that may see it, so a client never receives what its role may not see.  Every request a client
makes with an ack is answered, whatever it carried, in the language the client connected with
(`?lang=` in the Socket.IO query, as the pages connect; see language.py).
"""

import itertools
from functools import wraps

from flask import current_app, request, session
from flask_socketio import ConnectionRefusedError, Namespace, join_room

from ..eventlog import MAX_SEQ, StorageFault
from ..events import InvalidEvent, placed_time
from ..exercise import NOT_STORED, health_in_language
from ..i18n import _, in_language, languages
from ..timefmt import escaped, iso
from .access import asker_language, holder_from_code, identity, room, session_holder
from .relay import WriterUnavailable
from .throttle import RESUME_BURST, RESUME_RATE, SUBMIT_RATE, Bucket

PROBE_EVERY = 15  # watches between two test writes while the storage seems fine (30 s)
BEFORE_CONNECT_LIMIT = 4096  # characters a message may have before its client has connected with a code
TRY_AGAIN = _("the server failed on this request (a fault in ExCon, written to its log); ask again")


def in_asker_language(answer):
    """Return an ack with its `error` (a Message) in the language of the connection that asked."""
    if isinstance(answer, dict) and "error" in answer:
        return {**answer, "error": in_language(answer["error"], asker_language())}
    return answer


def refused(error: InvalidEvent) -> dict:
    """Return the ack of a refused entry: the reason, and the payload field it is about when there is one."""
    answer = {"ok": False, "error": error.message}
    if error.field:
        answer["field"] = error.field
    return answer


def answered(fault_answer):
    """Answer a request whatever happens in its handler, in the asker's language: a fault of ExCon is said.

    A fault on an entry is deterministic as far as anyone knows, so it is refused with that reason
    (the phone keeps it, marked refused, for its owner to write again) rather than sent again for
    ever ahead of everything that device logs later; a fault on a read is worth asking again."""
    def wrap(handler):
        @wraps(handler)
        def answering(*args):
            try:
                return in_asker_language(handler(*args))
            except Exception:
                current_app.logger.exception("%s failed", handler.__name__)
                return in_asker_language(fault_answer)
        return answering
    return wrap


class ExerciseNamespace(Namespace):
    """The one Socket.IO namespace ('/'): who is connected as what, and what they may ask.

    Clients send `submit`, `resume` and `state` (each answered through its ack); they receive
    `event` (a stored event, as their role sees it), `state` (the state of their view, pushed to the
    director's, controllers' and screen's rooms after commits) and `health` (the storage's, in their
    language: every connection also joins the room of its language, `lang:<code>`)."""

    def __init__(self, namespace="/"):
        super().__init__(namespace)
        self.roles = {}  # sid -> role
        self.holders = {}  # sid -> who holds the code it connected with: the role, or "person:<id>"
        self.people = {}  # sid -> the person of the roster, when connected with a person's own code
        self.sessions = {}  # sid -> the login session a browser connected with (closed at logout: the socket goes too)
        self.submits = {}  # sid -> its submission rate limit
        self.resumes = {}  # sid -> its resume rate limit

    def trigger_event(self, event, *args):
        """Route a request ExCon does not know to `on_unknown`, so that it is answered too."""
        if not hasattr(self, f"on_{event or ''}"):
            sid, *rest = args
            return super().trigger_event("unknown", sid, event, *rest)
        return super().trigger_event(event, *args)

    def on_connect(self, auth=None):
        """Any client connects with auth={"code": …} or a logged-in session; a bad code is refused.
        The client is told the storage's health at once (a fault, or that the last one is over)."""
        lang = asker_language()
        wait = room().wrong_codes.wait(request.remote_addr)
        if wait:
            raise ConnectionRefusedError(_("too many wrong codes from this address: try again in %(seconds)s seconds",
                                           seconds=wait).in_language(lang))
        code = auth.get("code") if isinstance(auth, dict) else None
        try:
            holder = holder_from_code(code, request.remote_addr) if code is not None else session_holder()
            role, person = identity(holder)
        except Exception:  # whatever went wrong, this client is not let in, and is told so
            current_app.logger.exception("connect failed")
            holder = role = person = None
        if role is None or holder not in room().codes:
            raise ConnectionRefusedError(_("unknown or missing access code").in_language(lang))
        self.roles[request.sid] = role
        self.holders[request.sid] = holder
        if person is not None:
            self.people[request.sid] = person
        if code is None:
            self.sessions[request.sid] = session.get("sid")
        self.submits[request.sid] = Bucket()
        self.resumes[request.sid] = Bucket(rate=RESUME_RATE, burst=RESUME_BURST)
        join_room(role)
        join_room(language_room(lang))
        self.socketio.emit("health", health_in_language(room().health(), lang), to=request.sid)
        return True

    def on_disconnect(self, *reason):
        for registry in (self.roles, self.holders, self.people, self.sessions, self.submits, self.resumes):
            registry.pop(request.sid, None)

    def on_unknown(self, event, *args):
        """A request ExCon does not know: answered all the same."""
        return in_asker_language({"ok": False, "error": _("unknown request '%(request)s': ExCon answers submit, resume "
                                                          "and state", request=escaped(str(event)[:40]))})

    @answered({"ok": False, "error": NOT_STORED})
    def on_submit(self, payload=None, *extra):
        """A client submits one event; the ack answers it, and the stored event goes as `event`
        to every connected client whose role may see it (the sender included).  `retry: true`: not
        stored, not refused — keep the entry and send it again."""
        role = self.roles.get(request.sid)
        exercise = room().exercise
        if not self.submits[request.sid].take():
            # Said, never dropped: the sender keeps the entry and sends it again (retry: true).
            return {"ok": False, "retry": True,
                    "error": _("too many submissions from this connection (at most %(rate)s a second): "
                               "send it again in a moment", rate=SUBMIT_RATE)}
        if extra:
            return {"ok": False, "error": _("send one payload object with each submit")}
        try:
            receipt = room().submit(payload, role, on_stored=lambda event: broadcast(self.socketio, exercise, event),
                                    conn=f"socket:{request.sid}", by=self.people.get(request.sid))
        except InvalidEvent as e:
            return refused(e)
        except (StorageFault, WriterUnavailable) as e:
            return {"ok": False, "retry": True,
                    "error": _("not saved yet: %(fault)s; it is kept and sent again", fault=e.args[0])}
        # `placed_time`: where the entry stands on the exercise's timelines (its observation), for the phone's log
        return {"ok": True, "seq": receipt.event["seq"], "duplicate": receipt.duplicate,
                "placed_time": placed_time(receipt.event)}

    @answered({"ok": False, "retry": True, "error": TRY_AGAIN})
    def on_resume(self, payload=None, *extra):
        """A client that (re)connects asks for what it missed; the ack carries the events after
        `since` that its role may see (a page: `more` says to ask again from `next`), `at_since` (the
        id of the event at `since`), `reset: true` when the log is not the one the client had, and `at`
        (the server's time now)."""
        since = payload.get("since") if isinstance(payload, dict) and not extra else None
        if not isinstance(since, int) or isinstance(since, bool) or not 0 <= since <= MAX_SEQ:
            return {"ok": False, "error": _("resume needs {\"since\": N} with N a whole number ≥ 0")}
        if not self.resumes[request.sid].take():
            return {"ok": False, "retry": True,
                    "error": _("too many resume requests from this connection: ask again in a moment")}
        exercise, role = room().exercise, self.roles.get(request.sid)
        if since > exercise.log.last_seq():  # the log went back (restored from a backup): start again
            return {"ok": True, "events": [], "next": since, "more": False, "reset": True}
        events, cursor, more = exercise.events_for(role, since)
        # `at`: the server's time, by which a phone sets the time it stamps on its entries (`observed_at`)
        answer = {"ok": True, "events": events, "next": cursor, "more": more, "at": iso(exercise.now())}
        at_since = exercise.log.at_seq(since) if since else None
        if at_since is not None and exercise.view(role, at_since) is not None:
            answer["at_since"] = at_since["id"]  # is it the event the client has as `since`? (a restored log)
        return answer

    @answered({"ok": False, "retry": True, "error": TRY_AGAIN})
    def on_state(self, *args):
        """A client asks for the state of its view: the last push (with its `version`, which the next
        push patches) where this process pushes that view, else the state now (`version`: null)."""
        if not self.resumes[request.sid].take():
            return {"ok": False, "retry": True, "error": _("too many requests from this connection: ask again in a moment")}
        role, pushes = self.roles.get(request.sid), room().pushes
        if pushes is not None and pushes.pushes(role):
            return {"ok": True, **pushes.latest(role)}
        if current_app.config["RELAY"]:  # what the writer stored since this process last looked
            room().exercise.catch_up()
        return {"ok": True, "version": None, "state": room().exercise.state_for(role)}

    def watch(self, app, every=2.0):
        """At start and every few seconds: look at the storage's health (a test write at start and every
        30 s); take up codes changed in the database (`run.py codes --rotate`) and disconnect the sockets
        of roles whose code changed, and of sessions logged out.  Runs as a background task of the server."""
        writer = not app.config["RELAY"]  # a relay stores nothing: its health is the writer's
        for turn in itertools.count():
            if turn:
                self.socketio.sleep(every)
            with app.app_context():
                try:
                    if writer:
                        room().exercise.check_health(probe=turn % PROBE_EVERY == 0)
                    self.take_up_codes(app)
                    self.drop_closed_sessions()
                except Exception:  # a storage that fails reads too: say so, and look again
                    app.logger.exception("watching the storage, the codes and the sessions failed")

    def drop_closed_sessions(self):
        """Disconnect the sockets of browsers whose session was closed (logged out, here or on another process)."""
        log = room().exercise.log
        for sid, session_id in list(self.sessions.items()):
            if not log.session_is_open(session_id):
                self.socketio.server.disconnect(sid)

    def take_up_codes(self, app):
        """Use codes changed in the database; close the sockets of the roles whose code changed."""
        current = room().codes
        stored = room().exercise.log.stored_codes()
        changed = [r for r in current if stored.get(r) and stored[r] != current[r]]
        for holder in changed:
            current[holder] = stored[holder]
            for sid in [sid for sid, h in list(self.holders.items()) if h == holder]:
                self.socketio.server.disconnect(sid)
        if changed:
            app.logger.warning("new codes for %s: their old sessions and sockets are closed", ", ".join(changed))


def namespace_of(socketio) -> ExerciseNamespace:
    """Return the namespace of `socketio`, made and attached once per Socket.IO object (before init_app,
    which hands it to each new server)."""
    if not hasattr(socketio, "excon_namespace"):
        socketio.excon_namespace = ExerciseNamespace("/")
        socketio.on_namespace(socketio.excon_namespace)
    return socketio.excon_namespace


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


def language_room(lang: str) -> str:
    """Return the room of the connections that speak `lang` (what is said to all is said there, once per language)."""
    return f"lang:{lang}"


def announce_health(socketio):
    """Return the callback that tells every connection, in its language, when the storage starts or stops failing."""
    def announce(health):
        for lang in languages():
            socketio.emit("health", health_in_language(health, lang), to=language_room(lang))
    return announce
