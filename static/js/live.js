// The live connection every ExCon page shares: Socket.IO with the login session, catch-up
// through `resume` after every (re)connect, each event delivered once (by seq), and submit
// with a client UUID so that a resend never creates a second event.  The connection tells the
// server the page's language (`lang`), in which it answers acks.

import { LANG, t } from "./i18n.js";

/** Return a random version-4 UUID (crypto.randomUUID needs HTTPS; the venue LAN may be plain HTTP). */
export function uuid4() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** GET a JSON API path with the session cookie; throw an Error carrying the server's message. */
export async function getJSON(path) {
  const response = await fetch(path, { credentials: "same-origin", headers: { Accept: "application/json" } });
  let body = null;
  try { body = await response.json(); } catch { /* not JSON */ }
  if (!response.ok) throw new Error((body && body.error) || `${response.status} ${response.statusText}`);
  return body;
}

// How far this device's clock is from the server's (ms, server minus device), learnt at every catch-up and kept
// across reloads: entries are stamped with the server's time of their making, so that a phone whose clock is
// wrong still places them where they belong, and the server refuses no honest one as "in the future".
let clockSkew = Number(localStorage.getItem("excon.clock-skew")) || 0;

/** Return the time now by the server's clock, as ISO 8601: what an entry's `observed_at` says. */
export const observedNow = () => new Date(Date.now() + clockSkew).toISOString();

function learnSkew(serverTime, sentAt, answeredAt) {
  const at = Date.parse(serverTime);
  if (Number.isNaN(at)) return;
  clockSkew = Math.round(at - (sentAt + answeredAt) / 2);
  try { localStorage.setItem("excon.clock-skew", String(clockSkew)); } catch { /* storage full: keep it for this page */ }
}

const CATCH_UP_EVERY = 20000; // ms: ask for what was missed even without a reconnect (a broadcast lost on its way)

export class Live {
  /**
   * onEvent(event): called once per event, in arrival order.
   * onStatus(status): "live" | "reconnecting" | "offline" | "refused".
   * onHealth(health): the server's storage is failing ({ok: false, storage: "why"}) or works again.
   * onReset(): the server's log is not the one this page was drawn from (restored from a backup,
   *   or a new file): draw everything again (by default, reload the page; the phones' entries stay).
   * onState(push): the state of this page's view, pushed after commits (director, controllers, screen).
   * onCaughtUp(): connected and caught up, after every (re)connect and after a catch-up that found
   *   events the broadcasts had not brought (what else was pushed meanwhile may be lost too).
   */
  constructor({ onEvent, onStatus, onHealth = () => {}, onReset = () => window.location.reload(), onState = () => {},
    onCaughtUp = () => {} }) {
    this.onEvent = onEvent;
    this.onStatus = onStatus;
    this.onHealth = onHealth;
    this.onReset = onReset;
    this.onState = onState;
    this.onCaughtUp = onCaughtUp;
    this.ids = new Map(); // seq -> id of every event this page has
    this.lastSeq = 0;
    this.socket = null;
    this.catching = false;
  }

  /** Connect and catch up from `sinceSeq` (what the page has already drawn). */
  start(sinceSeq) {
    this.lastSeq = sinceSeq;
    // eslint-disable-next-line no-undef
    this.socket = io({ transports: ["websocket", "polling"], reconnectionDelayMax: 5000, query: { lang: LANG } });
    this.socket.on("connect", () => { this.caughtUp = false; this.catchUp(); });
    this.socket.on("event", (event) => this.deliver(event));
    this.socket.on("health", (health) => this.onHealth(health));
    this.socket.on("state", (push) => this.onState(push));
    this.socket.on("disconnect", () => this.onStatus("reconnecting"));
    this.socket.on("connect_error", () => this.onStatus(this.socket.active ? "offline" : "refused"));
    setInterval(() => { if (this.socket.connected) this.catchUp(); }, CATCH_UP_EVERY);
  }

  async catchUp() {
    if (this.catching) return;
    this.catching = true;
    try {
      let more = true;
      while (more) {
        const since = this.lastSeq;
        const sentAt = Date.now();
        const ack = await this.socket.timeout(15000).emitWithAck("resume", { since }).catch(() => null);
        if (ack && ack.at) learnSkew(ack.at, sentAt, Date.now());
        if (ack && ack.retry) { await new Promise((r) => setTimeout(r, 1000)); continue; }
        if (!ack || !ack.ok) { this.onStatus("offline"); return; }
        if (ack.reset || (ack.at_since && this.ids.has(since) && this.ids.get(since) !== ack.at_since)) {
          this.onReset();
          return;
        }
        const before = this.lastSeq;
        ack.events.forEach((event) => this.deliver(event));
        if (this.lastSeq > before) this.caughtUp = false; // broadcasts were missed: pushes may have been too
        this.lastSeq = Math.max(this.lastSeq, ack.next);
        more = ack.more;
      }
      this.onStatus("live");
      if (!this.caughtUp) { this.caughtUp = true; this.onCaughtUp(); }
    } finally {
      this.catching = false;
    }
  }

  deliver(event) {
    if (this.ids.has(event.seq)) return;
    this.ids.set(event.seq, event.id);
    this.lastSeq = Math.max(this.lastSeq, event.seq);
    this.onEvent(event);
  }

  /** Mark events already drawn from an HTTP load as seen, so live copies are ignored. */
  markSeen(events) {
    events.forEach((event) => this.ids.set(event.seq, event.id));
  }

  /** Ask for the state of this page's view: {version, state} (the last push), or null when unanswered. */
  async askState() {
    const ack = await this.socket.timeout(15000).emitWithAck("state").catch(() => null);
    return ack && (ack.ok || ack.retry) ? ack : null;
  }

  /** Send one payload as it is; resolve with the ack, or null when offline or unanswered (send again later). */
  async send(payload) {
    if (!this.socket || !this.socket.connected) return null;
    try {
      return await this.socket.timeout(10000).emitWithAck("submit", payload);
    } catch {
      return null;
    }
  }

  /** Submit `fields` as a new event; resolve with the server's ack ({ok, seq, duplicate} or {ok:false, error}). */
  async submit(fields) {
    const payload = { id: uuid4(), observed_at: observedNow(), ...fields };
    try {
      return await this.socket.timeout(15000).emitWithAck("submit", payload);
    } catch {
      return { ok: false, error: t("No answer from the server: check the connection and try again.") };
    }
  }
}
