"""Messages to people come back in the asker's language: acks, API errors, what a relay carries, the CSV.

No Russian catalog is needed: `russian` makes ExCon believe it has one, in which every text comes back
marked "«RU» …" with its placeholders kept, so an answer that ignored the asker's language shows."""

import json

import pytest
from babel.support import NullTranslations

from control import i18n
from control.events import InvalidEvent, parse_payload
from control.exports import csv_header
from control.i18n import in_language
from control.web import relay, socketio

from .conftest import CODES, new_id

UNKNOWN_SITE = {"kind": "move", "team": "alpha", "site": "casino"}


class MarkedCatalog:
    """A catalog that gives every text marked, as a translation would look."""

    def gettext(self, msgid):
        return f"«RU» {msgid}"


@pytest.fixture
def russian(monkeypatch):
    """Make ExCon speak a pretend Russian."""
    monkeypatch.setattr(i18n, "languages", lambda: ("en", "ru"))
    monkeypatch.setattr(i18n, "translations", lambda lang: MarkedCatalog() if lang == "ru" else NullTranslations())


def refusal(payload, scenario) -> InvalidEvent:
    with pytest.raises(InvalidEvent) as refused:
        parse_payload(payload, scenario)
    return refused.value


def test_an_ack_error_comes_in_the_language_the_socket_connected_with(app, scenario, russian):
    payload = {"id": new_id(), **UNKNOWN_SITE}
    expected = refusal(payload, scenario)
    ru = socketio.test_client(app, auth={"code": CODES["team:alpha"]}, query_string="lang=ru")
    en = socketio.test_client(app, auth={"code": CODES["team:alpha"]}, query_string="lang=en")
    answer = ru.emit("submit", payload, callback=True)
    assert answer == {"ok": False, "error": in_language(expected.message, "ru"), "field": "site"}
    assert answer["error"] == "«RU» unknown site 'casino'"
    assert en.emit("submit", payload, callback=True) == {"ok": False, "error": "unknown site 'casino'", "field": "site"}


def test_an_ack_without_a_field_has_no_field_key(app, russian):
    ru = socketio.test_client(app, auth={"code": CODES["observer"]}, query_string="lang=ru")
    answer = ru.emit("submit", {"id": new_id(), "kind": "clock", "op": "start"}, callback=True)
    assert answer == {"ok": False, "error": "«RU» the observer role may not submit clock events"}


def test_an_api_error_comes_in_the_asker_language_with_its_parameter(client, russian):
    headers = {"Authorization": f"Bearer {CODES['director']}"}
    answer = client.get("/api/events?limit=0&lang=ru", headers=headers)
    assert answer.status_code == 400
    assert answer.get_json() == {"ok": False, "error": "«RU» limit must be a whole number from 1 to 5000",
                                 "field": "limit"}
    assert client.get("/api/nothing?lang=ru").get_json()["error"] == "«RU» no such endpoint: /api/nothing"
    assert client.get("/api/events?lang=ru").get_json()["error"].startswith("«RU» an access code is needed")


def test_the_writer_sends_a_refusal_to_a_relay_unrendered(exercise, scenario, russian):
    """A relay's sender may speak another language than anyone at the writer: the message crosses whole."""

    class SharedQueue:  # Redis, in memory; the writer answers a submit as soon as it is pushed
        def __init__(self):
            self.lists = {}

        def rpush(self, key, value):
            if key == relay.SUBMITS:
                relay._answer(self, json.loads(value), exercise.submit, on_stored=None)
            else:
                self.lists.setdefault(key, []).append(value)

        def expire(self, key, seconds):
            pass

        def blpop(self, keys, timeout):
            return (keys[0], self.lists[keys[0]].pop(0))

    forwarder = relay.Forwarder("redis://127.0.0.1:1/0")
    forwarder.redis = SharedQueue()
    payload = {"id": new_id(), **UNKNOWN_SITE}
    with pytest.raises(InvalidEvent) as refused:
        forwarder.submit(payload, "team:alpha")
    assert refused.value.message == refusal(payload, scenario).message  # a Message still, not English text
    assert refused.value.field == "site"
    assert in_language(refused.value.message, "ru") == "«RU» unknown site 'casino'"


def test_the_csv_header_is_in_the_asker_language_column_for_column(client, russian):
    headers = {"Authorization": f"Bearer {CODES['director']}"}
    text = client.get("/api/export/events.csv?lang=ru", headers=headers).get_data(as_text=True)
    header = text.lstrip("\ufeff").splitlines()[0].split(",")
    assert header == csv_header("ru") == [f"«RU» {column}" for column in csv_header()]
