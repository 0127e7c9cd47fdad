"""Photos attached to entries: sent before the entry, kept once by their content, shown only to whoever may
read the entry's text (players never see an evaluator's photo)."""

import hashlib
import struct
import zlib

import pytest
import requests

from control.photos import MAX_BYTES, PhotoError, PhotoStore

from .conftest import CODES, new_id


def png(width=40, height=30, rgb=(200, 80, 20)):
    """Return a small real PNG of one colour."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def upload(server, role, data, content_type="image/png"):
    return requests.post(server.url + "/api/photos", data=data, timeout=10,
                         headers={"Authorization": f"Bearer {CODES[role]}", "Content-Type": content_type})


def test_a_photo_is_stored_once_by_its_content(tmp_path):
    store = PhotoStore(tmp_path / "x.db.photos")
    first = store.put(png())
    assert first["name"] == hashlib.sha256(png()).hexdigest() + ".png" and first["type"] == "image/png"
    assert store.put(png()) == first
    assert [p.name for p in (tmp_path / "x.db.photos").iterdir()] == [first["name"]]
    for bad, words in ((b"", "empty"), (b"GIF89a....", "JPEG, PNG or WebP"), (b"\xff\xd8\xff" + b"0" * MAX_BYTES, "too large")):
        with pytest.raises(PhotoError) as refused:
            store.put(bad)
        assert words in str(refused.value.message)


def test_upload_then_entry_then_only_those_who_read_the_entry_see_the_photo(server):
    answer = upload(server, "observer", png())
    assert answer.status_code == 200, answer.text
    name = answer.json()["name"]
    assert upload(server, "observer", png()).json()["name"] == name  # a resend: the same photo, stored once
    observer = server.connect("observer")
    ack = observer.submit({"id": new_id(), "kind": "evaluation", "team": "alpha", "objective": "obj-identify",
                           "rating": "S", "note": "Photo of the ledger page", "photos": [name]})
    assert ack["ok"], ack
    for role, status in (("director", 200), ("controller", 200), ("observer", 200),
                         ("team:alpha", 404), ("screen", 404)):
        got = server.get(f"/photos/{name}", role)
        assert got.status_code == status, (role, got.status_code)
        if status == 200:
            assert got.content == png() and got.headers["Content-Type"] == "image/png"
    # the entry as players and the screen receive it does not name the photo either
    screen = server.get("/api/events", "screen").json()["events"]
    assert all("photos" not in e for e in screen)


def test_a_teams_photo_is_the_teams_and_the_staffs(server):
    name = upload(server, "team:alpha", png(rgb=(1, 2, 3))).json()["name"]
    ack = server.connect("team:alpha").submit({"id": new_id(), "kind": "action", "team": "alpha", "action_type": "plan",
                                               "site": "club", "text": "Photo of the door", "photos": [name]})
    assert ack["ok"], ack
    for role, status in (("team:alpha", 200), ("team:bravo", 404), ("observer", 200), ("director", 200)):
        assert server.get(f"/photos/{name}", role).status_code == status, role


def test_bad_photos_are_refused_with_a_clear_error_and_nothing_is_stored(server):
    for data, content_type, words in ((b"<html>not a photo</html>", "image/png", "JPEG, PNG or WebP"),
                                      (b"\xff\xd8\xff" + b"0" * MAX_BYTES, "image/jpeg", "too large")):
        answer = upload(server, "observer", data, content_type)
        assert answer.status_code in (400, 413) and words in answer.json()["error"]
    assert upload(server, "screen", png()).status_code == 403  # the big screen logs nothing
    observer = server.connect("observer")
    entry = {"id": new_id(), "kind": "note", "text": "see photo"}
    never_sent = hashlib.sha256(b"never sent").hexdigest() + ".jpg"
    for photos, words in (([never_sent], "has not reached the server"), (["../../etc/passwd"], "as the server named them"),
                          ([never_sent] * 2, "twice"), ([f"{i:064x}.jpg" for i in range(7)], "at most 6")):
        ack = observer.submit({**entry, "id": new_id(), "photos": photos})
        assert not ack["ok"] and ack["field"] == "photos" and words in ack["error"], ack
    assert server.get("/api/events", "director").json()["events"] == []
    assert server.get("/photos/../exercise.db", "director").status_code == 404
    assert server.get(f"/photos/{never_sent}", "director").status_code == 404


def test_a_flood_of_photos_is_slowed_and_a_body_without_length_refused(server):
    def chunks():
        yield png()
    chunked = requests.post(server.url + "/api/photos", data=chunks(), timeout=10,
                            headers={"Authorization": f"Bearer {CODES['team:bravo']}"})
    assert chunked.status_code == 411 and "Content-Length" in chunked.json()["error"]
    answers = [upload(server, "team:charlie", png(rgb=(n, n, n))).status_code for n in range(20)]
    assert answers[:11] == [200] * 11 and 429 in answers  # a phone's few photos go at once; a flood waits
    assert upload(server, "team:delta", png()).status_code == 200  # another role is not held up


def test_an_amend_with_malformed_photos_is_refused_at_its_field(server):
    observer = server.connect("observer")
    note = {"id": new_id(), "kind": "note", "text": "see photo"}
    assert observer.submit(note)["ok"]
    for photos in ([1], [{"a": 1}], 5, "abc"):
        ack = observer.submit({"id": new_id(), "kind": "amend", "target": note["id"], "photos": photos})
        assert not ack["ok"] and ack.get("field") == "photos" and "server failed" not in ack["error"], (photos, ack)
