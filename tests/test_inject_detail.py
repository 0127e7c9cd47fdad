"""An inject in full for the control cell: the MSEL row, the decisions on it, and what each team answered."""

from .conftest import new_id, wait_for_text


def submit(client, **fields):
    answer = client.submit({"id": new_id(), **fields})
    assert answer["ok"], answer
    return {"id": fields.get("id"), **answer}


def play_i05(server):
    """Day 2: I-05 deferred, then released to Alpha and Charlie; Alpha answers it (once through a correction)."""
    director, controller, alpha, observer = (server.connect(r) for r in ("director", "controller", "team:alpha", "observer"))
    submit(director, kind="clock", op="start", day=2, time="09:10")
    submit(controller, kind="inject_defer", inject="I-05", reason="Actor not ready")
    submit(controller, kind="inject", inject="I-05")
    alpha.wait_for(lambda e: e["kind"] == "inject")
    submit(alpha, kind="action", team="alpha", action_type="plan", site="club", inject="I-05",
           text="Read the surveillance report.")
    later = new_id()
    submit(alpha, id=later, kind="action", team="alpha", action_type="plan", site="club", text="Asked for a warrant.")
    submit(alpha, kind="amend", target=later, inject="I-05", reason="It answered I-05")
    unlinked = new_id()
    submit(alpha, id=unlinked, kind="action", team="alpha", action_type="plan", site="club", inject="I-05", text="Coffee.")
    submit(alpha, kind="retract", target=unlinked, reason="Not an answer")
    submit(observer, kind="evaluation", team="alpha", objective="obj-evidence", rating="S", inject="I-05",
           note="Read it, but no plan for the search.")
    return director


def test_the_detail_lists_decisions_and_answers_with_corrections_applied(server):
    play_i05(server)
    detail = server.get("/api/injects/I-05", "controller").json()
    assert [e["kind"] for e in detail["decisions"]] == ["inject_defer", "inject"]
    texts = [e.get("text") or e.get("note") for e in detail["answers"]]
    assert texts == ["Read the surveillance report.", "Asked for a warrant.", "Read it, but no plan for the search."]
    for role in ("observer", "screen", "team:alpha"):
        assert server.get("/api/injects/I-05", role).status_code == 403
    missing = server.get("/api/injects/I-99", "director")
    assert missing.status_code == 404 and missing.json()["field"] == "inject"
    assert "unknown inject 'I-99'" in missing.json()["error"]


def test_clicking_an_inject_on_the_board_opens_it_in_full(server, open_page):
    play_i05(server)
    view = open_page("controller", viewport={"width": 1920, "height": 1080})
    page = view.page
    page.goto(server.url + "/director")
    page.wait_for_selector("body[data-ready='1']", timeout=15000)
    page.click("#board [data-inject='I-05'] .inject-title")
    wait_for_text(page, "#inject-dialog", "Surveillance report on Club Aurora")
    body = page.inner_text("#inject-dialog").replace("\u2068", "").replace("\u2069", "")
    assert "Expected actions" in body and "Objectives" in body and "From " in body
    assert "Actor not ready" in body  # the decisions, in order
    alpha = page.inner_text("#inject-dialog [data-team='alpha']")
    assert "first answer after" in alpha and "Asked for a warrant." in alpha and "Coffee." not in alpha
    assert "no answer yet" in page.inner_text("#inject-dialog [data-team='charlie']")
    page.click("#inject-close")
    assert not page.is_visible("#inject-dialog")
    assert view.errors == []
