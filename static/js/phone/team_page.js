// What only the team's tablet has: the team picker (director and controllers log for any team),
// "we are now at …" (a move), the cards of the injects released to the team, newest first, and the
// team's requests to the control cell with control's answers.

import { RULES } from "/rules.js";
import { t } from "../i18n.js";
import { observedNow, uuid4 } from "../live.js";
import { el, minutes, options, u, wallClock, whenText } from "../views.js";

const $ = (id) => document.getElementById(id);

/** onTeam(): the team logged for changed (a controller picked another). */
export function teamPage(phone, { onTeam }) {
  const list = $("inject-list");
  const move = $("move-form");
  if (!list) return { render: () => {}, markRead: () => {} };
  const { scenario, form } = phone;

  // Injects this device has shown as read, per team: a new one is marked, counted in the page's title and
  // at the foot of the screen, and, where the team switched it on, announced by a sound and a vibration.
  // A tablet that comes late (a spare, a team that logs in after the case began) has them all as new.
  const seenKey = (team) => `excon.seen.${team}`;
  const seenOf = (team) => new Set(JSON.parse(localStorage.getItem(seenKey(team)) || "[]"));
  const markSeen = (team, ids) => localStorage.setItem(seenKey(team), JSON.stringify([...new Set([...seenOf(team), ...ids])]));
  const baseTitle = document.title;
  const alertBox = $("inject-alert");
  let announced = null; // inject ids already announced on this page (null until the first render)
  let audio = null;

  function announce() {
    if (!alertBox.checked) return;
    if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
    try {
      audio = audio || new AudioContext();
      for (const [at, pitch] of [[0, 880], [0.25, 660]]) {
        const tone = audio.createOscillator();
        const gain = audio.createGain();
        tone.frequency.value = pitch;
        gain.gain.setValueAtTime(0.25, audio.currentTime + at);
        gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + at + 0.2);
        tone.connect(gain).connect(audio.destination);
        tone.start(audio.currentTime + at);
        tone.stop(audio.currentTime + at + 0.2);
      }
    } catch { /* no sound on this browser: the mark and the title still say it */ }
  }

  function card(i, unread) {
    const li = el("li", { class: `inject-card${i.withdrawn ? " withdrawn" : ""}${unread ? " unread" : ""}`, "data-inject": i.id });
    const head = el("h3", {}, unread ? el("span", { class: "new-mark", text: t("NEW") }) : "", i.title ? `${u(i.id)} — ${u(i.title)}` : u(i.id));
    if (i.withdrawn) li.append(el("p", { class: "withdrawn-note", text: t("Withdrawn by control — disregard this inject.") }));
    li.append(head, i.description ? el("p", { text: u(i.description) }) : "",
      el("p", { class: "inject-meta", text: [i.from, i.delivery && t(RULES.labels.delivery[i.delivery] || i.delivery)].filter(Boolean).map(u).concat(i.exercise_time != null ? whenText(i) : wallClock(i.ts)).join(" · ") }));
    if (unread) li.append(el("button", { type: "button", class: "read-button", "data-read": i.id, text: t("Read — mark as seen") }));
    return li;
  }

  /** Draw the injects: new ones in full on top, the ones read folded under "Earlier injects", newest first.
   * Whatever the user is typing stays where it is on the screen (the page scrolls by what was added above it). */
  function render() {
    const team = phone.team();
    const site = phone.teamSites[team];
    if (site && !move.dataset.touched) move.elements.site.value = site;
    if (site && !form.elements.site.value) form.elements.site.value = site; // where the team said it is
    $("team-name").textContent = team ? phone.teamName(team) : "";
    const mine = [...phone.released.values()].filter((i) => i.teams.includes(team)).reverse();
    const seen = team ? seenOf(team) : new Set();
    // A withdrawal is news too: a recalled inject the team had read comes back as new.
    const isNew = (i) => !seen.has(i.withdrawn ? `${i.id}@withdrawn` : i.id);
    const fresh = mine.filter(isNew);
    const read = mine.filter((i) => !isNew(i));
    const focused = document.activeElement && document.activeElement !== document.body ? document.activeElement : null;
    const before = focused ? focused.getBoundingClientRect().top : null;
    list.replaceChildren(...fresh.map((i) => card(i, true)),
      ...(!mine.length ? [el("li", { class: "empty", text: t("No injects released to this team yet.") })] : []));
    const earlier = $("earlier-injects");
    earlier.hidden = !read.length;
    $("earlier-count").textContent = t("Earlier injects (%(n)s)", { n: read.length });
    $("earlier-list").replaceChildren(...read.map((i) => card(i, false)));
    if (focused && before !== null) {
      const main = document.querySelector(".phone-main");
      main.scrollTop += focused.getBoundingClientRect().top - before;
    }
    document.title = fresh.length ? `(${fresh.length}) ${baseTitle}` : baseTitle;
    document.body.dataset.unread = String(fresh.length);
    // Said where it is always in sight (the list may be off the screen while someone types below it).
    notice.hidden = !fresh.length;
    notice.textContent = fresh.length === 1 ? t("1 new inject ↑") : t("%(n)s new injects ↑", { n: fresh.length });
    allRead.hidden = fresh.length < 2;
    const keys = fresh.map((i) => `${i.id}${i.withdrawn ? "@withdrawn" : ""}`);
    if (announced !== null && keys.some((k) => !announced.has(k))) announce();
    announced = new Set([...(announced || []), ...keys]);
    renderRequests(team);
  }

  /** Count injects as read on this tablet (a tap on "Read", or an action that answers one). */
  function markRead(ids) {
    const keys = ids.map((id) => { const inject = phone.released.get(id); return inject && inject.withdrawn ? `${id}@withdrawn` : id; });
    markSeen(phone.team(), keys);
    render();
  }
  const notice = $("new-injects");
  const allRead = $("all-read");
  notice.addEventListener("click", () => $("injects-h").scrollIntoView({ block: "start" }));
  allRead.addEventListener("click", () => markRead([...list.querySelectorAll("[data-read]")].map((b) => b.dataset.read)));
  list.addEventListener("click", (event) => {
    const id = event.target.dataset.read;
    if (id) markRead([id]);
  });
  alertBox.checked = localStorage.getItem("excon.inject-alert") === "1";
  alertBox.addEventListener("change", () => {
    localStorage.setItem("excon.inject-alert", alertBox.checked ? "1" : "0");
    if (alertBox.checked) { audio = audio || new AudioContext(); announce(); } // a tap lets the browser play, and shows how it sounds
  });

  const requestForm = $("request-form");
  const kindLabel = (id) => (scenario.request_kinds || []).find((k) => k.id === id)?.label || t("Other request");

  /** The team's requests, newest first: sent and answered ones from the server, and what still waits in the outbox. */
  function renderRequests(team) {
    const sent = [...phone.requests.values()].filter((r) => r.team === team);
    const known = new Set(sent.map((r) => r.id));
    const queued = phone.outbox.entries().filter((e) => e.payload.kind === "request" && e.payload.team === team
      && !known.has(e.id) && e.state !== "refused").map((e) => ({ ...e.payload, queued: true }));
    const all = [...sent.sort((a, b) => a.seq - b.seq), ...queued].reverse();
    $("request-list").replaceChildren(...all.map((r) => {
      const li = el("li", { class: `request ${r.answer ? "answered" : "open"}`, "data-request": r.id },
        el("p", { class: "request-head" }, el("b", { text: u(kindLabel(r.request_kind)) }), " ", el("span", { class: "muted", text: r.queued ? t("not sent yet") : whenText(r) })),
        el("p", { class: "request-text", text: u(r.text) }));
      const said = { time: minutes(r.response ?? 0), text: u((r.answer || {}).text || "") };
      li.append(el("p", { class: "request-state", text: !r.answer ? t("Waiting for control's answer")
        : r.response == null ? t("Control answered: %(text)s", said) : t("Control answered after %(time)s: %(text)s", said) }));
      return li;
    }));
  }

  const OTHER = "-"; // the request says in its own words what it is for (no kind of the scenario's)
  options(requestForm.elements.request_kind, [["", t("— choose —")], ...(scenario.request_kinds || []).map((k) => [k.id, k.label]),
    [OTHER, t("Other request")]], false);
  requestForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = requestForm.elements.request_text.value;
    const kind = requestForm.elements.request_kind.value;
    $("err-request_kind").textContent = kind ? "" : t("Choose what you ask for (or Other request).");
    $("err-request-text").textContent = text.trim() ? "" : t("Say what you need.");
    if (!kind) { requestForm.elements.request_kind.focus(); return; }
    if (!text.trim()) { requestForm.elements.request_text.focus(); return; }
    const payload = { id: uuid4(), kind: "request", team: phone.team(), text, observed_at: observedNow() };
    if (kind !== OTHER) payload.request_kind = kind;
    phone.keep(payload);
    requestForm.reset();
    render();
  });

  const pick = $("team-pick");
  if (pick) {
    options(pick, scenario.teams.map((team) => [team.id, team.name]), false);
    if (phone.remembered.team) pick.value = phone.remembered.team;
    pick.addEventListener("change", () => { phone.remember("team", pick.value); onTeam(); });
  }
  options(move.elements.site, scenario.sites.map((s) => [s.id, s.name]), false);
  move.elements.site.addEventListener("change", () => { move.dataset.touched = "1"; });
  move.addEventListener("submit", (event) => {
    event.preventDefault();
    phone.keep({ id: uuid4(), kind: "move", team: phone.team(), site: move.elements.site.value, observed_at: observedNow() });
    form.elements.site.value = move.elements.site.value;
  });

  return { render, markRead };
}
