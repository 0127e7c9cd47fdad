"""A photo taken offline goes with its entry once the network is back: stored once, named by the entry,
shown on the director's screen; the phone keeps it only until the server has it."""

from .test_phone_pages import PHONE, rate, ready, stored
from .test_photos import png

PHOTO = {"name": "ledger.png", "mimeType": "image/png", "buffer": png(900, 1200, (30, 90, 160))}
KEPT_PHOTOS = """() => new Promise((resolve) => { const opening = indexedDB.open('excon-photos', 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore('photos');
    opening.onsuccess = () => { const db = opening.result; const all = db.transaction('photos').objectStore('photos').count();
        all.onsuccess = () => { resolve(all.result); db.close(); }; }; })"""


def test_an_offline_photo_entry_is_stored_once_with_its_photo(open_page, server, tmp_path):
    view = open_page("observer", **PHONE)
    page = ready(view.page)
    view.context.set_offline(True)
    page.wait_for_selector("body[data-connection='offline']", timeout=15000)
    page.set_input_files("#photo-pick input[type=file]", files=[PHOTO])
    page.wait_for_selector("#photo-pick[data-count='1'] img.thumb")
    rate(page, "S", "The ledger page with the cash deposits, photographed.")
    page.wait_for_selector("#banner >> text=Offline — waiting to send: 1")
    assert page.evaluate(KEPT_PHOTOS) == 1 and page.locator("#photo-pick img").count() == 0
    assert "photos: 1" in page.inner_text("#mylog-list")
    view.context.set_offline(False)
    page.wait_for_selector("#banner >> text=Online — everything saved", timeout=20000)
    [event] = stored(server, "evaluation")
    [name] = event["photos"]
    photo = server.get(f"/photos/{name}", "director")
    assert photo.status_code == 200 and photo.content[:3] == b"\xff\xd8\xff"  # made smaller on the phone: a JPEG
    assert [p.name for p in (tmp_path / "exercise.db.photos").iterdir()] == [name]
    until_none_kept = "window.excon && JSON.parse(localStorage.getItem('excon.outbox.observer'))[0].photosSent === undefined"
    page.wait_for_function(until_none_kept, timeout=15000)
    assert page.evaluate(KEPT_PHOTOS) == 0  # the server has it: the phone's copy is gone
    # a lost answer: the entry goes again, with the same photo name; nothing is stored twice
    page.evaluate("""() => { const key = 'excon.outbox.observer'; const entries = JSON.parse(localStorage.getItem(key));
        entries[0].state = 'waiting'; localStorage.setItem(key, JSON.stringify(entries)); }""")
    page.reload()
    ready(page)
    page.wait_for_selector("#banner >> text=Online — everything saved", timeout=15000)
    assert len(stored(server, "evaluation")) == 1
    # the director sees the photo with the entry
    director = open_page("director").page
    director.wait_for_selector(".feed-item .photo-links img.thumb", timeout=15000)
    director.wait_for_function("document.querySelector('.feed-item .photo-links img').naturalWidth > 0", timeout=15000)
