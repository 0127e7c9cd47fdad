"""The phone's outbox logic (static/js/outbox.js), exercised in the browser with an in-memory storage."""

import pytest

HARNESS = """async (script) => {
    const { Outbox } = await import('/static/js/outbox.js');
    const memory = new Map();
    const storage = { getItem: (k) => memory.has(k) ? memory.get(k) : null, setItem: (k, v) => memory.set(k, String(v)) };
    const box = new Outbox(storage, 'k');
    const sent = [];
    const log = (x) => sent.push(x);
    return await (new Function('box', 'storage', 'log', 'sent', `return (async () => { ${script} })()`))(box, storage, log, sent);
}"""


@pytest.fixture
def run(open_page, server):
    page = open_page(bypass_csp=True).page  # the harness builds each check with new Function
    page.goto(server.url + "/login")
    return lambda script: page.evaluate(HARNESS, script)


def test_entries_go_out_in_the_order_they_were_made(run):
    assert run("""
        for (const n of [1, 2, 3]) box.add({ id: 'e' + n, kind: 'note', text: 't' + n });
        await box.flush(async (p) => { log(p.id); return { ok: true, seq: sent.length }; });
        return [sent, box.entries().map(e => [e.state, e.seq])];
    """) == [["e1", "e2", "e3"], [["saved", 1], ["saved", 2], ["saved", 3]]]


def test_flush_stops_at_the_first_unanswered_entry_and_keeps_it(run):
    assert run("""
        for (const n of [1, 2, 3]) box.add({ id: 'e' + n });
        const settled = await box.flush(async (p) => { log(p.id); return p.id === 'e2' ? null : { ok: true, seq: 1 }; });
        return [settled, sent, box.waiting().map(e => e.id)];
    """) == [1, ["e1", "e2"], ["e2", "e3"]]


def test_a_refused_entry_is_kept_with_its_reason_and_the_rest_go_on(run):
    assert run("""
        box.add({ id: 'a' }); box.add({ id: 'b' });
        await box.flush(async (p) => p.id === 'a' ? { ok: false, error: 'unknown team' } : { ok: true, seq: 7 });
        return box.entries().map(e => [e.id, e.state, e.error || e.seq]);
    """) == [["a", "refused", "unknown team"], ["b", "saved", 7]]


def test_an_urgent_entry_goes_before_the_waiting_ones_but_after_the_sent(run):
    assert run("""
        box.add({ id: 'old' });
        await box.flush(async () => ({ ok: true, seq: 1 }));
        box.add({ id: 'n1' }); box.add({ id: 'n2' });
        box.add({ id: 'alarm' }, { urgent: true });
        return box.entries().map(e => e.id);
    """) == ["old", "alarm", "n1", "n2"]


def test_entries_survive_a_new_outbox_on_the_same_storage(run):
    assert run("""
        box.add({ id: 'x' });
        const again = new box.constructor(storage, 'k');
        return again.waiting().map(e => e.id);
    """) == ["x"]


def test_only_old_saved_entries_are_pruned(run):
    assert run("""
        const old = Date.now() - 15 * 86400 * 1000;  // kept 14 days: a week of play and its debrief
        box.add({ id: 'saved-old' }, { now: old }); box.add({ id: 'waiting-old' }, { now: old });
        box.settle('saved-old', { ok: true, seq: 1 });
        box.add({ id: 'today' });
        return box.entries().map(e => e.id);
    """) == ["waiting-old", "today"]


def test_a_second_flush_while_one_runs_does_nothing(run):
    assert run("""
        box.add({ id: 'a' });
        let release;
        const first = box.flush(() => new Promise((r) => { release = r; }));
        const second = await box.flush(async () => { log('second'); return { ok: true, seq: 2 }; });
        release({ ok: true, seq: 1 });
        await first;
        return [second, sent, box.entries()[0].seq];
    """) == [0, [], 1]


def test_broken_storage_reads_as_empty(run):
    assert run("storage.setItem('k', '{not json'); return box.entries();") == []


def test_photos_go_before_their_entry_which_then_names_them_for_every_resend(run):
    assert run("""
        box.add({ id: 'e1', kind: 'note', text: 'see photo' }, { photos: ['local-1'] });
        let network = false;
        const sendPhotos = async (entry) => network ? { payload: { ...entry.payload, photos: ['abc.jpg'] } } : null;
        const send = async (p) => { log(p); return network === 'lost' ? null : { ok: true, seq: 1 }; };
        await box.flush(send, sendPhotos);  // offline: neither the photo nor the entry goes
        const offline = [sent.length, box.entries()[0].state];
        network = 'lost';  // the photo goes; the entry's answer is lost on its way
        await box.flush(send, sendPhotos);
        network = true;
        await box.flush(send, async () => { throw new Error('photos sent twice'); });
        const [entry] = box.entries();
        return [offline, sent.map(p => p.photos), entry.state, entry.photos, entry.photosSent];
    """) == [[0, "waiting"], [["abc.jpg"], ["abc.jpg"]], "saved", [], ["local-1"]]


def test_a_photo_the_server_refuses_refuses_its_entry(run):
    assert run("""
        box.add({ id: 'e1', kind: 'note', text: 'x' }, { photos: ['local-1'] });
        box.add({ id: 'e2', kind: 'note', text: 'y' });
        await box.flush(async (p) => { log(p.id); return { ok: true, seq: 1 }; }, async () => ({ error: 'not a photo' }));
        return [sent, box.entries().map(e => [e.id, e.state, e.error || null, e.field || null])];
    """) == [["e2"], [["e1", "refused", "not a photo", "photos"], ["e2", "saved", None, None]]]
