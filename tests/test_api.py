"""HTTP endpoints through Flask's test client: auth, filtering and clear errors."""

import re

import pytest

from .conftest import CODES, new_id


def get(client, path, role=None):
    headers = {"Authorization": f"Bearer {CODES[role]}"} if role else {}
    return client.get(path, headers=headers)


def submit(app, role, kind, **fields):
    return app.extensions["excon"].exercise.submit({"id": new_id(), "kind": kind, **fields}, role).event


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"ok": True, "storage": None, "since": None}


def test_home_page_names_the_exercise(client):
    page = client.get("/").get_data(as_text=True)
    assert "Operation Open Door" in page and "Greenfield Farm" in page


@pytest.mark.parametrize("path", ["/api/scenario", "/api/events", "/api/state"])
def test_no_code_is_401_with_a_json_error(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert "access code" in response.get_json()["error"]
    bad = client.get(path, headers={"Authorization": "Bearer wrong"})
    assert bad.status_code == 401
    basic = client.get(path, headers={"Authorization": f"Basic {CODES['director']}"})
    assert basic.status_code == 401


def test_scenario_for_staff_and_teams(client):
    full = get(client, "/api/scenario", "controller").get_json()
    assert len(full["injects"]) >= 40 and full["injects"][0]["expected_actions"]
    team = get(client, "/api/scenario", "team:alpha").get_json()
    assert "injects" not in team and team["sites"] and team["action_types"]


def test_events_are_paged_and_filtered(app, client):
    for site in ("club", "hq", "farm"):
        submit(app, "director", "move", team="alpha", site=site)
    submit(app, "observer", "evaluation", objective="obj-finance", team="alpha", rating="U", note="no records asked")
    page = get(client, "/api/events?since=1&limit=2", "director").get_json()
    assert [e["seq"] for e in page["events"]] == [2, 3] and page["more"] is True and page["next"] == 3
    rest = get(client, "/api/events?since=3", "director").get_json()
    assert [e["kind"] for e in rest["events"]] == ["evaluation"] and rest["more"] is False
    team = get(client, "/api/events", "team:alpha").get_json()
    assert [e["kind"] for e in team["events"]] == ["move"] * 3
    assert get(client, "/api/events", "team:bravo").get_json()["events"] == []
    screen = get(client, "/api/events", "screen").get_json()["events"]
    assert screen[-1]["kind"] == "evaluation" and screen[-1]["rating"] == "U" and "note" not in screen[-1]


@pytest.mark.parametrize("query, message", [
    ("limit=0", "limit must be a whole number from 1 to 5000"),
    ("limit=5001", "limit must be a whole number from 1 to 5000"),
    ("limit=ten", "limit must be"),
    ("since=-1", "since must be"),
    ("since=1.5", "since must be"),
])
def test_bad_events_query_is_400(client, query, message):
    response = get(client, f"/api/events?{query}", "director")
    assert response.status_code == 400 and message in response.get_json()["error"]


def test_state_now_and_at_an_instant(app, client):
    submit(app, "director", "clock", op="start")
    submit(app, "director", "move", team="bravo", site="construction")
    state = get(client, "/api/state", "director").get_json()
    assert state["clock"]["state"] == "running"
    assert state["teams"]["bravo"]["site"] == "construction"
    assert set(state["objectives"]["obj-identify"]) == {"alpha", "bravo", "charlie", "delta", "echo"}
    before = get(client, "/api/state?at=2000-01-01T00:00:00Z", "director").get_json()
    assert before["clock"]["state"] == "not_started" and before["teams"]["bravo"]["site"] == "police"
    team = get(client, "/api/state", "team:alpha").get_json()
    assert list(team["teams"]) == ["alpha"] and team["objectives"] == {}


@pytest.mark.parametrize("at", ["yesterday", "2026-05-04T09:00:00", "2026-13-01T00:00:00Z"])
def test_bad_state_instant_is_400(client, at):
    response = get(client, f"/api/state?at={at}", "director")
    assert response.status_code == 400 and response.get_json()["error"].startswith("at ")


def test_unknown_api_path_is_a_json_404(client):
    response = get(client, "/api/nothing", "director")
    assert response.status_code == 404 and response.get_json()["ok"] is False


def test_posting_to_a_read_endpoint_is_a_json_405(client):
    response = client.post("/api/events")
    assert response.status_code == 405 and "POST" in response.get_json()["error"]


def test_events_from_an_exercise_time(app, client):
    submit(app, "director", "move", team="alpha", site="club")  # before the start: no exercise time
    submit(app, "director", "clock", op="start", day=2, time="09:00")
    submit(app, "director", "move", team="alpha", site="hq")
    page = get(client, "/api/events?from_exercise_time=118000", "director").get_json()
    assert [e["kind"] for e in page["events"]] == ["clock", "move"]


def test_last_events(app, client):
    for site in ("club", "hq", "farm"):
        submit(app, "director", "move", team="alpha", site=site)
    submit(app, "observer", "evaluation", objective="obj-finance", team="bravo", rating="P", note="n")
    last = get(client, "/api/events?last=2", "team:alpha").get_json()["events"]
    assert [e["site"] for e in last] == ["hq", "farm"]


def test_timeline_counts_per_bucket_lane_and_kind(app, client):
    submit(app, "director", "clock", op="start", day=2, time="09:00")
    for _ in range(3):
        submit(app, "director", "move", team="alpha", site="club")
    wrong = submit(app, "observer", "evaluation", objective="obj-finance", team="bravo", rating="P", note="n")
    submit(app, "observer", "retract", target=wrong["id"], reason="wrong team")
    submit(app, "director", "inject", inject="I-05")
    counts = get(client, "/api/timeline?bucket=900", "director").get_json()["counts"]
    rows = {(c["lane"], c["kind"]): c for c in counts}
    assert rows[("alpha", "move")]["count"] == 3 and rows[("alpha", "move")]["bucket"] == 118800
    assert rows[("injects", "inject")]["count"] == 1 and rows[("control", "clock")]["count"] == 1
    assert ("bravo", "evaluation") not in rows  # retracted
    assert get(client, "/api/timeline", "team:alpha").status_code == 403
    assert get(client, "/api/timeline?bucket=5", "director").status_code == 400
    assert get(client, "/api/timeline?from_exercise_time=9&to_exercise_time=3", "director").status_code == 400


def test_login_by_qr_code_sets_the_session_and_drops_the_code(client):
    response = client.get(f"/login?code={CODES['controller']}")
    assert response.status_code == 303 and response.headers["Location"] == "/director"
    assert client.get("/api/state").status_code == 200  # the session cookie now carries the role
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    copied = client.get_cookie("session").value  # someone copied the cookie before the logout
    logout = client.post("/logout", data={"csrf_token": csrf_of(client.get("/logout"))})
    assert logout.status_code == 303 and logout.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert client.get("/api/state").status_code == 401
    client.set_cookie("session", copied)
    assert client.get("/api/state").status_code == 401  # the session ended on the server


def csrf_of(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))[1]


def login_form(client, **data):
    """Post the login form as a browser does: with the token from the page."""
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    return client.post("/login", data={"csrf_token": token, **data})


def test_login_with_a_wrong_code_is_401_and_says_so(client):
    response = login_form(client, code="nope")
    assert response.status_code == 401 and "That code is not valid" in response.get_data(as_text=True)


def test_login_goes_back_to_the_page_asked_for_but_never_off_site(client):
    assert login_form(client, code=CODES["director"], next="/codes").headers["Location"] == "/codes"
    evil = login_form(client, code=CODES["director"], next="//evil.example/x")
    assert evil.headers["Location"] == "/director"


def test_the_director_page_needs_a_login(client):
    assert client.get("/director").status_code == 302
    client.get(f"/login?code={CODES['observer']}")
    assert client.get("/director").status_code == 403


def test_recent_exercise_seconds(app, client):
    assert get(client, "/api/events?recent_exercise_seconds=60", "director").get_json()["events"] == []
    submit(app, "director", "clock", op="start")
    submit(app, "director", "move", team="alpha", site="hq")
    recent = get(client, "/api/events?recent_exercise_seconds=60", "director").get_json()["events"]
    assert [e["kind"] for e in recent] == ["clock", "move"]


def test_large_json_answers_are_gzipped(app, client):
    for _ in range(30):
        submit(app, "director", "move", team="alpha", site="hq")
    response = client.get("/api/events", headers={"Authorization": f"Bearer {CODES['director']}",
                                                   "Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    import gzip
    import json
    assert len(json.loads(gzip.decompress(response.data))["events"]) == 30
    plain = get(client, "/api/events", "director")
    assert "Content-Encoding" not in plain.headers and len(plain.get_json()["events"]) == 30


def test_scripts_styles_and_pages_go_gzipped_to_a_browser_that_takes_it(client):
    import gzip
    for path in ("/static/js/phone.js", "/static/excon.css", "/static/vendor/socket.io.min.js", "/login"):
        packed = client.get(path, headers={"Accept-Encoding": "gzip, deflate"})
        plain = client.get(path)
        assert packed.status_code == plain.status_code == 200, path
        assert packed.headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain.headers, path
        body = gzip.decompress(packed.data)
        assert len(packed.data) < len(body) / 2, path
        if path.startswith("/static/"):
            assert body == plain.data
    etag = client.get("/static/js/phone.js").headers["ETag"]
    again = client.get("/static/js/phone.js", headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304 and not again.data


def test_the_login_form_needs_its_token(client):
    response = client.post("/login", data={"code": CODES["director"]})
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)
    assert client.get("/api/state").status_code == 401


@pytest.mark.parametrize("path", ["/", "/login", "/director", "/api/state", "/healthz", "/static/excon.css"])
def test_security_headers_on_every_answer(client, path):
    client.get(f"/login?code={CODES['director']}")
    headers = client.get(path).headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "no-referrer"
