// The debrief replay: scrub or play the exercise in exercise time; at every instant the map, the
// timeline, the feed and the objective panel show the state the server folds for that instant
// (later corrections applied), the evaluators' latest ratings side by side.  The one thing this page
// writes: the agreed rating of a team against an objective (lead evaluator, director), as it stands now.

import { RULES } from "/rules.js";
import { LANG, t } from "./i18n.js";
import { getJSON } from "./live.js";
import { agree, connection, ratersText, ratingWords } from "./agree_dialog.js";
import { heatStrips } from "./count_traces.js";
import { PlayAxis } from "./play_time.js";
import { KIND_STYLE, el, exerciseClockText, exerciseTicks, photoLinks, placedTime, scenarioViews, sentLateText, styleKey, u, wallClock, whenText } from "./views.js";

/* global Plotly */

const $ = (id) => document.getElementById(id);
const BUCKET = 1800;
const S = {
  marks: [], counts: [], axis: null, min: 0, max: 1, cursor: 0, pinnedAt: null,
  playing: false, state: null, feed: [], evidence: [], evidenceFor: null, busy: false, dirty: false,
  now: null, // the state now: the agreed ratings stand as they are now, wherever the replay is
};
const frames = [];
let views = null; // scenarioViews(the scenario), once it is loaded

/** The play-time range the scrubber shows: the chosen day's play, or the whole exercise. */
const viewRange = () => S.axis.range($("day-view").value);

function showView() {
  const [lo, hi] = viewRange();
  $("scrub").min = String(Math.floor(lo));
  $("scrub").max = String(Math.ceil(hi));
  renderMarks();
  renderClock();
}

// ---------------------------------------------------------------- drawing

function filters() {
  return { team: $("f-team").value, site: $("f-site").value, objective: $("f-objective").value, kind: $("f-kind").value };
}

function keep(event, f = filters()) {
  if (["retract", "amend"].includes(event.kind)) return false;
  if (f.team && event.team !== f.team && !(event.teams || []).includes(f.team)) return false;
  if (f.site && event.site !== f.site) return false;
  if (f.kind && styleKey(event) !== f.kind && event.kind !== f.kind) return false;
  if (f.objective && event.kind === "evaluation" && event.objective !== f.objective) return false;
  return true;
}

function renderClock() {
  const shown = exerciseClockText(S.cursor);
  $("clock-day").textContent = t("Day %(day)s", { day: shown.day });
  $("clock-time").textContent = shown.time;
  const at = S.pinnedAt ? new Date(S.pinnedAt) : S.axis.wallAt(S.cursor);
  $("replay-wall").textContent = t("wall clock %(date)s %(time)s", { date: at.toLocaleDateString(LANG, { day: "numeric", month: "short" }), time: wallClock(at) });
  // The state shouts in the top bar ("REPLAY"), as the director's clock state does.
  const replay = t("replay").toLocaleUpperCase(LANG);
  $("replay-state").textContent = S.playing ? `${replay} ▶ ${$("speed").value}×` : replay;
  $("replay-state").className = `clock-state ${S.playing ? "state-running" : "state-paused"}`;
  $("scrub").value = String(Math.round(S.axis.playOf(S.cursor)));
}

function renderMap() {
  if (!S.state) return;
  const f = filters();
  const teams = Object.fromEntries(Object.entries(S.state.teams).filter(([id]) => !f.team || id === f.team));
  const { traces, layout } = views.mapFigure(teams);
  return Plotly.react("map-plot", traces, layout, { displayModeBar: false, responsive: true });
}

function renderTimeline() {
  const f = filters();
  const counts = S.counts.filter((row) => row.bucket <= S.cursor && (!f.team || row.lane === f.team)
    && (!f.kind || row.kind === f.kind || (f.kind === "bookmark" && row.kind === "note")));
  // The cursor's exercise day: the nights between days would squeeze a week into a strip.
  const day = Math.floor(S.cursor / 86400);
  const range = [Math.max(S.min, day * 86400 + 7 * 3600) - 600, Math.min(S.max, day * 86400 + 19 * 3600) + 600];
  return Plotly.react("timeline-plot", heatStrips(views, counts, BUCKET, range), {
    margin: { l: 120, r: 10, t: 10, b: 40 }, font: { size: 14 }, showlegend: false,
    xaxis: { type: "linear", range, ...exerciseTicks(range[0], range[1]) },
    yaxis: { type: "category", categoryorder: "array", categoryarray: views.lanes().slice().reverse(), range: [-0.5, views.lanes().length - 0.5], fixedrange: true, automargin: true },
    shapes: [{ type: "line", xref: "x", yref: "paper", x0: S.cursor, x1: S.cursor, y0: 0, y1: 1, line: { color: "#D55E00", width: 3 } }],
    hovermode: "closest", uirevision: "timeline",
  }, { displayModeBar: false, responsive: true });
}

function renderFeed() {
  const f = filters();
  const items = S.feed.filter((e) => keep(e, f)).slice(-60).reverse().map((e) => views.feedLine(e));
  $("feed").replaceChildren(...(items.length ? items : [el("li", { class: "empty", text: t("Nothing logged until then for this filter.") })]));
}

function renderObjective() {
  const objectives = views.scenario.objectives;
  const f = filters();
  const objective = objectives.find((o) => o.id === f.objective) || objectives[0];
  $("objective-h").textContent = objective.title;
  const counts = (S.state && S.state.objectives[objective.id]) || {};
  const ratings = Object.keys(RULES.ratings);
  const raters = (S.state && S.state.raters && S.state.raters[objective.id]) || {};
  const agreed = (S.now && S.now.agreed && S.now.agreed[objective.id]) || {};
  const canAgree = document.body.dataset.canAgree === "1";
  const head = el("tr", {}, el("th", { text: t("Team") }), ...ratings.map((r) => el("th", { text: r, title: t(RULES.ratings[r]) })),
    el("th", { text: t("Evaluators (latest)") }), el("th", { text: t("Agreed (now)") }));
  const rows = views.scenario.teams.filter((team) => !f.team || team.id === f.team).map((team) => {
    const c = counts[team.id] || {};
    const sides = raters[team.id] || {};
    const side = sides[""]; // the objective as a whole; a critical task's ratings stand apart
    const tasksApart = Object.entries(sides).filter(([task, v]) => task && v.disagree).length;
    const mine = agreed[team.id] || {};
    const whole = mine[""];
    const agreedCell = el("td", { class: "agreed-cell", title: whole ? `${ratingWords(whole.rating)} — ${whole.rationale}` : "" },
      whole ? el("b", { text: whole.rating }) : el("span", { class: "muted", text: "—" }));
    const tasks = Object.keys(mine).filter((k) => k).length;
    if (tasks) agreedCell.append(el("span", { class: "muted", text: ` ${t("+%(count)s tasks", { count: tasks })}` }));
    if (canAgree) {
      agreedCell.append(" ", el("button", { type: "button", text: whole ? t("Change…") : t("Agree…"), "data-team": team.id,
        onclick: () => openAgreement(objective, team.id) }));
    }
    const apart = tasksApart ? t("critical tasks rated apart: %(count)s", { count: tasksApart }) : "";
    return el("tr", { class: (side && side.disagree) || tasksApart ? "disagree" : "" }, el("td", { text: team.name }),
      ...ratings.map((r) => el("td", { text: String(c[r] || 0) })),
      el("td", { class: "raters-cell", text: [side ? `${side.disagree ? "⚠ " : ""}${ratersText(views, side)}` : "", apart ? `⚠ ${apart}` : ""].filter(Boolean).join(" · "),
        title: (side && side.disagree) || tasksApart ? t("evaluators disagree: agree on one rating") : "" }),
      agreedCell);
  });
  $("ratings").replaceChildren(head, ...rows);
  if (S.evidenceFor !== objective.id) loadEvidence(objective.id);
  const evidence = S.evidence.filter((e) => placedTime(e) !== null && placedTime(e) <= S.cursor
    && (!f.team || e.team === f.team) && (!f.site || e.site === f.site)).slice(-40).reverse();
  $("evidence").replaceChildren(...(evidence.length ? evidence.map((e) => {
    const li = el("li", { class: `feed-item${e.tag ? ` tag-${e.tag}` : ""}` });
    li.append(el("time", { text: whenText(e) }), el("span", { class: "feed-kind", text: `${e.rating}${e.tag ? ` · ${t(RULES.labels.tag[e.tag])}` : ""}` }),
      el("span", { class: "feed-text", text: evidenceLine(e) }));
    if (sentLateText(e)) li.append(el("span", { class: "feed-note", text: sentLateText(e) }));
    if (photoLinks(e)) li.append(photoLinks(e));
    if (e.theme) li.append(el("span", { class: "feed-note", text: u(e.theme) }));
    // The lead evaluator (or the director) picks the key evidence the report's findings come from.
    if (canAgree) {
      li.append(el("button", { type: "button", class: "pick", "aria-pressed": String(!!e.for_report), "data-pick": e.id,
        text: e.for_report ? t("In the report ✓") : t("For the report"), onclick: () => pick(objective, e) }));
    } else if (e.for_report) li.append(el("span", { class: "feed-note", text: t("In the report ✓") }));
    return li;
  }) : [el("li", { class: "empty", text: t("No evaluation of this objective until then.") })]));
  const released = Object.entries((S.state && S.state.injects) || {}).filter(([, i]) => Object.keys(i.released || {}).length && i.exercise_time <= S.cursor);
  const teams = views.scenario.teams.filter((team) => !f.team || team.id === f.team);
  const rhead = el("tr", {}, el("th", { text: t("Inject") }), ...teams.map((team) => el("th", { text: views.shortTeamName(team.id) })));
  // Every team a column (the table scrolls sideways when they do not fit); a team the inject did not go to
  // reads "·", one that has not answered yet "—", and an answer within the minute "<1", never 0.
  const cell = (i, team) => {
    if (!(i.teams || []).includes(team)) return el("td", { class: "not-targeted", text: "·", title: t("not sent to this team") });
    if (!(team in i.responses)) return el("td", { class: "muted", text: "—", title: t("no answer yet") });
    const minutes = i.responses[team] / 60;
    return el("td", { text: minutes < 1 ? "<1" : String(Math.round(minutes)) });
  };
  const rrows = released.slice(-12).map(([id, i]) => el("tr", {}, el("td", { text: id }), ...teams.map((team) => cell(i, team.id))));
  $("responses").replaceChildren(rhead, ...rrows);
  // The teams' requests to control until then: how many, how fast answered, how many still open.
  const asked = (S.state && S.state.requests_by_team) || {};
  const qhead = el("tr", {}, el("th", { text: t("Team") }), el("th", { text: t("Asked") }), el("th", { text: t("Answered") }),
    el("th", { text: t("Median wait (min)") }), el("th", { text: t("Longest (min)") }), el("th", { text: t("Open") }));
  const qrows = teams.filter((team) => asked[team.id]).map((team) => {
    const row = asked[team.id];
    const min = (seconds) => (seconds === null ? "–" : String(Math.round(seconds / 60)));
    return el("tr", {}, el("td", { text: views.shortTeamName(team.id) }), el("td", { text: String(row.asked) }), el("td", { text: String(row.answered) }),
      el("td", { text: min(row.median) }), el("td", { text: min(row.longest) }), el("td", { text: String(row.open) }));
  });
  $("requests").replaceChildren(qhead, ...(qrows.length ? qrows : [el("tr", {}, el("td", { colSpan: 6, class: "muted", text: t("No requests to control until then.") }))]));
}

/** Put an observation in the report's findings, or take it out again (an amend of its `for_report`). */
async function pick(objective, e) {
  const ack = await connection(S.now.last_seq).submit({ kind: "amend", target: e.id, for_report: e.for_report ? null : true });
  $("pick-error").textContent = !ack || !ack.ok ? (ack ? ack.error : t("No answer from the server: check the connection and try again.")) : "";
  if (!ack || !ack.ok) return;
  S.evidenceFor = null;
  await loadEvidence(objective.id);
}

/** Who rated, where and what they noted: one evidence line. */
function evidenceLine(e) {
  const parts = { team: u(views.teamName(e.team)), role: u(views.whoName(e)), note: u(e.note) };
  if (!e.site) return t("%(team)s [%(role)s]: %(note)s", parts);
  return t("%(team)s at %(site)s [%(role)s]: %(note)s", { ...parts, site: u(views.scenario.sites.find((s) => s.id === e.site).name) });
}

/** Record the agreed rating of a team against an objective, then show it. */
async function openAgreement(objective, team) {
  if (S.evidenceFor !== objective.id) await loadEvidence(objective.id);
  const stored = await agree({ views, objective, team, evidence: S.evidence, current: ((S.now.agreed || {})[objective.id] || {})[team] || {},
    sinceSeq: S.now.last_seq });
  if (!stored) return;
  S.now = await getJSON("/api/state");
  renderObjective();
}

async function loadEvidence(objective) {
  S.evidenceFor = objective;
  const answer = await getJSON(`/api/evidence?objective=${encodeURIComponent(objective)}`).catch(() => ({ evaluations: [] }));
  if (S.evidenceFor === objective) { S.evidence = answer.evaluations; renderObjective(); }
}

function renderMarks() {
  const [lo, hi] = viewRange();
  const inView = (play) => play >= lo && play <= hi;
  const pos = (play) => `${(100 * (play - lo)) / (hi - lo || 1)}%`;
  const marks = [];
  let day = null;
  for (const s of S.axis.stretches) { // each day's play begins at a mark of its own
    const number = s.day;
    if (number === day) continue;
    day = number;
    if (!inView(s.start)) continue;
    const m = el("span", { class: "scrub-mark day" }, el("span", { text: t("Day %(day)s", { day: number }) }));
    m.style.left = pos(s.start);
    marks.push(m);
  }
  for (const e of S.marks) {
    const kind = e.kind === "clock" ? (e.op === "pause" ? "pause" : null) : e.kind.startsWith("inject") ? "inject" : e.kind === "safety" ? "safety" : "bookmark";
    if (!kind || e.exercise_time === null || !inView(S.axis.playOf(e.exercise_time))) continue;
    const m = el("span", { class: `scrub-mark ${kind}`, title: views.describe(e) });
    m.style.left = pos(S.axis.playOf(e.exercise_time));
    marks.push(m);
  }
  $("scrub-marks").replaceChildren(...marks);
}

// ---------------------------------------------------------------- moving through time

/** Ask the server for the state and the feed at the cursor; one request in flight, the latest wins. */
async function update() {
  if (S.busy) { S.dirty = true; return; }
  S.busy = true;
  const started = performance.now();
  // A mark's own stamp as it is: a JS Date would cut its microseconds and miss the mark itself.
  const at = S.pinnedAt || S.axis.wallAt(S.cursor).toISOString();
  try {
    // The feed shows the latest 60 that pass the filters: a filter needs more of the log to find them.
    const f = filters();
    const last = f.team || f.site || f.kind ? 400 : 120;
    const asked = Promise.all([getJSON(`/api/state?at=${encodeURIComponent(at)}`),
      getJSON(`/api/events?until=${encodeURIComponent(at)}&last=${last}`)]);
    const timeline = renderTimeline(); // from the counts the page has: drawn while the state is on its way
    const [state, feed] = await asked;
    S.state = state;
    S.feed = feed.events;
    await Promise.all([timeline, renderAtCursor()]); // "shown" means drawn: plotly may finish a redraw after this task
    frames.push(performance.now() - started);
    document.body.dataset.shownAt = at;
  } finally {
    S.busy = false;
    if (S.dirty) { S.dirty = false; update(); }
  }
}

/** Draw what the state and the feed at the cursor say: the clock, the feed, the objective panel, the map. */
function renderAtCursor() {
  renderClock();
  renderFeed();
  renderObjective();
  return renderMap();
}

function renderAll() {
  return Promise.all([renderAtCursor(), renderTimeline()]);
}

function moveTo(time, pinnedAt = null) {
  S.cursor = Math.max(S.min, Math.min(S.max, time));
  S.pinnedAt = pinnedAt;
  renderClock();
  update();
}

let lastTick = null;
function tick(now) {
  if (!S.playing) return;
  if (lastTick !== null) {
    const next = S.axis.timeOf(S.axis.playOf(S.cursor) + (Number($("speed").value) * (now - lastTick)) / 1000); // over the nights
    if (next >= S.max) { moveTo(S.max); setPlaying(false); return; }
    S.cursor = next;
    S.pinnedAt = null;
    renderClock();
    if (!S.busy) update();
  }
  lastTick = now;
  requestAnimationFrame(tick);
}

function setPlaying(playing) {
  S.playing = playing;
  $("play").setAttribute("aria-pressed", String(playing));
  $("play").textContent = playing ? "⏸ " + t("Pause") : "▶ " + t("Play"); // no t() inside a template: pybabel would miss it
  lastTick = null;
  renderClock();
  if (playing) requestAnimationFrame(tick);
}

function jump(direction) {
  const kind = $("mark-kind").value;
  const wanted = S.marks.filter((e) => e.exercise_time !== null && e.kind !== "clock" && (kind === "any"
    || (kind === "bookmark" && e.bookmark) || (kind === "inject" && e.kind.startsWith("inject")) || (kind === "safety" && e.kind === "safety")));
  const target = direction > 0 ? wanted.find((e) => e.exercise_time > S.cursor + 0.5)
    : [...wanted].reverse().find((e) => e.exercise_time < S.cursor - 0.5);
  if (!target) return;
  setPlaying(false);
  moveTo(target.exercise_time, target.ts);
  document.body.dataset.jumpedTo = target.id;
}

// ---------------------------------------------------------------- start

async function main() {
  const [scenario, marks, now] = await Promise.all([getJSON(`/api/scenario?lang=${LANG}`), getJSON("/api/marks"), getJSON("/api/state")]);
  views = scenarioViews(scenario);
  S.now = now;
  S.marks = marks.events;
  S.axis = new PlayAxis(S.marks.filter((e) => e.kind === "clock"), now.clock.exercise_time);
  S.min = S.axis.first;
  S.max = S.axis.end;
  const counts = await getJSON(`/api/timeline?bucket=${BUCKET}&from_exercise_time=${Math.floor(S.min)}&to_exercise_time=${Math.ceil(S.max)}`);
  S.counts = counts.counts;
  const scrub = $("scrub");
  scrub.addEventListener("input", () => {
    const time = S.axis.timeOf(Number(scrub.value)); // read first: stopping the replay redraws the scrubber at the old time
    setPlaying(false);
    moveTo(time);
  });
  // The days played so far, and the whole exercise; it opens at the current (or last) day, from its start.
  const days = S.axis.days();
  days.forEach((day) => $("day-view").append(el("option", { value: String(day), text: t("Day %(day)s", { day }) })));
  const today = days.length ? String(days[days.length - 1]) : "";
  $("day-view").value = today;
  $("day-view").addEventListener("change", () => {
    const [lo] = viewRange();
    setPlaying(false);
    showView();
    moveTo(S.axis.timeOf(lo));
  });
  scenario.teams.forEach((team) => $("f-team").append(el("option", { value: team.id, text: team.name })));
  scenario.sites.forEach((s) => $("f-site").append(el("option", { value: s.id, text: s.name })));
  $("f-objective").append(el("option", { value: "", text: t("all (panel: first)") }));
  scenario.objectives.forEach((o) => $("f-objective").append(el("option", { value: o.id, text: o.title })));
  Object.entries(KIND_STYLE).filter(([k]) => !["retract", "amend"].includes(k)).forEach(([k, v]) => $("f-kind").append(el("option", { value: k, text: v.name })));
  ["f-team", "f-site", "f-objective", "f-kind"].forEach((id) => $(id).addEventListener("change", () => { renderAll(); update(); }));
  $("play").addEventListener("click", () => setPlaying(!S.playing));
  $("next-mark").addEventListener("click", () => jump(1));
  $("prev-mark").addEventListener("click", () => jump(-1));
  $("feedback-open")?.addEventListener("click", () => $("feedback-dialog").showModal());
  showView();
  S.cursor = S.axis.timeOf(viewRange()[0]);
  await update();
  window.excon = { frames };
  document.body.dataset.ready = "1";
}

main().catch((error) => {
  $("feed").replaceChildren(el("li", { class: "empty", text: t("Could not load the exercise: %(error)s", { error: error.message }) }));
});
