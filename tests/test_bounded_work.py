"""Work a participant can cause stays bounded: corrections in a loop on a full week do not hold up
delivery, and a client that catches up over large events gets its answer in pages."""

import json
import statistics
import threading
import time

import pytest
import requests

from control.eventlog import EventLog
from control.weekgen import write_week

from .conftest import CODES, Server, new_id


@pytest.fixture(scope="module")
def week(tmp_path_factory, scenario):
    """A generated week of 50 000 events, served."""
    path = tmp_path_factory.mktemp("week50k") / "week.db"
    log = EventLog(path)
    write_week(scenario, log, 50_000)
    log.close()
    server = Server(path).start()
    yield server
    server.stop()


def submit(client, payload):
    """Submit as a phone does: sent again while the answer says retry."""
    while True:
        ack = client.submit(payload)
        if not ack.get("retry"):
            return ack
        time.sleep(0.05)


def test_corrections_in_a_loop_do_not_hold_up_delivery(week):
    director, controller = week.connect("director"), week.connect("controller")
    tablets = {team: week.connect(f"team:{team}") for team in ("alpha", "bravo", "charlie")}
    stop = threading.Event()
    corrected = []

    def correct_in_a_loop(team, client):
        action = {"id": new_id(), "kind": "action", "team": team, "action_type": "plan", "site": "hq",
                  "text": "logged, then corrected again and again"}
        assert submit(client, action)["ok"]
        sites = ["club", "farm", "hq"]
        while not stop.is_set():
            ack = submit(client, {"id": new_id(), "kind": "amend", "target": action["id"],
                                  "site": sites[len(corrected) % 3]})
            assert ack["ok"], ack
            corrected.append(1)

    def screens_asking_for_the_state():  # pages opening and reloading meanwhile
        session = requests.Session()
        while not stop.is_set():
            assert session.get(week.url + "/api/state", headers={"Authorization": f"Bearer {CODES['screen']}"},
                               timeout=30).ok

    workers = [threading.Thread(target=correct_in_a_loop, args=item) for item in tablets.items()]
    workers.append(threading.Thread(target=screens_asking_for_the_state))
    for worker in workers:
        worker.start()
    delays = []
    try:
        time.sleep(1)
        for i in range(60):
            text = f"control note {i} while tablets correct"
            started = time.monotonic()
            assert submit(controller, {"id": new_id(), "kind": "note", "text": text})["ok"]
            director.wait_for(lambda e, t=text: e.get("text") == t, timeout=10)
            delays.append(time.monotonic() - started)
            time.sleep(0.05)
    finally:
        stop.set()
        for worker in workers:
            worker.join(30)
    assert len(corrected) > 100  # the loop did run
    p99 = statistics.quantiles(delays, n=100)[98]
    print(f"corrections in a loop on 50 000 events: {len(corrected)} corrections; note -> director "
          f"p50 {statistics.median(delays) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms")
    # Every note reached the director while the loops ran (wait_for's bound: liveness, not a latency target;
    # timed targets make a shared CI machine flaky — the figure is printed, and measured in bench/).
    state = week.get("/api/state", "director").json()
    assert state["last_seq"] == max(e["seq"] for e in week.get("/api/events?last=1", "director").json()["events"])


def test_an_export_of_the_week_streams_while_the_room_goes_on(week):
    director, controller = week.connect("director"), week.connect("controller")
    done, delays, size = threading.Event(), [], []

    def export():
        response = requests.get(week.url + "/api/export/events.csv", timeout=120,
                                headers={"Authorization": f"Bearer {CODES['director']}"})
        size.append(len(response.content))
        done.set()

    exporter = threading.Thread(target=export)
    exporter.start()
    i = 0
    while not done.is_set():
        text = f"note {i} during the export"
        started = time.monotonic()
        assert submit(controller, {"id": new_id(), "kind": "note", "text": text})["ok"]
        director.wait_for(lambda e, t=text: e.get("text") == t, timeout=30)
        delays.append(time.monotonic() - started)
        i += 1
    exporter.join()
    print(f"events.csv of the week: {size[0] / 1e6:.1f} MB; {len(delays)} notes meanwhile, "
          f"slowest to the director {max(delays) * 1000:.0f} ms")
    assert size[0] > 5_000_000 and len(delays) >= 3  # the room went on while the export streamed


def test_catching_up_over_large_events_comes_in_pages(tmp_path):
    server = Server(tmp_path / "large.db").start()
    try:
        senders = [server.connect("observer") for _ in range(3)]
        big = "ä" * 9_990
        ids = []
        for i in range(300):
            payload = {"id": new_id(), "kind": "note", "text": f"{i} {big}"}
            assert submit(senders[i % 3], payload)["ok"]
            ids.append(payload["id"])
        reader = server.connect("director")
        got, since, pages = [], 0, 0
        while True:
            ack = reader.call("resume", {"since": since}, timeout=30)
            assert ack["ok"]
            assert len(json.dumps(ack)) < 1_500_000  # a page, not the whole log
            got += [e["id"] for e in ack["events"]]
            since, pages = ack["next"], pages + 1
            if not ack["more"]:
                break
        assert got == ids and pages >= 3
        page = server.get("/api/events?since=0&limit=5000", "director").json()
        assert page["more"] is True and 0 < len(page["events"]) < 300
    finally:
        server.stop()
