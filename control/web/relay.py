"""More than one server process: one writer owns the event log, relays forward submits to it.

With `--message-queue redis://…` every process shares broadcasts through Flask-SocketIO's Redis
message queue.  Only the writer stores events, so `seq` stays strictly increasing and ids unique
(group commit as on one process); it is also the only process that broadcasts them, in seq order.
A relay (`--relay`) serves pages and sockets from the same SQLite file (read-only, same host),
and puts each submit on a Redis list; the writer stores it and answers on a per-request list.
Messages for people cross as `Message.wire()` and are put in a language only by the process that
answers the person.

No Flask here: `serve_forwarded` takes the submit function and a way to start a task.
"""

import json
import os
import time
import uuid

import redis

from ..events import InvalidEvent
from ..exercise import Receipt
from ..i18n import Message, _

SUBMITS = "excon:submits"  # the writer's inbox
WRITER = "excon:writer"  # who the writer is, while it runs
HEALTH = "excon:health"  # the writer's storage health, for the relays' /healthz and new connections
WRITER_TTL = 15  # seconds the claim outlives a writer that died; it is renewed every 5
ANSWER_TTL = 60  # seconds an answer waits for a relay that gave up


class WriterUnavailable(Exception):
    """The writer did not answer in time: the sender keeps the entry and sends it again (the one
    argument is a Message saying why)."""


def wire(text):
    """Return a Message as it crosses to another process (a plain text as it is)."""
    return text.wire() if isinstance(text, Message) else text


class Forwarder:
    """Hand submits to the writer process and wait for its answer (on a relay)."""

    def __init__(self, url: str, timeout: int = 10):
        self.redis = redis.Redis.from_url(url)
        self.timeout = timeout

    def submit(self, payload, role: str, on_stored=None, conn: str | None = None, by: str | None = None) -> Receipt:
        """Return the writer's Receipt; raise InvalidEvent as the writer did, or WriterUnavailable.

        on_stored is not called here: the writer broadcasts to every process's clients."""
        answer_key = f"excon:answer:{uuid.uuid4()}"
        try:
            request = {"payload": payload, "role": role, "conn": conn, "by": by, "answer": answer_key}
            self.redis.rpush(SUBMITS, json.dumps(request))
            popped = self.redis.blpop([answer_key], timeout=self.timeout)
        except redis.RedisError:
            raise WriterUnavailable(_("the message queue is unreachable: send it again in a moment")) from None
        if popped is None:
            raise WriterUnavailable(_("the exercise's writer process did not answer: send it again in a moment"))
        answer = json.loads(popped[1])
        if "error" in answer:
            raise InvalidEvent(Message.from_wire(answer["error"]), field=answer.get("field"))
        if "retry" in answer:
            raise WriterUnavailable(Message.from_wire(answer["retry"]))
        return Receipt(answer["event"], answer["duplicate"])

    def health(self) -> dict:
        """Return the writer's storage health (the relay stores nothing itself)."""
        try:
            published = self.redis.get(HEALTH)
        except redis.RedisError:
            return {"ok": False, "storage": _("the message queue to the writer is unreachable"), "since": None}
        if not published:
            return {"ok": True, "storage": None, "since": None}
        health = json.loads(published)
        return {**health, "storage": Message.from_wire(health["storage"]) if health["storage"] else None}


def publish_health(url: str):
    """Return a callback for the writer that keeps its storage health where relays read it."""
    queue = redis.Redis.from_url(url)

    def publish(health: dict) -> None:
        try:
            queue.set(HEALTH, json.dumps({**health, "storage": wire(health["storage"])}))
        except redis.RedisError:  # relays then say the queue is unreachable, which it is
            pass

    return publish


def claim_writer(url: str, me: str) -> str | None:
    """Claim the writer's place for `me` ("host:pid:port"); return who holds it if another live writer
    does.  A claim left by a writer on this host that is no longer running (killed a moment ago, its
    claim not yet expired) is taken over."""
    queue = redis.Redis.from_url(url)
    if queue.set(WRITER, me, nx=True, ex=WRITER_TTL):
        return None
    holder = (queue.get(WRITER) or b"").decode()
    if not holder or holder == me:
        return None
    host, _colon, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host == me.partition(":")[0] and pid.isdigit() and not _running(int(pid)):
        queue.set(WRITER, me, ex=WRITER_TTL)
        return None
    return holder


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: running
        return True
    return True


def serve_forwarded(url: str, me: str, submit, start_task, on_stored):
    """Store the submits relays forward, answering each on its own list (on the writer; runs forever).

    submit: Exercise.submit; start_task(fn, *args): run fn concurrently, so that forwarded submits
    join the same group commits as local ones; on_stored: the writer's broadcast.
    """
    inbox = redis.Redis.from_url(url)
    while True:
        try:
            inbox.set(WRITER, me, ex=WRITER_TTL)
            popped = inbox.blpop([SUBMITS], timeout=5)
        except redis.RedisError:  # Redis restarting: relays answer `retry` meanwhile
            time.sleep(1)
            continue
        if popped is None:
            continue
        try:  # take what else is waiting in one round trip: those submits share the next commit
            waiting = [popped[1]] + (inbox.lpop(SUBMITS, 100) or [])
        except redis.RedisError:
            waiting = [popped[1]]
        for request in waiting:
            start_task(_answer, inbox, json.loads(request), submit, on_stored)


def _answer(inbox, request: dict, submit, on_stored) -> None:
    try:
        receipt = submit(request["payload"], request["role"], on_stored=on_stored, conn=request["conn"], by=request.get("by"))
        answer = {"event": receipt.event, "duplicate": receipt.duplicate}
    except InvalidEvent as e:
        answer = {"error": wire(e.message), "field": e.field}
    except Exception:  # a bug or a failed commit: nothing stored, the sender sends it again
        answer = {"retry": wire(_("the server could not handle this submission; send it again"))}
    try:
        inbox.rpush(request["answer"], json.dumps(answer))
        inbox.expire(request["answer"], ANSWER_TTL)
    except redis.RedisError:  # the relay times out and its sender resends: the id finds the stored event
        pass
