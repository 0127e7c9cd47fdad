"""Sessions and codes: every path that takes a code is throttled, a rotated code stays rotated,
logout ends the session on the server, a login goes back only to this site, a QR code opened over
another login asks first, forwarded addresses are believed from the proxy alone, and every answer
carries the security headers."""

import re
import subprocess
import sys
import time

import pytest
import requests

from control.web import create_app

from .conftest import CODES, CODES_ENV, ROOT, Server


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html)[1]


def browser_logged_in(server, role):
    browser = requests.Session()
    assert browser.get(f"{server.url}/login?code={CODES[role]}", timeout=10).ok
    return browser


def test_the_home_page_is_throttled_like_every_path_that_takes_a_code(server):
    for _ in range(10):
        requests.get(server.url + "/", headers={"Authorization": "Bearer guess"}, timeout=10)
    blocked = requests.get(server.url + "/", headers={"Authorization": f"Bearer {CODES['director']}"}, timeout=10)
    assert blocked.status_code == 429 and "director" not in blocked.text and blocked.headers["Retry-After"]
    assert requests.get(server.url + "/api/state", headers={"Authorization": f"Bearer {CODES['director']}"},
                        timeout=10).status_code == 429


def test_a_rotated_code_stays_rotated_across_a_restart_with_the_same_excon_codes(tmp_path):
    server = Server(tmp_path / "x.db").start()  # EXCON_CODES names every role's code
    server.stop()
    rotated = subprocess.run([sys.executable, str(ROOT / "run.py"), "codes", "--db", server.db_path, "--rotate",
                              "observer"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                             env={"EXCON_CODES": CODES_ENV, "PATH": "/usr/bin:/bin"})
    assert rotated.returncode == 0, rotated.stderr
    again = Server(server.db_path, log_path=tmp_path / "again.log").start()  # the same EXCON_CODES
    try:
        assert again.get("/api/state", "observer").status_code == 401  # the old code is refused
        assert again.get("/api/state", "director").status_code == 200  # the others keep theirs
        assert "rotated away" in again.log_text() and "observer keeps its current code" in again.log_text()
    finally:
        again.stop()


def test_logout_ends_the_session_on_the_server(server):
    browser = browser_logged_in(server, "observer")
    copied = dict(browser.cookies)  # someone copied the cookie from the shared phone
    page = browser.get(server.url + "/observe", timeout=10).text
    logout = browser.post(server.url + "/logout", data={"csrf_token": csrf_of(page)}, timeout=10,
                          allow_redirects=False)
    assert logout.status_code == 303 and '"storage"' in logout.headers["Clear-Site-Data"]
    assert requests.get(server.url + "/api/state", cookies=copied, timeout=10).status_code == 401
    assert requests.get(server.url + "/observe", cookies=copied, timeout=10, allow_redirects=False).status_code == 302


def test_logout_is_a_form_post_that_needs_its_token(server):
    browser = browser_logged_in(server, "observer")
    assert browser.post(server.url + "/logout", data={}, timeout=10).status_code == 400
    assert browser.get(server.url + "/api/state", timeout=10).status_code == 200  # still logged in
    assert "Logged in as" in browser.get(server.url + "/logout", timeout=10).text  # a GET only asks


@pytest.mark.parametrize("target", ["/%09/evil.example", "//evil.example", "/\\evil.example", "https://evil.example",
                                    "/%0d%0a/evil.example", "javascript:alert(1)", "/\t/evil.example"])
def test_a_login_goes_back_only_to_this_site(server, target):
    response = requests.get(f"{server.url}/login?code={CODES['director']}&next={target}", timeout=10,
                            allow_redirects=False)
    assert response.status_code == 303 and response.headers["Location"] == "/director", response.headers["Location"]


def test_a_login_goes_back_to_the_page_it_came_from(server):
    response = requests.get(f"{server.url}/login?code={CODES['director']}&next=/debrief", timeout=10,
                            allow_redirects=False)
    assert response.headers["Location"] == "/debrief"


def test_a_qr_code_opened_over_another_login_asks_first(server):
    browser = browser_logged_in(server, "observer")
    asked = browser.get(f"{server.url}/login?code={CODES['team:alpha']}", timeout=10)
    assert asked.url.endswith("/login?confirm=1") and CODES["team:alpha"] not in asked.url
    assert "This device is logged in as evaluator." in asked.text and "Log in as team tablet: Team Alpha instead?" in asked.text
    assert browser.get(server.url + "/observe", timeout=10, allow_redirects=False).status_code == 200  # unchanged
    confirmed = browser.post(server.url + "/login", data={"confirm": "1", "csrf_token": csrf_of(asked.text)},
                             timeout=10)
    assert confirmed.url.endswith("/team")
    assert browser.get(server.url + "/observe", timeout=10).status_code == 403  # now the team's tablet


def test_a_login_link_followed_from_another_site_asks_first(server):
    fresh = requests.Session()
    asked = fresh.get(f"{server.url}/login?code={CODES['observer']}", headers={"Sec-Fetch-Site": "cross-site"},
                      timeout=10)
    assert asked.url.endswith("/login?confirm=1") and "Log in as evaluator?" in asked.text
    assert fresh.get(server.url + "/api/state", timeout=10).status_code == 401  # not logged in without the tap


def test_the_same_qr_code_again_just_opens_the_page(server):
    browser = browser_logged_in(server, "observer")
    again = browser.get(f"{server.url}/login?code={CODES['observer']}", timeout=10)
    assert again.url.endswith("/observe")


def test_forwarded_addresses_are_believed_from_the_proxy_alone(tmp_path):
    app = create_app({"DATABASE": str(tmp_path / "p.db"), "CODES": CODES_ENV, "ASYNC_MODE": "threading",
                      "BEHIND_PROXY": True, "PROXY_ADDRESS": "10.0.0.1"})
    client = app.test_client()

    def state(code, forwarded, remote):
        return client.get("/api/state", headers={"Authorization": f"Bearer {code}", "X-Forwarded-For": forwarded},
                          environ_base={"REMOTE_ADDR": remote})

    for i in range(10):  # a guesser who reaches the port directly makes up a new address each time
        assert state("guess", f"192.0.2.{i}", "10.9.9.9").status_code == 401
    assert state(CODES["director"], "192.0.2.200", "10.9.9.9").status_code == 429  # counted as itself
    assert state(CODES["director"], "192.0.2.7", "10.0.0.1").status_code == 200  # through the proxy: its client


def test_every_answer_carries_the_security_headers_socket_io_too(server):
    for path in ("/socket.io/?EIO=4&transport=polling", "/healthz", "/login", "/static/excon.css", "/nowhere"):
        response = requests.get(server.url + path, timeout=10)
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path
        assert response.headers["Referrer-Policy"] == "no-referrer", path


def test_logging_in_again_closes_the_session_it_replaces(server):
    browser = browser_logged_in(server, "observer")
    old_cookie = dict(browser.cookies)
    assert browser.get(f"{server.url}/login?code={CODES['screen']}", timeout=10).url.endswith("/login?confirm=1")
    page = browser.get(server.url + "/login?confirm=1", timeout=10).text
    browser.post(server.url + "/login", data={"confirm": "1", "csrf_token": csrf_of(page)}, timeout=10)
    assert browser.get(server.url + "/director", timeout=10, allow_redirects=False).status_code == 200
    assert requests.get(server.url + "/api/evidence", cookies=old_cookie, timeout=10).status_code == 401


def test_head_on_the_login_link_follows_the_same_rules(server):
    browser = browser_logged_in(server, "observer")
    asked = browser.head(f"{server.url}/login?code={CODES['team:alpha']}", headers={"Sec-Fetch-Site": "cross-site"},
                         timeout=10)
    assert asked.status_code == 303 and asked.headers["Location"].endswith("/login?confirm=1")
    assert browser.get(server.url + "/observe", timeout=10, allow_redirects=False).status_code == 200
    for _ in range(12):  # a HEAD without a code is no wrong code
        requests.head(server.url + "/login", timeout=10)
    assert requests.get(server.url + "/api/state", headers={"Authorization": f"Bearer {CODES['director']}"},
                        timeout=10).status_code == 200


def test_logout_closes_the_sockets_of_the_session(server):
    import socketio

    browser = browser_logged_in(server, "observer")
    client = socketio.Client(reconnection=False)
    client.connect(server.url, headers={"Cookie": "; ".join(f"{k}={v}" for k, v in browser.cookies.items())},
                   transports=["websocket"], wait_timeout=10)
    page = browser.get(server.url + "/observe", timeout=10).text
    browser.post(server.url + "/logout", data={"csrf_token": csrf_of(page)}, timeout=10)
    deadline = time.monotonic() + 10
    while client.connected and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not client.connected


def test_the_screen_reads_the_msel_without_what_control_expects(server):
    rows = server.get("/api/scenario", "screen").json()["injects"]
    assert rows and not any("expected_actions" in r or "controller_notes" in r for r in rows)
    assert all("expected_actions" in r for r in server.get("/api/scenario", "controller").json()["injects"])
