// The phone pages: /observe (observers' ratings) and /team (a team's actions and moves).
// Every entry goes to the outbox in the browser's storage first, and is marked saved only when
// the server has acknowledged it; the page keeps working offline and sends later, in order.
// User text always goes into the page as text (textContent), never as HTML.

import { Live, getJSON, uuid4 } from "./live.js";
import { Outbox } from "./outbox.js";
import { RULES } from "/rules.js";
import { el, u, wallClock, whenText } from "./views.js";

const body = document.body;
const role = body.dataset.role;
const page = body.dataset.page;
const $ = (id) => document.getElementById(id);
const form = $("entry-form");
const outbox = new Outbox(localStorage, `excon.outbox.${role}`);
const remembered = JSON.parse(localStorage.getItem(`excon.choices.${role}`) || "{}");

const S = { scenario: null, teamSites: {}, injects: new Map(), connected: false, storage: null, amending: null, lastSubmitted: null, received: [] };
let live;

function options(select, items, keep = true) {
  const first = keep && select.options.length && select.options[0].value === "" ? [select.options[0]] : [];
  select.replaceChildren(...first, ...items.map(([value, text]) => el("option", { value, text })));
}

function remember(name, value) {
  remembered[name] = value;
  localStorage.setItem(`excon.choices.${role}`, JSON.stringify(remembered));
}

const name = (list, id) => ((S.scenario[list] || []).find((x) => x.id === id) || { name: id, title: id, label: id });
const teamName = (id) => name("teams", id).name;
const siteName = (id) => name("sites", id).name;

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

function learnInject(event) {
  if (event.kind !== "inject") return;
  const row = (S.scenario.injects || []).find((i) => i.id === event.inject) || {};
  S.injects.set(event.inject, { id: event.inject, title: event.title || row.title, description: event.description || row.description,
    teams: event.teams || row.teams || [], from: event.from || row.from, delivery: event.delivery || row.delivery, ts: event.ts,
    exercise_time: event.exercise_time ?? null });
}

// ---------------------------------------------------------------- the outbox and the banner

async function flush() {
  if (!live) return;
  await outbox.flush((payload) => live.send(payload));
  renderLog();
  renderBanner();
  showRefusal();
}

function renderBanner() {
  const waiting = outbox.waiting().length;
  const banner = $("banner");
  let text;
  let state;
  const entries = `${waiting} ${waiting === 1 ? "entry" : "entries"}`;
  if (!S.connected) {
    text = `Offline — ${entries} waiting`;
    state = "offline";
  } else if (S.storage) {
    text = `The server cannot save right now (${S.storage}) — ${entries} kept on this device, sent again by themselves`;
    state = "offline";
  } else if (waiting) {
    text = `Sending — ${entries} waiting`;
    state = "sending";
  } else {
    text = "Online — everything saved";
    state = "online";
  }
  banner.textContent = text;
  banner.className = `banner banner-${state}`;
  body.dataset.connection = S.connected ? "live" : "offline";
  body.dataset.waiting = String(waiting);
}

function keep(payload, urgent = false) {
  outbox.add(payload, { urgent });
  renderLog();
  renderBanner();
  flush();
}

// ---------------------------------------------------------------- my log

function summary(payload) {
  switch (payload.kind) {
    case "evaluation": return `${u(teamName(payload.team))} — ${u(name("objectives", payload.objective).title)}: ${payload.rating} (${RULES.ratings[payload.rating]}) — ${u(payload.note)}`;
    case "action": return `${u(teamName(payload.team))} — ${u(name("action_types", payload.action_type).label)} at ${u(siteName(payload.site))}: ${u(payload.text)}`;
    case "move": return `${u(teamName(payload.team))} is now at ${u(siteName(payload.site))}`;
    case "note": return `Note: ${u(payload.text)}`;
    case "safety": return `SAFETY ALERT${payload.site ? ` at ${u(siteName(payload.site))}` : ""}: ${payload.text ? u(payload.text) : "(no text)"}`;
    case "amend": return "Correction of an earlier entry";
    case "retract": return `Withdrawal of an earlier entry: ${u(payload.reason)}`;
    default: return payload.kind;
  }
}

/** Each entry as it now reads: corrections laid over it, withdrawn ones marked. */
function currentEntries() {
  const entries = outbox.entries();
  const byId = new Map(entries.map((e) => [e.id, { ...e, payload: { ...e.payload } }]));
  for (const e of entries) {
    const target = e.payload.target && byId.get(e.payload.target);
    if (!target || e.state === "refused") continue;
    if (e.payload.kind === "retract") target.withdrawn = true;
    if (e.payload.kind === "amend") {
      const { id, kind, target: _t, reason, observed_at, ...changes } = e.payload;
      Object.assign(target.payload, changes);
      target.corrected = true;
    }
  }
  return [...byId.values()];
}

function renderLog() {
  const today = new Date().toDateString();
  const entries = currentEntries().filter((e) => new Date(e.madeAt).toDateString() === today).reverse();
  const items = entries.map((e) => {
    const li = el("li", { class: `log-entry state-${e.state}${e.withdrawn ? " withdrawn" : ""}`, "data-id": e.id });
    const label = { waiting: "waiting", saved: "saved", refused: "refused" }[e.state];
    li.append(
      el("span", { class: "log-time", text: wallClock(e.madeAt) }),
      el("span", { class: `log-state`, text: label }),
      el("span", { class: "log-text", text: summary(e.payload) }),
    );
    if (e.state === "refused") li.append(el("span", { class: "log-error", text: u(e.error) }));
    if (e.withdrawn) li.append(el("span", { class: "log-flag", text: "withdrawn" }));
    else if (e.corrected) li.append(el("span", { class: "log-flag", text: "corrected" }));
    if (RULES.correctable.includes(e.payload.kind) && e.state !== "refused" && !e.withdrawn) {
      const buttons = el("span", { class: "log-actions" });
      if (form && formKinds().includes(e.payload.kind)) buttons.append(el("button", { type: "button", text: "Correct", "data-act": "correct" }));
      buttons.append(el("button", { type: "button", text: "Withdraw", "data-act": "withdraw" }));
      li.append(buttons);
    }
    return li;
  });
  $("mylog-list").replaceChildren(...(items.length ? items : [el("li", { class: "empty", text: "Nothing logged on this device today." })]));
}

function formKinds() {
  return page === "observe" ? ["evaluation"] : ["action"];
}

function withdraw(entry) {
  const dialog = $("withdraw-dialog");
  const withdrawForm = $("withdraw-form");
  $("withdraw-what").textContent = summary(entry.payload);
  $("withdraw-error").textContent = "";
  withdrawForm.reset();
  dialog.showModal();
  withdrawForm.onsubmit = (event) => {
    if (event.submitter && event.submitter.value === "cancel") return;
    if (!withdrawForm.reason.value.trim()) {
      event.preventDefault();
      $("withdraw-error").textContent = "Say why, in a few words: the debrief will read it.";
      return;
    }
    keep({ id: uuid4(), kind: "retract", target: entry.id, reason: withdrawForm.reason.value.trim(), observed_at: new Date().toISOString() });
  };
}

// ---------------------------------------------------------------- entry form

function clearErrors() {
  document.querySelectorAll(".field-error").forEach((p) => { p.textContent = ""; });
  document.querySelectorAll("[aria-invalid]").forEach((f) => f.removeAttribute("aria-invalid"));
}

function fieldError(field, message) {
  const box = $(`err-${field}`) || $("err-form");
  box.textContent = message;
  const control = form.elements[field];
  if (control && control.setAttribute) control.setAttribute("aria-invalid", "true");
}

/** Put a server refusal of the entry just made next to the field it names. */
function showRefusal() {
  if (!S.lastSubmitted) return;
  const entry = outbox.entries().find((e) => e.id === S.lastSubmitted);
  if (!entry || entry.state === "waiting") return;
  S.lastSubmitted = null;
  if (entry.state !== "refused") return;
  const match = entry.error.match(/field '(\w+)'|unknown (team|site|objective|inject)|critical task|rating|tag|inject/);
  const field = match ? match[1] || match[2] || { "critical task": "task" }[match[0]] || match[0] : "form";
  fieldError(form.elements[field] ? field : "form", `Not saved: ${entry.error}`);
}

function readForm() {
  const data = Object.fromEntries(new FormData(form).entries());
  const fields = {};
  for (const [key, value] of Object.entries(data)) if (value !== "") fields[key] = key === "bookmark" ? true : value;
  return fields;
}

function check(fields) {
  const required = page === "observe"
    ? { team: "Choose the team you watched.", objective: "Choose the objective.", rating: "Choose a rating: P, S, M or U.", note: "Write what you saw: the note is the evidence." }
    : { team: "Choose the team.", action_type: "Choose what the team did.", site: "Choose where.", text: "Write what was done." };
  let ok = true;
  for (const [field, message] of Object.entries(required)) {
    if (!fields[field] || !String(fields[field]).trim()) { fieldError(field, message); ok = false; }
  }
  return ok;
}

function teamOf() {
  if (page === "observe") return form.elements.team.value;
  return $("team-root").dataset.team || ($("team-pick") && $("team-pick").value);
}

function submitEntry(event) {
  event.preventDefault();
  const tapped = new Date().toISOString(); // the moment of observation, as the observer tapped
  clearErrors();
  const fields = readForm();
  if (page === "team") fields.team = teamOf();
  if (!check(fields)) return;
  const kind = page === "observe" ? "evaluation" : "action";
  let payload;
  if (S.amending) {
    const original = S.amending.payload;
    const changes = {};
    for (const key of new Set([...Object.keys(fields), ...Object.keys(original)])) {
      if (["id", "kind", "observed_at"].includes(key)) continue;
      if ((fields[key] ?? null) !== (original[key] ?? null)) changes[key] = fields[key] ?? null;
    }
    if (!Object.keys(changes).length) { fieldError("form", "Nothing was changed."); return; }
    payload = { id: uuid4(), kind: "amend", target: S.amending.id, ...changes, observed_at: tapped };
  } else {
    payload = { id: uuid4(), kind, ...fields, observed_at: tapped };
  }
  S.lastSubmitted = payload.id;
  keep(payload);
  if (page === "observe") {
    remember("team", fields.team); remember("site", fields.site || ""); remember("objective", fields.objective);
  }
  endAmend();
  resetForm();
}

function resetForm() {
  const keepValues = page === "observe" ? ["team", "site", "objective"] : ["site"];
  const kept = Object.fromEntries(keepValues.map((k) => [k, form.elements[k].value]));
  form.reset();
  for (const [k, v] of Object.entries(kept)) form.elements[k].value = v;
  if (page === "observe") fillTasks();
}

function startAmend(entry) {
  S.amending = entry;
  $("amend-note").hidden = false;
  $("form-title").textContent = "Correct an entry";
  const p = entry.payload;
  for (const element of form.elements) {
    if (!element.name) continue;
    if (element.type === "radio") element.checked = (p[element.name] ?? "") === element.value;
    else if (element.type === "checkbox") element.checked = !!p[element.name];
    else if (element.name === "task") { fillTasks(); element.value = p.task || ""; }
    else if (element.name in p || element.tagName !== "BUTTON") element.value = p[element.name] ?? "";
  }
  form.scrollIntoView();
}

function endAmend() {
  S.amending = null;
  $("amend-note").hidden = true;
  $("form-title").textContent = page === "observe" ? "New observation" : "Log an action";
}

function fillTasks() {
  const objective = name("objectives", form.elements.objective.value);
  options(form.elements.task, (objective.tasks || []).map((t) => [t.id, t.title]));
}

function fillInjects() {
  const select = form.elements.inject;
  const team = teamOf();
  const current = select.value;
  const released = [...S.injects.values()].filter((i) => page === "observe" || i.teams.includes(team));
  options(select, released.map((i) => [i.id, `${u(i.id)} — ${u(i.title)}`]));
  select.value = current;
}

// ---------------------------------------------------------------- the team page's injects

function renderInjects() {
  const list = $("inject-list");
  if (!list) return;
  const team = teamOf();
  const site = S.teamSites[team];
  if (site && !$("move-form").dataset.touched) $("move-form").elements.site.value = site;
  $("team-name").textContent = team ? teamName(team) : "";
  const mine = [...S.injects.values()].filter((i) => i.teams.includes(team)).reverse();
  list.replaceChildren(...(mine.length ? mine.map((i) => {
    const li = el("li", { class: "inject-card", "data-inject": i.id });
    li.append(el("h3", { text: `${u(i.id)} — ${u(i.title)}` }), el("p", { text: u(i.description) }),
      el("p", { class: "inject-meta", text: [i.from, i.delivery].filter(Boolean).map(u).concat(i.exercise_time != null ? whenText(i) : wallClock(i.ts)).join(" · ") }));
    return li;
  }) : [el("li", { class: "empty", text: "No injects released to this team yet." })]));
  fillInjects();
}

// ---------------------------------------------------------------- setting up

function setUpSafety() {
  const dialog = $("safety-dialog");
  const safetyForm = $("safety-form");
  options(safetyForm.site, S.scenario.sites.map((s) => [s.id, s.name]));
  $("safety-open").addEventListener("click", () => { safetyForm.reset(); dialog.showModal(); });
  safetyForm.addEventListener("submit", (event) => {
    if (event.submitter && event.submitter.value !== "ok") return;
    const payload = { id: uuid4(), kind: "safety", text: safetyForm.text.value, observed_at: new Date().toISOString() };
    if (safetyForm.site.value) payload.site = safetyForm.site.value;
    keep(payload, true);
  });
}

function setUpForms() {
  const sc = S.scenario;
  const siteItems = sc.sites.map((s) => [s.id, s.name]);
  if (page === "observe") {
    options(form.elements.team, sc.teams.map((t) => [t.id, t.name]), false);
    options(form.elements.site, siteItems);
    options(form.elements.objective, sc.objectives.map((o) => [o.id, o.title]), false);
    for (const key of ["team", "site", "objective"]) if (remembered[key] !== undefined) form.elements[key].value = remembered[key];
    fillTasks();
    form.elements.objective.addEventListener("change", fillTasks);
  } else {
    const pick = $("team-pick");
    if (pick) {
      options(pick, sc.teams.map((t) => [t.id, t.name]), false);
      if (remembered.team) pick.value = remembered.team;
      pick.addEventListener("change", () => { remember("team", pick.value); renderInjects(); });
    }
    options(form.elements.action_type, sc.action_types.map((a) => [a.id, a.label]), false);
    options(form.elements.site, siteItems, false);
    const move = $("move-form");
    options(move.elements.site, siteItems, false);
    move.elements.site.addEventListener("change", () => { move.dataset.touched = "1"; });
    move.addEventListener("submit", (event) => {
      event.preventDefault();
      keep({ id: uuid4(), kind: "move", team: teamOf(), site: move.elements.site.value, observed_at: new Date().toISOString() });
      form.elements.site.value = move.elements.site.value;
    });
  }
  form.addEventListener("submit", submitEntry);
  $("amend-cancel").addEventListener("click", () => { endAmend(); resetForm(); });
  $("mylog-list").addEventListener("click", (event) => {
    const act = event.target.dataset.act;
    if (!act) return;
    const entry = currentEntries().find((e) => e.id === event.target.closest("[data-id]").dataset.id);
    if (act === "withdraw") withdraw(entry);
    if (act === "correct") startAmend(entry);
  });
}

function onEvent(event) {
  S.received.push(event.kind);
  if (event.kind === "move") S.teamSites[event.team] = event.site;
  learnInject(event);
  if (event.kind === "inject") renderInjects();
  if (page === "observe" && event.kind === "inject") fillInjects();
}

async function main() {
  S.scenario = await cached("/api/scenario", "excon.scenario");
  const state = await cached("/api/state", `excon.state.${role}`).catch(() => ({ last_seq: 0, injects: {} }));
  const recent = await cached("/api/events?last=1000", `excon.events.${role}`).catch(() => ({ events: [] }));
  for (const [id, entry] of Object.entries(state.teams || {})) S.teamSites[id] = entry.site;
  for (const [id, entry] of Object.entries(state.injects || {})) {
    if (entry.status === RULES.inject_status.inject) learnInject({ kind: "inject", inject: id, teams: entry.teams, title: entry.title, ts: entry.at,
      exercise_time: entry.exercise_time });
  }
  recent.events.forEach(learnInject);
  setUpForms();
  setUpSafety();
  renderInjects();
  if (page === "observe") fillInjects();
  renderLog();
  renderBanner();
  live = new Live({
    onEvent,
    onStatus: (status) => {
      S.connected = status === "live";
      renderBanner();
      if (S.connected) flush();
    },
    onHealth: (health) => {
      S.storage = health.ok ? null : health.storage;
      body.dataset.storage = health.ok ? "ok" : "failing";
      renderBanner();
      if (health.ok) flush();
    },
  });
  live.start(state.last_seq || 0);
  setInterval(() => { if (outbox.waiting().length) flush(); }, 5000);
  window.addEventListener("online", flush);
  window.excon = { received: S.received, outbox };
  body.dataset.ready = "1";
}

if ("serviceWorker" in navigator && window.isSecureContext) {
  navigator.serviceWorker.register("/sw.js").catch(() => { /* the page still keeps and sends entries */ });
}

main().catch((error) => {
  $("banner").textContent = `Could not load the exercise: ${error.message}`;
  $("banner").className = "banner banner-offline";
});
