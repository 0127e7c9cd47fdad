// The director's big screen: clock, timeline, map, inject board, objective coverage, feed and the
// safety alarm, all drawn from the event log and kept live over Socket.IO.
// User text always goes into the page as text (textContent), never as HTML.

import { Live, getJSON } from "./live.js";
import {
  DAY, KIND_STYLE, aggregateTraces, binEvents, clockSeconds, ctx, dayRange, describe, el, exerciseClockText,
  exerciseTicks, lane, lanes, mapFigure, minutes, plotText, siteName, styleKey, teamColor, teamName, u, whenText,
} from "./views.js";

/* global Plotly */

const WINDOW = 2 * 3600; // exercise seconds the timeline shows when it follows "now"
const OVERDUE_AFTER = 10 * 60; // exercise seconds past its time before an inject counts as overdue
const FEED_LENGTH = 80;
const RAW_POINTS = 800; // above this many events in the window, the timeline draws 5-minute counts (SVG stays fast)
const body = document.body;
const can = { clock: body.dataset.canClock === "1", inject: body.dataset.canInject === "1", ack: body.dataset.canAck === "1" };

// Okabe–Ito colours: safe with the common colour-vision deficiencies.
const S = {
  scenario: null,
  state: null, // the server's fold, kept current by applyToState
  stateSeq: 0,
  skew: 0, // server time minus this browser's time, ms
  events: new Map(), // seq -> event (as received)
  byId: new Map(), // id -> event
  retracted: new Set(),
  zoom: "window",
  zoomData: null,
  boardDay: null,
  boardDayChosen: false,
};
let live;

// ---------------------------------------------------------------- helpers

const $ = (id) => document.getElementById(id);
const serverNow = () => Date.now() + S.skew;
const injectSeconds = (inj) => (inj.day - 1) * DAY + clockSeconds(inj.time);
/** Exercise time now, from the last known clock state. */
function exerciseNow() {
  const c = S.state.clock;
  if (c.exercise_time === null) return null;
  if (c.state !== "running") return c.exercise_time;
  return c.exercise_time + (c.rate || 1) * Math.max(0, serverNow() - Date.parse(c.at || S.state.at)) / 1000;
}

function toast(message, bad = true) {
  const box = $("toast");
  box.textContent = message;
  box.classList.toggle("bad", bad);
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 6000);
}

// ---------------------------------------------------------------- state

/** Fold one new event into the local copy of the state (the same rules as control/state.py). */
function applyToState(event) {
  if (event.seq <= S.stateSeq) return;
  S.stateSeq = event.seq;
  const st = S.state;
  const team = event.team;
  switch (event.kind) {
    case "clock": {
      const next = { start: "running", pause: "paused", resume: "running", end: "ended" }[event.op];
      Object.assign(st.clock, { state: next, exercise_time: event.exercise_time, at: event.ts, since: event.ts });
      if (event.op === "start" || event.op === "resume") st.clock.rate = event.rate || 1;
      break;
    }
    case "move":
      if (st.teams[team]) Object.assign(st.teams[team], { site: event.site, since: event.ts });
      break;
    case "action": {
      if (st.teams[team]) { st.teams[team].actions += 1; st.teams[team].last_action = event.ts; }
      const entry = event.inject && st.injects[event.inject];
      if (entry && entry.status === "released" && !(team in entry.responses)) {
        const seconds = entry.exercise_time !== null && event.exercise_time !== null
          ? event.exercise_time - entry.exercise_time : (Date.parse(event.ts) - Date.parse(entry.at)) / 1000;
        entry.responses[team] = Math.max(0, Math.round(seconds * 10) / 10);
      }
      break;
    }
    case "inject": case "inject_skip": case "inject_defer": {
      const entry = st.injects[event.inject] || (st.injects[event.inject] = {});
      Object.assign(entry, { status: { inject: "released", inject_skip: "skipped", inject_defer: "deferred" }[event.kind], at: event.ts, exercise_time: event.exercise_time, seq: event.seq });
      if (event.kind === "inject") Object.assign(entry, { teams: event.teams, title: event.title, responses: {}, adhoc: !!event.adhoc });
      else entry.reason = event.reason;
      break;
    }
    case "evaluation": {
      const row = st.objectives[event.objective];
      if (row && row[team]) row[team][event.rating] += 1;
      break;
    }
    case "safety":
      st.safety.push({ id: event.id, seq: event.seq, ts: event.ts, role: event.role, text: event.text, site: event.site });
      break;
    case "safety_ack":
      st.safety = st.safety.filter((alert) => alert.id !== event.target);
      break;
    case "retract": case "amend":
      refreshState(); // a correction may change anything before it: fold again on the server
      break;
    default:
  }
}

let refreshTimer = null;
function refreshState() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(async () => {
    const fresh = await getJSON("/api/state").catch(() => null);
    if (!fresh) return;
    adoptState(fresh);
    renderAll();
  }, 300);
}

function adoptState(state) {
  S.skew = Date.parse(state.at) - Date.now();
  state.clock.at = state.at;
  S.state = state;
  S.stateSeq = state.last_seq;
}

function remember(event) {
  S.events.set(event.seq, event);
  if (event.kind === "retract") S.retracted.add(event.target);
  if (event.kind === "amend") {
    const target = S.byId.get(event.target);
    if (target) {
      const { id, seq, kind, ts, exercise_time, role, target: _t, reason, observed_at, ...changes } = event;
      Object.assign(target, changes);
    }
  }
  S.byId.set(event.id, event);
}

function onEvent(event) {
  remember(event);
  applyToState(event);
  if (event.site) pulse(event.site);
  scheduleRender();
}

// ---------------------------------------------------------------- clock

const STATE_LABEL = { not_started: "NOT STARTED", running: "RUNNING", paused: "PAUSED", ended: "ENDED" };

function renderClock() {
  const c = S.state.clock;
  const stateBox = $("clock-state");
  stateBox.textContent = `${STATE_LABEL[c.state]}${c.state === "running" && c.rate > 1 ? ` ×${c.rate}` : ""}`;
  stateBox.className = `clock-state state-${c.state}`;
  body.dataset.clock = c.state;
  const t = exerciseClockText(exerciseNow());
  $("clock-day").textContent = t ? `Day ${t.day}` : "Day –";
  $("clock-time").textContent = t ? t.time : "--:--:--";
  const controls = $("clock-controls");
  if (controls) {
    const allowed = { start: ["not_started"], pause: ["running"], resume: ["paused"], end: ["running", "paused"] };
    controls.querySelectorAll("button").forEach((b) => { b.hidden = !allowed[b.dataset.op].includes(c.state); });
  }
}

function dayStart(day) {
  const entry = S.scenario.days.find((d) => d.day === day);
  return entry ? entry.schedule[0].start : "09:00";
}

async function clockAction(op) {
  const now = exerciseClockText(exerciseNow());
  const extra = el("div");
  let dayInput = null;
  let timeInput = null;
  if (op === "start" || op === "resume") {
    const nextDay = op === "start" ? 1 : Math.min(S.scenario.days.length, (now ? now.day : 0) + 1);
    const jump = el("input", { type: "checkbox", name: "jump", checked: op === "start" });
    dayInput = el("select", { name: "day" });
    S.scenario.days.forEach((d) => dayInput.append(el("option", { value: d.day, text: `Day ${d.day} — ${u(d.title)}`, selected: d.day === nextDay })));
    timeInput = el("input", { type: "time", name: "time", value: dayStart(nextDay) });
    dayInput.addEventListener("change", () => { timeInput.value = dayStart(Number(dayInput.value)); });
    extra.append(el("label", {}, jump, op === "start" ? " Start at" : " Jump to"), " ", dayInput, " ", timeInput);
    dayInput.dataset.jump = "1";
    dayInput.jump = jump;
  }
  const question = {
    start: "Start the exercise clock? Play begins for every team.",
    pause: `Pause the exercise clock at ${now ? `day ${now.day} ${now.time}` : "now"}? Exercise time stops.`,
    resume: `Resume the exercise clock${now ? ` (paused at day ${now.day} ${now.time})` : ""}?`,
    end: "End the exercise (ENDEX)? The clock cannot be restarted.",
  }[op];
  if (!(await confirmDialog(question, extra, op === "end" ? "End exercise" : op[0].toUpperCase() + op.slice(1)))) return;
  const fields = { kind: "clock", op };
  if (dayInput && dayInput.jump.checked) Object.assign(fields, { day: Number(dayInput.value), time: timeInput.value });
  report(await live.submit(fields), `Clock: ${op}`);
}

function report(ack, what) {
  if (ack.ok) toast(`${what} — saved`, false);
  else toast(`${what} — refused: ${ack.error}`);
}

function confirmDialog(text, extra = null, okLabel = "Confirm") {
  const dialog = $("confirm-dialog");
  $("confirm-text").textContent = text;
  const slot = $("confirm-extra");
  slot.replaceChildren(...(extra ? [extra] : []));
  $("confirm-ok").textContent = okLabel;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
  });
}

// ---------------------------------------------------------------- timeline

function timelineTraces(events) {
  const groups = new Map();
  for (const event of events) {
    if (["retract", "amend"].includes(event.kind) || S.retracted.has(event.id) || event.exercise_time === null) continue;
    const key = styleKey(event);
    if (!KIND_STYLE[key]) continue;
    if (!groups.has(key)) groups.set(key, { x: [], y: [], text: [], colors: [] });
    const g = groups.get(key);
    g.x.push(event.exercise_time);
    g.y.push(lane(event));
    g.text.push(hoverFor(event));
    g.colors.push(event.team && ["action", "move"].includes(event.kind) ? teamColor(event.team) : KIND_STYLE[key].color);
  }
  return [...groups.entries()].map(([key, g]) => ({
    type: "scatter", mode: "markers", name: KIND_STYLE[key].name, x: g.x, y: g.y, hovertext: g.text, hoverinfo: "text",
    marker: { symbol: KIND_STYLE[key].symbol, size: key === "safety" ? 22 : 14, color: g.colors, line: { width: 1.5, color: "#222" } },
  }));
}

function hoverFor(event) {
  const lines = [`<b>${plotText(whenText(event))}</b> ${plotText(event.role)}`, plotText(describe(event)).slice(0, 300)];
  if (event.kind === "inject") {
    const entry = S.state.injects[event.inject];
    if (entry && entry.responses) {
      lines.push((event.teams || []).map((t) => `${plotText(u(teamName(t)))}: ${t in entry.responses ? `answered after ${minutes(entry.responses[t])}` : "no answer yet"}`).join("<br>"));
    }
  }
  return lines.join("<br>");
}

function renderTimeline() {
  const now = exerciseNow();
  let traces = [];
  let range;
  if (S.zoom === "window") {
    const end = now === null ? dayRange(1)[0] + WINDOW : now + 300;
    range = [end - 300 - WINDOW, end];
    const shown = [...S.events.values()].filter((e) => e.exercise_time !== null && e.exercise_time >= range[0]);
    traces = shown.length <= RAW_POINTS ? timelineTraces(shown) : aggregateTraces(binEvents(shown, 300), 300);
  } else if (S.zoomData) {
    range = S.zoomData.range;
    traces = aggregateTraces(S.zoomData.counts, S.zoomData.bucket);
  } else {
    range = [0, DAY];
  }
  const layout = {
    margin: { l: 130, r: 10, t: 10, b: 40 }, font: { size: 16 }, showlegend: true,
    legend: { orientation: "h", y: -0.18, font: { size: 14 } }, hovermode: "closest",
    xaxis: { type: "linear", range, gridcolor: "#e5e5e5", zeroline: false, ...exerciseTicks(range[0], range[1]) },
    yaxis: { type: "category", categoryorder: "array", categoryarray: lanes().slice().reverse(), range: [-0.5, lanes().length - 0.5], fixedrange: true },
    shapes: now === null ? [] : [{ type: "line", xref: "x", yref: "paper", x0: now, x1: now, y0: 0, y1: 1, line: { color: "#D55E00", width: 2, dash: "dot" } }],
    annotations: now === null ? [{ text: "The exercise clock has not started", xref: "paper", yref: "paper", x: 0.5, y: 0.5, showarrow: false, font: { size: 22, color: "#5b6570" } }] : [],
    uirevision: S.zoom, paper_bgcolor: "#fff", plot_bgcolor: "#fff",
  };
  Plotly.react("timeline-plot", traces, layout, { displayModeBar: false, responsive: true });
}

async function setZoom(zoom) {
  S.zoom = zoom;
  document.querySelectorAll("[data-zoom]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.zoom === zoom)));
  await loadZoom();
  renderTimeline();
}

/** Fetch the counts for the zoomed-out views: the browser never gets a week of raw events. */
async function loadZoom() {
  if (S.zoom === "window") { S.zoomData = null; return; }
  const now = exerciseNow();
  const day = now === null ? 1 : Math.floor(now / DAY) + 1;
  const range = S.zoom === "day" ? dayRange(day) : [dayRange(1)[0], dayRange(S.scenario.days.length)[1]];
  const bucket = S.zoom === "day" ? 300 : 1800;
  try {
    const agg = await getJSON(`/api/timeline?from_exercise_time=${Math.floor(range[0])}&to_exercise_time=${Math.ceil(range[1])}&bucket=${bucket}`);
    S.zoomData = { range, bucket, counts: agg.counts };
  } catch (error) { toast(`Timeline: ${error.message}`); }
}

// ---------------------------------------------------------------- map

function renderMap() {
  const gd = $("map-plot");
  const { traces, layout } = mapFigure(S.state.teams);
  Plotly.react(gd, traces, layout, { displayModeBar: false, responsive: true });
  if (!gd.dataset.clickBound) {
    gd.dataset.clickBound = "1";
    gd.on("plotly_click", (data) => {
      const point = data.points.find((p) => p.curveNumber === 0);
      if (point) showSiteEvents(point.customdata);
    });
  }
}

function showSiteEvents(siteId) {
  $("site-events-title").textContent = `Latest at ${u(siteName(siteId))}`;
  const list = $("site-events-list");
  const events = [...S.events.values()].filter((e) => e.site === siteId && !S.retracted.has(e.id)).slice(-10).reverse();
  list.replaceChildren(...(events.length ? events.map(feedItem) : [el("li", { text: "Nothing logged here in the loaded window." })]));
  $("site-events").hidden = false;
  $("site-events").dataset.site = siteId;
}

function pulse(siteId) {
  const gd = $("map-plot");
  const site = S.scenario.sites.find((s) => s.id === siteId);
  if (!site || !gd._fullLayout || !gd._fullLayout.xaxis) return;
  const fl = gd._fullLayout;
  const ring = el("div", { class: "pulse" });
  ring.style.left = `${fl._size.l + fl.xaxis.l2p(site.x)}px`;
  ring.style.top = `${fl._size.t + fl.yaxis.l2p(site.y)}px`;
  gd.parentElement.append(ring);
  ring.addEventListener("animationend", () => ring.remove());
}

// ---------------------------------------------------------------- objective coverage

function renderCoverage() {
  const objectives = S.scenario.objectives;
  const teams = S.scenario.teams;
  const z = [];
  const text = [];
  const hover = [];
  for (const o of objectives) {
    const zr = []; const tr = []; const hr = [];
    for (const t of teams) {
      const counts = (S.state.objectives[o.id] || {})[t.id] || { P: 0, S: 0, M: 0, U: 0 };
      const n = counts.P + counts.S + counts.M + counts.U;
      zr.push(n);
      tr.push(n ? `<b>${n}</b><br>P${counts.P} S${counts.S}<br>M${counts.M} U${counts.U}` : "none");
      hr.push(`${plotText(u(t.name))} — ${plotText(u(o.title))}<br>P ${counts.P} · S ${counts.S} · M ${counts.M} · U ${counts.U}`);
    }
    z.push(zr); text.push(tr); hover.push(hr);
  }
  const short = (title) => (title.length > 34 ? `${title.slice(0, 32)}…` : title);
  const trace = {
    type: "heatmap", x: teams.map((t) => t.name.replace(/^Team /, "")), y: objectives.map((o) => plotText(short(o.title))),
    z, text, texttemplate: "%{text}", textfont: { size: 12 }, hovertext: hover, hoverinfo: "text", zauto: false, zmin: 0, zmax: Math.max(1, ...z.flat()),
    colorscale: [[0, "#fff4e5"], [0.0001, "#deebf7"], [1, "#2171b5"]], showscale: false, xgap: 2, ygap: 2,
  };
  const layout = { margin: { l: 260, r: 5, t: 30, b: 10 }, font: { size: 14 }, xaxis: { side: "top", fixedrange: true }, yaxis: { autorange: "reversed", fixedrange: true } };
  Plotly.react("coverage-plot", [trace], layout, { displayModeBar: false, responsive: true });
}

// ---------------------------------------------------------------- inject board

function boardStatus(inj, entry, now) {
  const status = entry ? entry.status : "pending";
  if (status !== "pending" && status !== "deferred") return { key: status, label: status.toUpperCase() };
  if (now === null || inj.day === undefined) return { key: status, label: status.toUpperCase() };
  const late = now - injectSeconds(inj);
  if (late >= OVERDUE_AFTER) return { key: "overdue", label: `OVERDUE +${Math.round(late / 60)} min${status === "deferred" ? " (deferred)" : ""}` };
  if (late >= 0) return { key: "due", label: `DUE${status === "deferred" ? " (deferred)" : ""}` };
  return { key: status, label: status.toUpperCase() };
}

function renderBoard() {
  const now = exerciseNow();
  const clockDay = now === null ? 1 : Math.floor(now / DAY) + 1;
  if (!S.boardDayChosen) S.boardDay = Math.min(clockDay, S.scenario.days.length);
  const select = $("board-day");
  if (!select.options.length) {
    S.scenario.days.forEach((d) => select.append(el("option", { value: d.day, text: `${d.day}` })));
  }
  select.value = String(S.boardDay);
  const rows = S.scenario.injects.filter((inj) => inj.day === S.boardDay).map((inj) => ({ inj, entry: S.state.injects[inj.id] }));
  for (const [id, entry] of Object.entries(S.state.injects)) {
    if (entry.adhoc && entry.exercise_time !== null && Math.floor(entry.exercise_time / DAY) + 1 === S.boardDay) {
      const t = exerciseClockText(entry.exercise_time);
      rows.push({ inj: { id, day: S.boardDay, time: t.time.slice(0, 5), title: entry.title, teams: entry.teams, adhoc: true }, entry });
    }
  }
  rows.sort((a, b) => a.inj.time.localeCompare(b.inj.time));
  const items = rows.map(({ inj, entry }) => {
    const status = boardStatus(inj, entry, now);
    const li = el("li", { class: `inject status-${status.key}`, "data-inject": inj.id });
    li.append(
      el("span", { class: "inject-time", text: inj.time }),
      el("span", { class: "inject-id", text: inj.id }),
      el("span", { class: "inject-title", text: u(inj.title) }),
      el("span", { class: "inject-teams", text: (inj.teams || []).map((t) => u(teamName(t).replace(/^Team /, ""))).join(", ") }),
      el("span", { class: "inject-status", text: status.label }),
    );
    if (entry && entry.status === "released" && entry.teams) {
      const answered = entry.teams.map((t) => `${u(teamName(t).replace(/^Team /, ""))} ${t in entry.responses ? minutes(entry.responses[t]) : "–"}`);
      li.append(el("span", { class: "inject-responses", text: `answered: ${answered.join(" · ")}` }));
    }
    if ((entry && entry.reason)) li.append(el("span", { class: "inject-reason", text: u(entry.reason) }));
    if (can.inject && !inj.adhoc && (!entry || entry.status !== "released")) {
      const actions = el("span", { class: "inject-actions" });
      actions.append(
        el("button", { type: "button", text: "Release", "data-act": "release" }),
        el("button", { type: "button", text: "Skip", "data-act": "skip", hidden: entry && entry.status === "skipped" }),
        el("button", { type: "button", text: "Defer", "data-act": "defer" }),
      );
      li.append(actions);
    }
    return li;
  });
  const board = $("board");
  board.replaceChildren(...(items.length ? items : [el("li", { class: "empty", text: "No injects scheduled this day." })]));
  // Keep the first inject still to do in view, unless someone scrolled the board in the last half minute.
  if (performance.now() - (S.boardScrolledAt || -1e9) > 30000) {
    const next = board.querySelector(".status-overdue, .status-due, .status-pending, .status-deferred");
    if (next) board.scrollTop = next.offsetTop - board.offsetTop;
  }
}

async function boardAction(injectId, act) {
  const inj = S.scenario.injects.find((i) => i.id === injectId);
  const teams = inj.teams.map(teamName).join(", ");
  if (act === "release") {
    if (!(await confirmDialog(`Release ${u(inj.id)} "${u(inj.title)}" to ${teams} now?`, null, "Release now"))) return;
    report(await live.submit({ kind: "inject", inject: inj.id }), `${inj.id} release`);
    return;
  }
  const reason = el("textarea", { name: "reason", rows: 3, required: true, maxLength: 10000 });
  const label = el("label", { text: act === "skip" ? "Why is it skipped?" : "Why is it deferred?" }, reason);
  if (!(await confirmDialog(`${act === "skip" ? "Skip" : "Defer"} ${u(inj.id)} "${u(inj.title)}"?`, label, act === "skip" ? "Skip" : "Defer"))) return;
  if (!reason.value.trim()) { toast("A reason is needed: nothing was saved."); return; }
  report(await live.submit({ kind: act === "skip" ? "inject_skip" : "inject_defer", inject: inj.id, reason: reason.value }), `${inj.id} ${act}`);
}

function setUpAdhoc() {
  const open = $("adhoc-open");
  if (!open) return;
  const form = $("adhoc-form");
  const teamsBox = $("adhoc-teams");
  S.scenario.teams.forEach((t) => teamsBox.append(el("label", { class: "check" }, el("input", { type: "checkbox", name: "teams", value: t.id }), ` ${t.name}`)));
  S.scenario.sites.forEach((s) => form.site.append(el("option", { value: s.id, text: s.name })));
  ["phone call", "email", "document", "actor walk-in", "site event", "radio", "video call"].forEach((d) => form.delivery.append(el("option", { value: d, text: d })));
  open.addEventListener("click", () => { $("adhoc-error").textContent = ""; $("adhoc-dialog").showModal(); });
  form.addEventListener("submit", async (event) => {
    if (event.submitter && event.submitter.value === "cancel") return;
    event.preventDefault();
    const teams = [...form.querySelectorAll("input[name=teams]:checked")].map((c) => c.value);
    if (!teams.length) { $("adhoc-error").textContent = "Choose at least one team."; return; }
    const fields = { kind: "inject", adhoc: true, inject: `AH-${Date.now().toString(36).toUpperCase()}`, title: form.title.value, description: form.description.value, teams, delivery: form.delivery.value };
    if (form.site.value) fields.site = form.site.value;
    const ack = await live.submit(fields);
    if (!ack.ok) { $("adhoc-error").textContent = ack.error; return; }
    form.reset();
    $("adhoc-dialog").close();
    toast(`${fields.inject} released`, false);
  });
}

// ---------------------------------------------------------------- feed and safety

function feedItem(event) {
  const key = styleKey(event);
  const li = el("li", { class: `feed-item kind-${key}${S.retracted.has(event.id) ? " retracted" : ""}`, "data-seq": event.seq });
  li.append(el("time", { text: whenText(event), dateTime: event.ts }), el("span", { class: "feed-kind", text: (KIND_STYLE[key] || { name: event.kind }).name }), el("span", { class: "feed-text", text: describe(event) }));
  if (S.retracted.has(event.id)) li.append(el("span", { class: "feed-note", text: "(withdrawn)" }));
  return li;
}

function renderFeed() {
  const events = [...S.events.values()].sort((a, b) => b.seq - a.seq).slice(0, FEED_LENGTH);
  $("feed").replaceChildren(...events.map(feedItem));
}

let alarmSound = null;
function renderSafety() {
  const open = S.state.safety;
  const overlay = $("safety");
  overlay.hidden = open.length === 0;
  body.classList.toggle("alarm", open.length > 0);
  $("safety-wait").hidden = can.ack;
  $("safety-list").replaceChildren(...open.map((alert) => {
    const li = el("li", { class: "safety-alert" });
    li.append(
      el("p", { class: "safety-text", text: alert.text ? u(alert.text) : "(no text — go and check)" }),
      el("p", { class: "safety-meta", text: `${alert.role}${alert.site ? ` · ${u(siteName(alert.site))}` : ""} · ${new Date(alert.ts).toLocaleTimeString()}` }),
    );
    if (can.ack) {
      const button = el("button", { type: "button", class: "primary", text: "Acknowledge" });
      button.addEventListener("click", async () => {
        if (!(await confirmDialog("Acknowledge this safety alert? The alarm stops on every screen.", null, "Acknowledge"))) return;
        report(await live.submit({ kind: "safety_ack", target: alert.id }), "Safety alert acknowledged");
      });
      li.append(button);
    }
    return li;
  }));
  if (open.length && !alarmSound) alarmSound = setInterval(beep, 2000);
  if (!open.length && alarmSound) { clearInterval(alarmSound); alarmSound = null; }
}

let audio = null;
function beep() {
  try {
    audio = audio || new AudioContext();
    if (audio.state === "suspended") audio.resume();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 880;
    gain.gain.value = 0.2;
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.35);
  } catch { /* the browser forbids sound until someone touches the page */ }
}

// ---------------------------------------------------------------- wiring

/** The server's storage is failing: nothing new is saved until it works again; phones keep their entries. */
function showHealth(health) {
  const box = $("storage-fault");
  box.hidden = health.ok;
  box.textContent = health.ok ? "" : `⚠ STORAGE FAILING — nothing new is saved: ${health.storage}. `
    + "Entries are kept on the phones and tablets and sent again by themselves.";
  body.dataset.storage = health.ok ? "ok" : "failing";
}

function setStatus(status) {
  const box = $("connection");
  box.textContent = { live: "● LIVE", reconnecting: "● RECONNECTING…", offline: "● OFFLINE — retrying", refused: "● LOGGED OUT — log in again" }[status];
  box.className = `connection state-${status}`;
  body.dataset.connection = status;
}

function renderAll() {
  renderText();
  renderPlots();
}

/** The cheap text panels: drawn first, so an alarm or a new entry shows before the plots redraw. */
function renderText() {
  renderSafety();
  renderClock();
  renderFeed();
  renderBoard();
  const siteBox = $("site-events");
  if (!siteBox.hidden) showSiteEvents(siteBox.dataset.site);
}

function renderPlots() {
  renderTimeline();
  renderMap();
  renderCoverage();
}

let renderQueued = false;
let lastRender = 0;
function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  // At most a few redraws a second, however fast events arrive.
  setTimeout(() => {
    renderQueued = false;
    lastRender = performance.now();
    renderText();
    setTimeout(renderPlots, 0); // a separate task: the browser paints the text panels in between
  }, Math.max(0, 250 - (performance.now() - lastRender)));
}

async function main() {
  const started = performance.now();
  const [scenario, state, recent, windowPage] = await Promise.all([
    getJSON("/api/scenario"), getJSON("/api/state"), getJSON(`/api/events?last=${FEED_LENGTH}`),
    getJSON(`/api/events?recent_exercise_seconds=${WINDOW + 300}&limit=5000`),
  ]);
  const fetched = performance.now();
  S.scenario = scenario;
  ctx.scenario = scenario;
  ctx.retracted = S.retracted;
  adoptState(state);
  for (const event of [...recent.events, ...windowPage.events].sort((a, b) => a.seq - b.seq)) {
    if (event.seq <= state.last_seq) remember(event);
  }
  renderAll();
  window.excon = { firstRenderMs: performance.now() - started, fetchMs: fetched - started, events: S.events.size };
  body.dataset.ready = "1";

  live = new Live({ onEvent, onStatus: setStatus, onHealth: showHealth });
  live.markSeen([...S.events.values()]);
  live.start(state.last_seq);

  document.querySelectorAll("[data-zoom]").forEach((b) => b.addEventListener("click", () => setZoom(b.dataset.zoom)));
  $("clock-controls")?.addEventListener("click", (e) => { if (e.target.dataset.op) clockAction(e.target.dataset.op); });
  $("board").addEventListener("click", (e) => {
    const act = e.target.dataset.act;
    if (act) boardAction(e.target.closest("[data-inject]").dataset.inject, act);
  });
  $("board").addEventListener("wheel", () => { S.boardScrolledAt = performance.now(); }, { passive: true });
  $("board").addEventListener("touchmove", () => { S.boardScrolledAt = performance.now(); }, { passive: true });
  $("board-day").addEventListener("change", (e) => { S.boardDay = Number(e.target.value); S.boardDayChosen = true; renderBoard(); });
  $("site-events-close").addEventListener("click", () => { $("site-events").hidden = true; });
  setUpAdhoc();
  setInterval(renderClock, 250);
  setInterval(renderBoard, 5000);
  setInterval(async () => { if (S.zoom !== "window") await loadZoom(); renderTimeline(); }, 10000);
}

main().catch((error) => {
  setStatus("offline");
  toast(`Could not load the exercise: ${error.message}`);
});
