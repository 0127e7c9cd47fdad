"""The `run.py` command line: codes, refusals of broken input, a clean stop."""

import json
import os
import signal
import subprocess
import sys

from control.scenario import load_scenario

from .conftest import ROOT, Server


def run(*args, env=None):
    return subprocess.run([sys.executable, str(ROOT / "run.py"), *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, env={**os.environ, **(env or {})})


def test_codes_are_generated_once_and_printed_again(tmp_path):
    db = str(tmp_path / "x.db")
    env = {"EXCON_CODES": ""}
    first = run("codes", "--db", db, env=env)
    second = run("codes", "--db", db, env=env)
    assert first.returncode == 0 and first.stdout == second.stdout
    lines = dict(line.split()[:2] for line in first.stdout.splitlines())
    roles = {"director", "controller", "observer", "screen", "team:alpha", "team:bravo", "team:charlie", "team:delta",
             "team:echo"}
    assert set(lines) == roles | {f"person:{p}" for p in load_scenario(ROOT / "scenarios.json").people}
    assert len(set(lines.values())) == len(lines)
    assert "  person:p-eval-1" in first.stdout and "Jan Novák (evaluator)" in first.stdout  # a person, by name


def test_env_codes_win(tmp_path):
    out = run("codes", "--db", str(tmp_path / "x.db"), env={"EXCON_CODES": "director=open-sesame"}).stdout
    assert "open-sesame" in out


def test_bad_env_codes_stop_the_start_with_a_message(tmp_path):
    result = run("codes", "--db", str(tmp_path / "x.db"), env={"EXCON_CODES": "admiral=xyz12"})
    assert result.returncode != 0 and "unknown role 'admiral'" in result.stderr


def test_broken_scenario_stops_the_start_naming_the_entry(tmp_path):
    raw = json.loads((ROOT / "scenarios.json").read_text(encoding="utf-8"))
    raw["injects"][2]["site"] = "moon"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    result = run("--scenario", str(path), "--db", str(tmp_path / "x.db"))
    assert result.returncode != 0
    assert "inject 'I-03': unknown site 'moon'" in result.stderr


def test_start_prints_urls_and_codes_and_ctrl_c_stops_it(tmp_path):
    srv = Server(tmp_path / "x.db").start()
    srv.proc.send_signal(signal.SIGINT)
    assert srv.proc.wait(10) == 0
    srv.output.close()
    out = srv.log_text()
    assert f"http://127.0.0.1:{srv.port}/" in out and "dir-code" in out and "ExCon stopped." in out


def test_codes_sheet_file_has_a_qr_code_per_role_and_per_person(tmp_path):
    sheet = tmp_path / "codes.html"
    result = run("codes", "--db", str(tmp_path / "x.db"), "--sheet", str(sheet), "--url", "http://10.0.0.5:5000",
                 env={"EXCON_CODES": "director=open-door-1"})
    assert result.returncode == 0, result.stderr
    html = sheet.read_text(encoding="utf-8")
    people = load_scenario(ROOT / "scenarios.json").people
    assert html.count("<svg") == 9 + len(people) and "http://10.0.0.5:5000/login?code=open-door-1" in html
    assert "Jan Novák (evaluator)" in html and "Oliver Brandt (participant)" in html  # a card to cut out, by name
    # opened from disk it is styled as from the server: its style inline, nothing loaded from elsewhere
    assert "<style>" in html and "@page { size: A4" in html and "<link" not in html and "<script" not in html


def test_the_codes_sheet_points_at_the_port_the_server_last_served(tmp_path):
    import time

    from control.eventlog import EventLog

    db = tmp_path / "served.db"
    srv = Server(db).start()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:  # the server notes its address just after it starts
        log = EventLog(db)
        noted = log.stored_setting("phones_url")
        log.close()
        if noted:
            break
        time.sleep(0.2)
    srv.stop()
    sheet = tmp_path / "codes.html"
    result = run("codes", "--db", str(db), "--sheet", str(sheet))
    assert result.returncode == 0, result.stderr
    assert f":{srv.port}/login?code=" in sheet.read_text(encoding="utf-8")  # not run.py's default port 5000


def test_demo_plays_a_day_through_the_real_socket_path(tmp_path):
    import time

    import socketio as sio

    from .conftest import free_port
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "run.py"), "demo", "--port", str(port),
                             "--db", str(tmp_path / "demo.db")], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env={**os.environ, "EXCON_CODES": "director=demo-dir"})
    try:
        client = sio.Client()
        for _ in range(100):
            try:
                client.connect(f"http://127.0.0.1:{port}", auth={"code": "demo-dir"}, transports=["websocket"])
                break
            except sio.exceptions.ConnectionError:
                time.sleep(0.2)
        kinds = set()
        client.on("event", lambda e: kinds.add(e["kind"]))
        deadline = time.monotonic() + 90
        wanted = {"clock", "move", "inject", "action", "evaluation"}
        while not wanted <= kinds and time.monotonic() < deadline:
            time.sleep(0.5)
        client.disconnect()
        assert wanted <= kinds, f"the demo sent only {kinds}"
    finally:
        proc.send_signal(signal.SIGINT)
        out = proc.communicate(timeout=20)[0]
    assert "/login?code=demo-dir" in out


def test_demo_refuses_to_overwrite_a_real_log(tmp_path):
    real = tmp_path / "exercise.db"
    real.write_bytes(b"")
    result = run("demo", "--db", str(real))
    assert result.returncode != 0 and "give it a new file" in result.stderr


def test_a_log_written_for_another_exercise_is_refused(tmp_path):
    db = tmp_path / "x.db"
    assert run("codes", "--db", str(db)).returncode == 0  # written for the default scenario
    other = json.loads((ROOT / "scenarios.json").read_text(encoding="utf-8"))
    other["exercise"]["id"] = "another-exercise"
    path = tmp_path / "other.json"
    path.write_text(json.dumps(other), encoding="utf-8")
    result = run("--db", str(db), "--scenario", str(path), "--port", "1")
    assert result.returncode != 0
    assert "holds the log of exercise 'marenburg-2026', not of 'another-exercise'" in result.stderr


def test_a_log_naming_ids_the_scenario_lost_is_refused(tmp_path):
    from control.eventlog import EventLog

    db = tmp_path / "x.db"
    assert run("codes", "--db", str(db)).returncode == 0
    log = EventLog(db)
    log.append({"id": "6f1c2b3a-0000-4000-8000-000000000001", "kind": "move", "ts": "2026-05-05T07:00:00.000000Z",
                "exercise_time": None, "role": "team:alpha", "team": "alpha", "site": "club"})
    log.close()
    edited = json.loads((ROOT / "scenarios.json").read_text(encoding="utf-8"))
    edited["sites"] = [s for s in edited["sites"] if s["id"] != "club"]
    edited["injects"] = [i for i in edited["injects"] if i["site"] != "club"]
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(edited), encoding="utf-8")
    result = run("--db", str(db), "--scenario", str(path), "--port", "1")
    assert result.returncode != 0 and "has events about site 'club', which the scenario no longer has" in result.stderr
