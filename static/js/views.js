// What the director's screen and the debrief replay draw alike: event wording, lanes, colours,
// exercise-time ticks, the count markers and the map.  `scenarioViews(scenario)` gives the parts
// that read the scenario; nothing here keeps state between calls.
// User text always goes into the page as text (textContent), and into plotly labels escaped.

import { RULES } from "/rules.js";

export const DAY = 86400;

export const KIND_STYLE = {
  action: { name: "Action", symbol: "circle", color: "#0072B2" },
  move: { name: "Move", symbol: "triangle-right", color: "#56B4E9" },
  inject: { name: "Inject released", symbol: "diamond", color: "#E69F00" },
  inject_skip: { name: "Inject skipped", symbol: "diamond-open", color: "#999999" },
  inject_defer: { name: "Inject deferred", symbol: "diamond-open", color: "#E69F00" },
  evaluation: { name: "Evaluation", symbol: "star", color: "#009E73" },
  bookmark: { name: "Bookmark", symbol: "square", color: "#F0E442" },
  note: { name: "Note", symbol: "square-open", color: "#666666" },
  safety: { name: "SAFETY", symbol: "x", color: "#D55E00" },
  safety_ack: { name: "Safety acknowledged", symbol: "x-open", color: "#D55E00" },
  clock: { name: "Clock", symbol: "line-ns-open", color: "#000000" },
  // Corrections are drawn through the entries they correct; in the feed they are named.
  retract: { name: "Withdrawal", symbol: "circle-x-open", color: "#666666" },
  amend: { name: "Correction", symbol: "circle-open", color: "#666666" },
};

export const clockSeconds = (hhmm) => { const [h, m, s] = hhmm.split(":").map(Number); return h * 3600 + m * 60 + (s || 0); };

export const pad = (n) => String(n).padStart(2, "0");

export function exerciseClockText(seconds) {
  if (seconds === null || seconds === undefined) return null;
  const whole = Math.floor(seconds);
  const day = Math.floor(whole / DAY) + 1;
  const rest = whole % DAY;
  return { day, time: `${pad(Math.floor(rest / 3600))}:${pad(Math.floor((rest % 3600) / 60))}:${pad(rest % 60)}` };
}

/**
 * Isolate text people wrote (notes, names, titles) inside ExCon's own words: between U+2068 and
 * U+2069 a right-to-left override someone typed cannot turn the rest of the line around.  Isolate
 * marks of their own (U+2066–U+2069) are left out: one typed U+2069 would end the isolate early.
 */
export const u = (text) => `\u2068${String(text ?? "").replace(/[\u2066-\u2069]/g, "")}\u2069`;

/** Escape text for plotly hover labels, which read a few HTML-like tags. */
export const plotText = (text) => String(text ?? "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("data-")) node.setAttribute(key, value);
    else node[key] = value;
  }
  children.filter(Boolean).forEach((child) => node.append(child));
  return node;
}


/** Fill a select with [value, text] items; `keep`: keep an empty first option ("—") if it has one. */
export function options(select, items, keep = true) {
  const first = keep && select.options.length && select.options[0].value === "" ? [select.options[0]] : [];
  select.replaceChildren(...first, ...items.map(([value, text]) => el("option", { value, text })));
}

/** The drawing style of an event: bookmarks (notes and evaluations marked as such) stand apart. */
export function styleKey(event) {
  if ((event.kind === "note" || event.kind === "evaluation") && event.bookmark) return "bookmark";
  return event.kind;
}

/** "09:12" on the wall clock, always 24-hour (never the browser's AM/PM). */
export const wallClock = (ts) => new Date(ts).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

/** "D2 09:12" in exercise time; the wall clock (24 h) when the event has no exercise time. */
export function whenText(event) {
  const ex = exerciseClockText(event.exercise_time);
  return ex ? `D${ex.day} ${ex.time.slice(0, 5)}` : wallClock(event.ts);
}

export function minutes(seconds) {
  return seconds < 90 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`;
}

/** Tick marks in exercise time: "D2 09:00", about eight across the range. */
export function exerciseTicks(from, to) {
  const step = [300, 900, 1800, 3600, 7200, 14400, 21600, 43200, DAY].find((s) => (to - from) / s <= 9) || DAY;
  const vals = [];
  for (let v = Math.ceil(from / step) * step; v <= to; v += step) vals.push(v);
  return { tickvals: vals, ticktext: vals.map((v) => { const t = exerciseClockText(v); return `D${t.day} ${t.time.slice(0, 5)}`; }) };
}

/** Count events per bucket, lane and kind, in the shape /api/timeline answers (`retracted`: ids left out). */
export function binEvents(events, bucket, retracted = new Set()) {
  const rows = new Map();
  for (const e of events) {
    if (["retract", "amend"].includes(e.kind) || retracted.has(e.id)) continue;
    const laneKey = e.kind.startsWith("inject") ? "injects" : e.team || "control";
    const start = Math.floor(e.exercise_time / bucket) * bucket;
    const key = `${start}|${laneKey}|${e.kind}`;
    if (!rows.has(key)) rows.set(key, { bucket: start, lane: laneKey, kind: e.kind, count: 0 });
    rows.get(key).count += 1;
  }
  return [...rows.values()];
}

/** The parts of the drawing that read the scenario: names, wording, lanes, the day's range, the map. */
export function scenarioViews(scenario) {
  const teamName = (id) => (scenario.teams.find((t) => t.id === id) || { name: id }).name;
  const siteName = (id) => (scenario.sites.find((s) => s.id === id) || { name: id }).name;
  const objectiveTitle = (id) => (scenario.objectives.find((o) => o.id === id) || { title: id }).title;
  const teamColor = (id) => (scenario.teams.find((t) => t.id === id) || {}).color || "#333";
  // The words every team's name starts with ("Team", "Команда") say nothing in a column header.
  const words = scenario.teams.map((t) => t.name.split(" "));
  let shared = 0;
  while (words.length > 1 && words.every((w) => w.length > shared + 1 && w[shared] === words[0][shared])) shared += 1;
  const shortTeamName = (id) => {
    const team = scenario.teams.find((t) => t.id === id);
    return team ? team.name.split(" ").slice(shared).join(" ") : id;
  };

  function lane(event) {
    if (event.kind.startsWith("inject")) return "Injects";
    if (event.team) return teamName(event.team);
    return "Control";
  }

  const lanes = () => [...scenario.teams.map((t) => t.name), "Injects", "Control"];

  /** One line that says what an event is, for the feed, hovers and site lists. */
  function describe(event) {
    const team = event.team ? u(teamName(event.team)) : "";
    switch (event.kind) {
      case "action": {
        const type = (scenario.action_types.find((a) => a.id === event.action_type) || {}).label || event.action_type;
        return `${team} — ${u(type)} at ${u(siteName(event.site))}: ${u(event.text)}${event.inject ? ` (answers ${u(event.inject)})` : ""}`;
      }
      case "move": return `${team} is now at ${u(siteName(event.site))}`;
      case "inject": return `${u(event.inject)} released${event.adhoc ? " (ad hoc)" : ""}: ${u(event.title)} → ${(event.teams || []).map((t) => u(teamName(t))).join(", ")}`;
      case "inject_skip": return `${u(event.inject)} skipped: ${u(event.reason)}`;
      case "inject_defer": return `${u(event.inject)} deferred: ${u(event.reason)}`;
      case "evaluation": return `${team} — ${u(objectiveTitle(event.objective))}: ${event.rating} (${RULES.ratings[event.rating]})${event.note ? ` — ${u(event.note)}` : ""}`;
      case "note": return `${event.bookmark ? "Bookmark" : "Note"}${team ? ` (${team})` : ""}${event.text ? `: ${u(event.text)}` : ""}`;
      case "safety": return `SAFETY ALERT from ${event.role}${event.site ? ` at ${u(siteName(event.site))}` : ""}: ${event.text ? u(event.text) : "(no text)"}`;
      case "safety_ack": return `Safety alert acknowledged${event.text ? `: ${u(event.text)}` : ""}`;
      case "clock": return `Exercise clock: ${event.op}${event.day ? ` at day ${event.day} ${event.time}` : ""}${event.rate > 1 ? ` (×${event.rate})` : ""}`;
      case "retract": return `An entry was withdrawn${event.reason ? `: ${u(event.reason)}` : ""}`;
      case "amend": return event.removed ? "An entry was moved out of your view" : "An entry was corrected";
      default: return event.kind;
    }
  }

  /** One line of a feed (the director's latest, the debrief's "until then"); `withdrawn` marks it. */
  function feedLine(event, withdrawn = false) {
    const key = styleKey(event);
    const li = el("li", { class: `feed-item kind-${key}${withdrawn ? " retracted" : ""}`, "data-seq": event.seq });
    li.append(el("time", { text: whenText(event), dateTime: event.ts }),
      el("span", { class: "feed-kind", text: (KIND_STYLE[key] || { name: event.kind }).name }),
      el("span", { class: "feed-text", text: describe(event) }));
    if (withdrawn) li.append(el("span", { class: "feed-note", text: "(withdrawn)" }));
    return li;
  }

  function aggregateTraces(counts, bucket) {
    const groups = new Map();
    for (const row of counts) {
      const key = row.kind;
      if (!KIND_STYLE[key]) continue;
      if (!groups.has(key)) groups.set(key, { x: [], y: [], size: [], text: [] });
      const g = groups.get(key);
      g.x.push(row.bucket + bucket / 2);
      g.y.push(row.lane === "injects" ? "Injects" : row.lane === "control" ? "Control" : teamName(row.lane));
      g.size.push(8 + 4 * Math.sqrt(row.count));
      const t = exerciseClockText(row.bucket);
      g.text.push(`D${t.day} ${t.time.slice(0, 5)} + ${minutes(bucket)}: ${row.count} × ${KIND_STYLE[key].name}`);
    }
    return [...groups.entries()].map(([key, g]) => ({
      type: "scatter", mode: "markers", name: KIND_STYLE[key].name, x: g.x, y: g.y, hovertext: g.text, hoverinfo: "text",
      marker: { symbol: KIND_STYLE[key].symbol, size: g.size, color: KIND_STYLE[key].color, opacity: 0.75, line: { width: 1, color: "#222" } },
    }));
  }

  /** The exercise-time range of a day's schedule, with a quarter of an hour either side. */
  function dayRange(day) {
    const entry = scenario.days.find((d) => d.day === day) || scenario.days[0];
    const base = (entry.day - 1) * DAY;
    return [base + clockSeconds(entry.schedule[0].start) - 900, base + clockSeconds(entry.schedule.at(-1).end) + 900];
  }

  function teamPositions(teamsState) {
    const bySite = new Map();
    scenario.teams.forEach((t) => {
      const site = teamsState[t.id] && teamsState[t.id].site;
      if (!site) return;
      if (!bySite.has(site)) bySite.set(site, []);
      bySite.get(site).push(t);
    });
    const positions = {};
    for (const [siteId, group] of bySite) {
      const site = scenario.sites.find((s) => s.id === siteId);
      if (!site) continue;
      // A row of team markers just above the site; the site's label sits below it.
      group.forEach((t, i) => {
        positions[t.id] = { x: site.x + (i - (group.length - 1) / 2) * 34, y: site.y + 46 };
      });
    }
    return positions;
  }

  /** The map of the mock sites from plan coordinates, each team at its site: {traces, layout} for plotly. */
  function mapFigure(teamsState) {
    const sites = scenario.sites;
    const map = scenario.exercise.map || { width: 1000, height: 700 };
    const traces = [{
      type: "scatter", mode: "markers+text", name: "Sites", x: sites.map((s) => s.x), y: sites.map((s) => s.y),
      text: sites.map((s) => plotText(s.label || s.name)), textposition: "bottom center", textfont: { size: 15 },
      customdata: sites.map((s) => s.id), hovertext: sites.map((s) => plotText(`${s.name} — ${s.kind}`)), hoverinfo: "text",
      marker: { symbol: "square", size: 30, color: "#eef2f6", line: { width: 2, color: "#4a5561" } }, showlegend: false,
    }];
    const positions = teamPositions(teamsState);
    for (const team of scenario.teams) {
      const p = positions[team.id];
      if (!p) continue;
      const t = teamsState[team.id];
      traces.push({
        type: "scatter", mode: "markers+text", name: team.name, x: [p.x], y: [p.y], text: [team.short],
        textfont: { color: "#fff", size: 14 }, hoverinfo: "text",
        hovertext: [plotText(`${team.name} at ${siteName(t.site)}${t.since ? ` since ${wallClock(t.since)}` : ""} — ${t.actions} actions`)],
        marker: { size: 26, color: team.color, line: { width: 2, color: "#222" } },
      });
    }
    const layout = {
      margin: { l: 5, r: 5, t: 5, b: 5 }, showlegend: true, legend: { orientation: "h", y: 0, font: { size: 14 } },
      xaxis: { range: [-20, map.width + 20], visible: false, fixedrange: true },
      yaxis: { range: [-40, map.height + 20], visible: false, scaleanchor: "x", fixedrange: true },
      plot_bgcolor: "#fbfcfd", paper_bgcolor: "#fff", hovermode: "closest", uirevision: "map",
    };
    return { traces, layout };
  }

  return {
    scenario, teamName, shortTeamName, siteName, objectiveTitle, teamColor, lane, lanes, describe, feedLine,
    aggregateTraces, dayRange, mapFigure,
  };
}
