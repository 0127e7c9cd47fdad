// The phone's outbox: every entry is written to the browser's storage before anything else, and
// leaves it only when the server has acknowledged it.  Entries go out one at a time in the order
// they were made; the client `id` makes every resend exactly-once on the server.

const KEEP_DAYS = 14; // saved entries stay in "my log" this long: a week's exercise and its debrief

export class Outbox {
  /** storage: a localStorage-like object; key: where this device's entries for a role live. */
  constructor(storage, key) {
    this.storage = storage;
    this.key = key;
    this.flushing = false;
  }

  load() {
    try {
      const entries = JSON.parse(this.storage.getItem(this.key) || "[]");
      return Array.isArray(entries) ? entries : [];
    } catch {
      return [];
    }
  }

  save(entries) {
    this.storage.setItem(this.key, JSON.stringify(entries));
  }

  /**
   * Keep a new entry (payload with its `id`) as waiting; `urgent` puts it before the others
   * (a safety alert must not queue behind notes).  Returns the stored entry.
   */
  add(payload, { urgent = false, now = Date.now(), photos = [] } = {}) {
    const entries = this.load();
    const entry = { id: payload.id, payload, madeAt: now, state: "waiting" };
    if (photos.length) entry.photos = photos; // local ids of its photos (phone/photos.js): sent before it
    if (urgent) {
      const firstWaiting = entries.findIndex((e) => e.state === "waiting");
      entries.splice(firstWaiting === -1 ? entries.length : firstWaiting, 0, entry);
    } else {
      entries.push(entry);
    }
    this.save(this.prune(entries, now));
    return entry;
  }

  waiting() {
    return this.load().filter((e) => e.state === "waiting");
  }

  entries() {
    return this.load();
  }

  /**
   * Record the server's answer to one entry: saved (with its seq) or refused (with the reason, and
   * the payload `field` it is about when the server names one; entries kept before have no `field`).
   */
  settle(id, ack) {
    const entries = this.load();
    const entry = entries.find((e) => e.id === id);
    if (!entry) return;
    // placed: the exercise time the server places the entry at (when it was made), for "my log"
    if (ack.ok) Object.assign(entry, { state: "saved", seq: ack.seq, placed: ack.placed_time ?? null, error: undefined, field: undefined });
    else Object.assign(entry, { state: "refused", error: ack.error, field: ack.field || undefined });
    this.save(entries);
  }

  /** Change a kept entry's own fields (not its state). */
  update(id, changes) {
    const entries = this.load();
    const entry = entries.find((e) => e.id === id);
    if (!entry) return;
    Object.assign(entry, changes);
    this.save(entries);
  }

  /**
   * Send the waiting entries in order with `send(payload)`, which resolves to the ack, or to null
   * when there is no answer (offline, timeout); an ack with `retry` (rate limit) also waits.  Stops at the first unanswered entry, so order
   * holds.  Resolves to the number of entries settled.
   * sendPhotos(entry): sends an entry's photos first; resolves to {payload} naming them (kept, so a resend
   * is the same entry), null (no network: wait), or {error} (a photo refused: so is the entry).
   */
  async flush(send, sendPhotos = null) {
    if (this.flushing) return 0;
    this.flushing = true;
    let settled = 0;
    try {
      for (;;) {
        const next = this.waiting()[0];
        if (!next) break;
        if (next.photos && next.photos.length && sendPhotos) {
          const sent = await sendPhotos(next);
          if (!sent) break;
          if (sent.error) { this.settle(next.id, { ok: false, error: sent.error, field: "photos" }); settled += 1; continue; }
          this.update(next.id, { payload: sent.payload, photos: [], photosSent: next.photos });
          next.payload = sent.payload;
        }
        const ack = await send(next.payload);
        if (!ack || ack.retry) break; // no answer, or "slow down": keep it waiting, send again later
        this.settle(next.id, ack);
        settled += 1;
      }
    } finally {
      this.flushing = false;
    }
    return settled;
  }

  /** Drop saved entries older than KEEP_DAYS; never a waiting or refused one. */
  prune(entries, now) {
    const limit = now - KEEP_DAYS * 86400 * 1000;
    return entries.filter((e) => e.state !== "saved" || e.madeAt >= limit);
  }
}
