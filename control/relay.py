"""More than one server process: one writer owns the event log, relays forward submits to it.

With `--message-queue redis://…` every process shares broadcasts through Flask-SocketIO's Redis
message queue.  Only the writer stores events, so `seq` stays strictly increasing and ids unique
(group commit as on one process); it is also the only process that broadcasts them, in seq order.
A relay (`--relay`) serves pages and sockets from the same SQLite file (read-only, same host),
and puts each submit on a Redis list; the writer stores it and answers on a per-request list.

No Flask here: `serve_forwarded` takes the submit function and a way to start a task.
"""

import json
import time
import uuid

import redis

from .events import InvalidEvent
from .exercise import Receipt

SUBMITS = "excon:submits"  # the writer's inbox
ANSWER_TTL = 60  # seconds an answer waits for a relay that gave up


class WriterUnavailable(Exception):
    """The writer did not answer in time: the sender keeps the entry and sends it again."""


class Forwarder:
    """Hand submits to the writer process and wait for its answer (on a relay)."""

    def __init__(self, url: str, timeout: int = 10):
        self.redis = redis.Redis.from_url(url)
        self.timeout = timeout

    def submit(self, payload, role: str, on_stored=None, conn: str | None = None) -> Receipt:
        """Return the writer's Receipt; raise InvalidEvent as the writer did, or WriterUnavailable.

        on_stored is not called here: the writer broadcasts to every process's clients."""
        answer_key = f"excon:answer:{uuid.uuid4()}"
        try:
            self.redis.rpush(SUBMITS, json.dumps({"payload": payload, "role": role, "conn": conn, "answer": answer_key}))
            popped = self.redis.blpop([answer_key], timeout=self.timeout)
        except redis.RedisError:
            raise WriterUnavailable("the message queue is unreachable: send it again in a moment") from None
        if popped is None:
            raise WriterUnavailable("the exercise's writer process did not answer: send it again in a moment")
        answer = json.loads(popped[1])
        if "error" in answer:
            raise InvalidEvent(answer["error"])
        if "retry" in answer:
            raise WriterUnavailable(answer["retry"])
        return Receipt(answer["event"], answer["duplicate"])


def serve_forwarded(url: str, submit, start_task, on_stored):
    """Store the submits relays forward, answering each on its own list (on the writer; runs forever).

    submit: Exercise.submit; start_task(fn, *args): run fn concurrently, so that forwarded submits
    join the same group commits as local ones; on_stored: the writer's broadcast.
    """
    inbox = redis.Redis.from_url(url)
    while True:
        try:
            popped = inbox.blpop([SUBMITS], timeout=5)
        except redis.RedisError:  # Redis restarting: relays answer `retry` meanwhile
            time.sleep(1)
            continue
        if popped is not None:
            start_task(_answer, inbox, json.loads(popped[1]), submit, on_stored)


def _answer(inbox, request: dict, submit, on_stored) -> None:
    try:
        receipt = submit(request["payload"], request["role"], on_stored=on_stored, conn=request["conn"])
        answer = {"event": receipt.event, "duplicate": receipt.duplicate}
    except InvalidEvent as e:
        answer = {"error": str(e)}
    except Exception:  # a bug or a failed commit: nothing stored, the sender sends it again
        answer = {"retry": "the server could not handle this submission; send it again"}
    try:
        inbox.rpush(request["answer"], json.dumps(answer))
        inbox.expire(request["answer"], ANSWER_TTL)
    except redis.RedisError:  # the relay times out and its sender resends: the id finds the stored event
        pass
