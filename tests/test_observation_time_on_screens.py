"""Entries kept on a phone while the network was down reach the director's screen at the moment they were
made, marked "(sent N min later)"; a phone whose clock is wrong stamps its entries by the server's."""

from datetime import timedelta

import pytest

from control.eventlog import EventLog
from control.timefmt import exercise_seconds, iso, split_exercise_time, utc_now

from .conftest import Server, new_id, until, wait_for_text
from .test_phone_pages import PHONE, rate, ready, stored


@pytest.fixture
def server(tmp_path):
    """A server whose exercise clock was started half an hour ago (day 1 08:30), so that entries can be late."""
    db = tmp_path / "exercise.db"
    log = EventLog(db)
    log.append({"id": new_id(), "kind": "clock", "op": "start", "ts": iso(utc_now() - timedelta(minutes=30)),
                "exercise_time": exercise_seconds(1, "08:30"), "role": "director", "by": "director"})
    log.close()
    srv = Server(db).start()
    yield srv
    srv.stop()


def clock_text(seconds):
    day, time = split_exercise_time(seconds)
    return f"D{day} {time[:5]}"


def test_a_late_entry_is_placed_when_it_was_made_on_the_directors_screen(open_page, server):
    observer = server.connect("observer")
    ack = observer.submit({"id": new_id(), "kind": "evaluation", "team": "alpha", "objective": "obj-identify",
                           "rating": "M", "note": "Kept at the farm without Wi-Fi",
                           "observed_at": iso(utc_now() - timedelta(minutes=20))})
    assert ack["ok"], ack
    [event] = stored(server, "evaluation")
    assert event["exercise_time"] - event["observed_time"] >= 20 * 60
    page = open_page("director").page
    line = page.locator(".feed-item", has_text="Kept at the farm without Wi-Fi")
    line.wait_for(timeout=15000)
    assert line.locator("time").inner_text() == clock_text(event["observed_time"])
    assert "(sent 20 min later)" in line.inner_text()
    # on the timeline, the marker stands at the moment of observation, not of arrival
    until(page, f"""document.getElementById('timeline-plot').data
        && document.getElementById('timeline-plot').data.some(t => (t.x || []).includes({event["observed_time"]}))""")


def test_an_entry_made_offline_on_a_phone_carries_the_moment_of_save(open_page, server):
    view = open_page("observer", **PHONE)
    page = ready(view.page)
    view.context.set_offline(True)
    page.wait_for_selector("body[data-connection='offline']", timeout=15000)
    rate(page, "S", "Saved while the network was down.")
    page.wait_for_timeout(3000)  # the entry waits on the phone; the exercise goes on
    view.context.set_offline(False)
    page.wait_for_selector("#banner >> text=Online — everything saved", timeout=20000)
    [event] = stored(server, "evaluation")
    assert event["exercise_time"] - event["observed_time"] >= 2.5  # placed when saved, not when it arrived


def test_a_phone_with_a_wrong_clock_stamps_its_entries_by_the_servers(open_page, server):
    view = open_page(None, **PHONE)
    view.context.clock.set_system_time(utc_now() - timedelta(hours=3))  # the phone's clock is three hours behind
    view.login("observer")
    page = ready(view.page)
    rate(page, "P", "The phone's clock is wrong; the entry is not.")
    page.wait_for_selector("#mylog-list .state-saved", timeout=15000)
    wait_for_text(page, "#banner", "Online — everything saved")
    [event] = stored(server, "evaluation")
    assert abs(event["exercise_time"] - event["observed_time"]) < 60
