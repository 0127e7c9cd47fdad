// The phone pages: /observe (observers' ratings) and /team (a team's actions and moves).
// Every entry goes to the outbox in the browser's storage first, and is marked saved only when
// the server has acknowledged it; the page keeps working offline and sends later, in order.
// The form, "my log" and the team's own panel are modules of their own in phone/; this one loads
// the exercise (with a copy for offline), keeps the outbox and the banner, and wires them up.
// User text always goes into the page as text (textContent), never as HTML.

import { LANG, t } from "./i18n.js";
import { Live, getJSON, observedNow, uuid4 } from "./live.js";
import { Outbox } from "./outbox.js";
import { RULES } from "/rules.js";
import { options, scenarioViews, u, wallClock, whenText } from "./views.js";
import { entryForm, formKinds } from "./phone/entry_form.js";
import { myLog } from "./phone/my_log.js";
import { assignmentPanel } from "./phone/assignment.js";
import { teamPage } from "./phone/team_page.js";
import { feedbackPanel } from "./phone/feedback.js";
import { dropPhotos, sendPhotos } from "./phone/photos.js";

const body = document.body;
const role = body.dataset.role;
const page = body.dataset.page;
const $ = (id) => document.getElementById(id);
const outbox = new Outbox(localStorage, `excon.outbox.${role}`);
const S = { connected: false, storage: null, received: [] };
let live;
let log;
let form;

// ---------------------------------------------------------------- loading, with a copy for offline

async function cached(path, key) {
  try {
    const value = await getJSON(path);
    localStorage.setItem(key, JSON.stringify(value));
    return value;
  } catch (error) {
    const copy = localStorage.getItem(key);
    if (copy) return JSON.parse(copy);
    throw error;
  }
}

/** Remember an inject released to this device's role, or recalled by control (from the state, a page
 * of events or a broadcast): a recalled one stays, shown withdrawn, until it is released again. */
function learnInject(phone, event) {
  if (event.kind === "inject_recall") {
    if (!phone.released.has(event.inject)) learnInject(phone, { ...event, kind: "inject" });
    phone.released.get(event.inject).withdrawn = event.ts;
    return;
  }
  if (event.kind !== "inject") return;
  const row = (phone.scenario.injects || []).find((i) => i.id === event.inject) || {};
  phone.released.set(event.inject, { id: event.inject, title: event.title || row.title, description: event.description || row.description,
    teams: event.teams || row.teams || [], from: event.from || row.from, delivery: event.delivery || row.delivery, ts: event.ts,
    exercise_time: event.exercise_time ?? null });
}

/** Take in a team's request, control's answer to one, or a request withdrawn or corrected; tell whether it was one. */
function learnRequest(phone, event) {
  const { requests } = phone;
  if (event.kind === "request") {
    requests.set(event.id, { ...event, answer: (requests.get(event.id) || {}).answer || null });
  } else if (event.kind === "request_answer" && requests.has(event.request)) {
    requests.set(event.request, { ...requests.get(event.request), answer: event }); // its response time: from the state
  } else if (["retract", "amend"].includes(event.kind) && requests.has(event.target)) {
    if (event.kind === "retract" || event.removed) requests.delete(event.target);
    else requests.set(event.target, { ...requests.get(event.target), ...event.entry });
  } else {
    return false;
  }
  return true;
}

// ---------------------------------------------------------------- the outbox and the banner

async function flush() {
  if (!live) return;
  await outbox.flush((payload) => live.send(payload), sendPhotos);
  // The server has these entries, and their photos: the phone's copies can go.
  for (const entry of outbox.entries().filter((e) => e.state === "saved" && e.photosSent)) {
    await dropPhotos(entry.photosSent).catch(() => {});
    outbox.update(entry.id, { photosSent: undefined });
  }
  // Saved questionnaire answers on a shared tablet: it keeps that they were given, not what they said (the next
  // person would read them); a phone of one's own keeps them, to change them.
  for (const entry of outbox.entries().filter((e) => e.state === "saved" && e.payload.answers && !body.dataset.person)) {
    outbox.update(entry.id, { payload: { ...entry.payload, answers: undefined } });
  }
  log.render();
  renderBanner();
  form.showRefusal();
  S.feedback?.render(); // "kept on this device" becomes "saved"
}

function renderBanner() {
  const waiting = outbox.waiting().length;
  const banner = $("banner");
  let text;
  let state;
  if (!S.connected) {
    text = t("Offline — waiting to send: %(n)s", { n: waiting });
    state = "offline";
  } else if (S.storage) {
    text = t("The server cannot save right now (%(reason)s) — kept on this device and sent again by themselves: %(n)s",
      { reason: S.storage, n: waiting });
    state = "offline";
  } else if (waiting) {
    text = t("Sending — waiting to send: %(n)s", { n: waiting });
    state = "sending";
  } else {
    text = t("Online — everything saved");
    state = "online";
  }
  banner.textContent = text;
  banner.className = `banner banner-${state}`;
  if (S.phone) renderSafety(S.phone);
  body.dataset.connection = S.connected ? "live" : "offline";
  body.dataset.waiting = String(waiting);
}

/** Put an entry in the outbox (`urgent`: ahead of the others; `photos`: the local ids of its photos) and
 * send what is waiting. */
function keep(payload, urgent = false, photos = []) {
  outbox.add(payload, { urgent, photos });
  if (payload.kind === "action" && payload.inject) S.team.markRead([payload.inject]); // answered: read, surely
  log.render();
  renderBanner();
  flush();
}

/** Say on the safety bar how this device's latest alert stands: waiting to go, received by control,
 * acknowledged (for half an hour after). */
function renderSafety(phone) {
  const box = $("safety-status");
  const latest = outbox.entries().filter((e) => e.payload.kind === "safety").pop();
  const ack = latest && phone.acks && phone.acks[latest.id];
  let text = "";
  if (latest && ack) {
    if (Date.now() - Date.parse(ack.ts) < 30 * 60000) text = t("Safety alert acknowledged by %(who)s at %(time)s", { who: u(ack.who), time: wallClock(ack.ts) });
  } else if (latest && latest.state === "saved") {
    text = t("Safety alert received by control — waiting for acknowledgement");
  } else if (latest && latest.state === "waiting") {
    text = t("Safety alert not sent yet — it goes first when the network is back");
  }
  box.textContent = text;
}

function setUpSafety(scenario) {
  const dialog = $("safety-dialog");
  const safetyForm = $("safety-form");
  options(safetyForm.site, scenario.sites.map((s) => [s.id, s.name]));
  $("safety-open").addEventListener("click", () => { safetyForm.reset(); dialog.showModal(); });
  safetyForm.addEventListener("submit", (event) => {
    if (event.submitter && event.submitter.value !== "ok") return;
    const payload = { id: uuid4(), kind: "safety", text: safetyForm.text.value, observed_at: observedNow() };
    if (safetyForm.site.value) payload.site = safetyForm.site.value;
    keep(payload, true);
  });
}

// ---------------------------------------------------------------- setting up

async function main() {
  // Asked for together (the page announced the first two: they are on their way already); the form is
  // usable with the scenario and the state, the latest events come in behind it.
  const loading = cached("/api/events?last=1000", `excon.events.${role}`).catch(() => ({ events: [] }));
  const [scenario, state] = await Promise.all([cached(`/api/scenario?lang=${LANG}`, "excon.scenario"),
    cached("/api/state", `excon.state.${role}`).catch(() => ({ last_seq: 0, injects: {} }))]);
  const remembered = JSON.parse(localStorage.getItem(`excon.choices.${role}`) || "{}");
  const entryFormElement = $("entry-form");
  const name = (list, id) => ((scenario[list] || []).find((x) => x.id === id) || { name: id, title: id, label: id });
  const phone = {
    page, scenario, outbox, keep, remembered, form: entryFormElement,
    released: new Map(), // inject id -> what this device knows of it, once released to its role
    requests: new Map(), // request id -> a team's request to control as the server has it, with its answer
    teamSites: {}, // team id -> its site, as last moved
    name,
    teamName: (id) => name("teams", id).name,
    siteName: (id) => name("sites", id).name,
    remember(key, value) {
      remembered[key] = value;
      localStorage.setItem(`excon.choices.${role}`, JSON.stringify(remembered));
    },
    /** The team this page logs for: the observer's choice, the tablet's own, or a controller's pick. */
    team() {
      if (page === "observe") return entryFormElement.elements.team.value;
      return $("team-root").dataset.team || ($("team-pick") && $("team-pick").value);
    },
  };
  S.phone = phone;
  // The exercise time of a moment (by the server's clock), from the clock as last heard of: a waiting
  // entry's time until the server places it; the wall clock before the start.
  phone.clockState = { clock: state.clock, at: state.at };
  phone.when = (moment) => {
    const { clock: c, at } = phone.clockState;
    if (!c || c.exercise_time == null || !at) return wallClock(moment);
    const seconds = c.state === "running" ? c.exercise_time + (c.rate || 1) * Math.max(0, Date.parse(moment) - Date.parse(at)) / 1000 : c.exercise_time;
    return whenText({ exercise_time: seconds, ts: moment });
  };
  for (const [id, entry] of Object.entries(state.teams || {})) phone.teamSites[id] = entry.site;
  // Play paused (lunch, a safety stop) or over: every phone says so, with the director's reason and for how long.
  let clock = state.clock || null;
  const renderPlayState = () => {
    const box = $("play-state");
    if (!clock || !["paused", "ended"].includes(clock.state)) { box.hidden = true; return; }
    const parts = { minutes: Math.max(0, Math.floor((Date.now() - Date.parse(clock.since)) / 60000)), reason: u(clock.reason) };
    box.textContent = clock.state === "ended" ? t("The exercise has ended (ENDEX).")
      : clock.reason ? t("Play paused for %(minutes)s min — %(reason)s", parts) : t("Play paused for %(minutes)s min", parts);
    box.hidden = false;
  };
  const learnClock = (event) => {
    if (event.kind !== "clock") return;
    clock = { state: RULES.clock[event.op].to, since: event.ts, reason: event.reason || null };
    renderPlayState();
  };
  renderPlayState();
  setInterval(renderPlayState, 30000);
  for (const [id, entry] of Object.entries(state.injects || {})) {
    if (entry.status === RULES.inject_status.inject || (entry.status === RULES.inject_status.inject_recall && entry.teams)) {
      learnInject(phone, { kind: "inject", inject: id, teams: entry.teams, title: entry.title, ts: entry.at, exercise_time: entry.exercise_time });
      if (entry.status === RULES.inject_status.inject_recall) phone.released.get(id).withdrawn = entry.at;
    }
  }
  for (const request of Object.values(state.requests || {})) phone.requests.set(request.id, request);
  // Control's acknowledgements of this device's safety alerts: alert id -> who and when, kept across reloads.
  phone.acks = JSON.parse(localStorage.getItem(`excon.acks.${role}`) || "{}");
  const learnAck = (event) => {
    if (event.kind !== "safety_ack" || phone.acks[event.target] || !outbox.entries().some((e) => e.id === event.target)) return false;
    phone.acks[event.target] = { who: scenarioViews(scenario).whoName(event), ts: event.ts };
    localStorage.setItem(`excon.acks.${role}`, JSON.stringify(phone.acks));
    return true;
  };

  form = entryForm(phone);
  const assignment = page === "observe" ? assignmentPanel(phone, { onChange: (segment, changed) => form.assign(segment, changed) }) : null;
  assignment?.take(state);
  const feedback = feedbackPanel(phone);
  S.feedback = feedback;
  feedback.take(state);
  // What the phone reads from the state, asked again when it changes: the clock (a waiting entry's time),
  // the assignment, and how long the team waited for control's answers (play time: the server's to say).
  const refreshState = () => cached("/api/state", `excon.state.${role}`).then((fresh) => {
    phone.clockState = { clock: fresh.clock, at: fresh.at };
    assignment?.take(fresh);
    feedback.take(fresh);
    for (const request of Object.values(fresh.requests || {})) phone.requests.set(request.id, request);
    team.render();
  }).catch(() => {});
  const changesAssignments = (event) => ["assignment", "clock"].includes(event.kind)
    || (["amend", "retract"].includes(event.kind) && (!event.entry || event.entry.kind === "assignment"));
  const team = teamPage(phone, { onTeam: () => showInjects() });
  S.team = team;
  const showInjects = () => { team.render(); form.fillInjects(); };
  log = myLog(phone, { correct: form.startAmend, formKinds: formKinds(page) });
  setUpSafety(scenario);
  showInjects();
  log.render();
  renderBanner();
  live = new Live({
    onEvent: (event) => {
      S.received.push(event.kind);
      if (event.kind === "move") phone.teamSites[event.team] = event.site;
      learnClock(event);
      learnInject(phone, event);
      if (event.kind === "inject" || event.kind === "inject_recall") { showInjects(); if (page === "observe") form.showGuide(); }
      if (learnRequest(phone, event)) {
        team.render();
        if (event.kind === "request_answer") refreshState();
      }
      if (changesAssignments(event)) refreshState(); // the clock too: the phone tells waiting entries' time by it
      if (learnAck(event)) { log.render(); renderSafety(phone); }
    },
    onStatus: (status) => {
      S.connected = status === "live";
      renderBanner();
      if (S.connected) { flush(); refreshState(); }
    },
    onHealth: (health) => {
      S.storage = health.ok ? null : health.storage;
      body.dataset.storage = health.ok ? "ok" : "failing";
      renderBanner();
      if (health.ok) flush();
    },
  });
  live.start(state.last_seq || 0);
  loading.then((recent) => {
    recent.events.forEach((event) => learnInject(phone, event));
    if (recent.events.some(learnAck)) renderSafety(phone);
    showInjects();
    log.render();
  });
  setInterval(() => { if (outbox.waiting().length) flush(); }, 5000);
  if ((scenario.feedback || []).length && page === "team") setInterval(refreshState, 60000); // a questionnaire opens at its time
  window.addEventListener("online", flush);
  window.excon = { received: S.received, outbox };
  body.dataset.ready = "1";
}

if ("serviceWorker" in navigator && window.isSecureContext) {
  // The worker keeps the pages in every language the switch offers, so that switching works offline.
  const languages = [...document.querySelectorAll(".language-switch a[data-lang]")].map((a) => a.dataset.lang);
  navigator.serviceWorker.register(`/sw.js?languages=${languages.join(",")}`).catch(() => { /* the page still keeps and sends entries */ });
}

main().catch((error) => {
  $("banner").textContent = t("Could not load the exercise: %(error)s", { error: error.message });
  $("banner").className = "banner banner-offline";
});
