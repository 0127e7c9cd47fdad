// What the director's screen and the debrief replay draw alike: event wording, lanes, colours,
// exercise-time ticks, the count markers and the map.  `scenarioViews(scenario)` gives the parts
// that read the scenario; nothing here keeps state between calls.
// User text always goes into the page as text (textContent), and into plotly labels escaped.

import { RULES } from "/rules.js";
import { t } from "./i18n.js";

export const DAY = 86400;

export const KIND_STYLE = {
  action: { name: t("Action"), symbol: "circle", color: "#0072B2" },
  move: { name: t("Move"), symbol: "triangle-right", color: "#56B4E9" },
  inject: { name: t("Inject released"), symbol: "diamond", color: "#E69F00" },
  inject_skip: { name: t("Inject skipped"), symbol: "diamond-open", color: "#999999" },
  inject_defer: { name: t("Inject deferred"), symbol: "diamond-open", color: "#E69F00" },
  inject_recall: { name: t("Inject recalled"), symbol: "diamond-x-open", color: "#E69F00" },
  schedule_shift: { name: t("Schedule shifted"), symbol: "line-ew-open", color: "#000000" },
  request: { name: t("Request to control"), symbol: "triangle-up-open", color: "#CC79A7" },
  request_answer: { name: t("Control's answer"), symbol: "triangle-down-open", color: "#CC79A7" },
  evaluation: { name: t("Evaluation"), symbol: "star", color: "#009E73" },
  agreed_rating: { name: t("Agreed rating"), symbol: "star-square", color: "#009E73" },
  bookmark: { name: t("Bookmark"), symbol: "square", color: "#F0E442" },
  note: { name: t("Note"), symbol: "square-open", color: "#666666" },
  safety: { name: t("SAFETY"), symbol: "x", color: "#D55E00" },
  safety_ack: { name: t("Safety acknowledged"), symbol: "x-open", color: "#D55E00" },
  clock: { name: t("Clock"), symbol: "line-ns-open", color: "#000000" },
  assignment: { name: t("Assignment"), symbol: "hexagon-open", color: "#CC79A7" },
  feedback: { name: t("Participant feedback"), symbol: "hourglass-open", color: "#666666" },
  // Corrections are drawn through the entries they correct; in the feed they are named.
  retract: { name: t("Withdrawal"), symbol: "circle-x-open", color: "#666666" },
  amend: { name: t("Correction"), symbol: "circle-open", color: "#666666" },
};

export const clockSeconds = (hhmm) => { const [h, m, s] = hhmm.split(":").map(Number); return h * 3600 + m * 60 + (s || 0); };

export const pad = (n) => String(n).padStart(2, "0");

/** Exercise time now (seconds) from a state the server sent: its clock runs on at its rate since the
 * state's `at` (skew: the server's clock minus this browser's, ms); null before the start. */
export function exerciseTimeNow(state, skew = 0) {
  const c = state && state.clock;
  if (!c || c.exercise_time === null || c.exercise_time === undefined) return null;
  if (c.state !== "running") return c.exercise_time;
  return c.exercise_time + (c.rate || 1) * Math.max(0, Date.now() + skew - Date.parse(state.at)) / 1000;
}

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

/**
 * Escape text for plotly hover labels, which read a few HTML-like tags.  ([>], not a bare > after
 * the slash: pybabel's JavaScript lexer reads "/>" as the end of a JSX tag and loses the texts after it.)
 */
export const plotText = (text) => String(text ?? "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/[>]/g, "&gt;");

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("data-") || key.startsWith("aria-")) node.setAttribute(key, value);
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

/** The exercise time an event belongs at: when it was observed (the server's `observed_time`), else when stored. */
export const placedTime = (event) => event.observed_time ?? event.exercise_time ?? null;

/** "(sent 42 min later)" for an entry that reached the server well after it was made (kept offline); else "". */
export function sentLateText(event) {
  if (!event.observed_at || !event.ts) return "";
  const late = Math.floor((Date.parse(event.ts) - Date.parse(event.observed_at)) / 60000);
  return late >= RULES.sent_late_after ? t("(sent %(n)s min later)", { n: late }) : "";
}

/** An entry's photos as small pictures, each a link to the photo in full (null when it has none). */
export function photoLinks(event) {
  const names = event.photos || (event.entry && event.entry.photos) || [];
  if (!names.length) return null;
  return el("span", { class: "photo-links" }, ...names.map((name) => el("a", { href: `/photos/${encodeURIComponent(name)}`, target: "_blank", rel: "noopener" },
    el("img", { src: `/photos/${encodeURIComponent(name)}`, alt: t("photo"), class: "thumb", loading: "lazy" }))));
}

/** "D2 09:12" in exercise time, when the event was observed; the wall clock (24 h) when it has no exercise time. */
export function whenText(event) {
  const ex = exerciseClockText(placedTime(event));
  return ex ? t("D%(day)s %(time)s", { day: ex.day, time: ex.time.slice(0, 5) }) : wallClock(event.ts);
}

export function minutes(seconds) {
  return seconds < 90 ? t("%(n)s s", { n: Math.round(seconds) }) : t("%(n)s min", { n: Math.round(seconds / 60) });
}

/** Tick marks in exercise time: "D2 09:00", about eight across the range. */
/** Ticks of exercise time from `from` to `to`: at most `most` of them (a narrow plot takes fewer). */
export function exerciseTicks(from, to, most = 9) {
  const step = [300, 900, 1800, 3600, 7200, 14400, 21600, 43200, DAY].find((s) => (to - from) / s <= most) || DAY;
  const vals = [];
  for (let v = Math.ceil(from / step) * step; v <= to; v += step) vals.push(v);
  return { tickvals: vals, ticktext: vals.map((v) => { const ex = exerciseClockText(v); return t("D%(day)s %(time)s", { day: ex.day, time: ex.time.slice(0, 5) }); }) };
}

/** The parts of the drawing that read the scenario: names, wording, lanes, the day's range, the map. */
export function scenarioViews(scenario) {
  const teamName = (id) => (scenario.teams.find((x) => x.id === id) || { name: id }).name;
  // Who logged an entry, as people call them: "evaluator", or the team's name for a team's tablet.
  const roleName = (role) => (role && role.startsWith("team:") ? teamName(role.slice(5))
    : RULES.labels.role[role] ? t(RULES.labels.role[role]) : role);
  // Who logged an entry: the person by name (staff pages get the roster), else the role of the shared code.
  const whoName = (event) => ((scenario.people || []).find((p) => p.id === event.by) || { name: roleName(event.role) }).name;
  const siteName = (id) => (scenario.sites.find((s) => s.id === id) || { name: id }).name;
  const objectiveTitle = (id) => (scenario.objectives.find((o) => o.id === id) || { title: id }).title;
  const teamColor = (id) => (scenario.teams.find((x) => x.id === id) || {}).color || "#333";
  const actionLabel = (id) => (scenario.action_types.find((a) => a.id === id) || { label: id }).label;
  const questionnaireTitle = (id) => ((scenario.feedback || []).find((q) => q.id === id) || { title: id }).title;
  // The words every team's name starts with ("Team", "Команда") say nothing in a column header.
  const words = scenario.teams.map((x) => x.name.split(" "));
  let shared = 0;
  while (words.length > 1 && words.every((w) => w.length > shared + 1 && w[shared] === words[0][shared])) shared += 1;
  const shortTeamName = (id) => {
    const team = scenario.teams.find((x) => x.id === id);
    return team ? team.name.split(" ").slice(shared).join(" ") : id;
  };

  function lane(event) {
    if (event.kind.startsWith("inject")) return t("Injects");
    if (event.team) return teamName(event.team);
    return t("Control");
  }

  const lanes = () => [...scenario.teams.map((x) => x.name), t("Injects"), t("Control")];

  /** One line that says what an event is, for the feed, hovers and site lists. */
  function describe(event) {
    const team = event.team ? u(teamName(event.team)) : "";
    switch (event.kind) {
      case "action": {
        const type = actionLabel(event.action_type);
        const parts = { team, type: u(type), site: u(siteName(event.site)), text: u(event.text), inject: u(event.inject) };
        return event.inject ? t("%(team)s — %(type)s at %(site)s: %(text)s (answers %(inject)s)", parts)
          : t("%(team)s — %(type)s at %(site)s: %(text)s", parts);
      }
      case "move": return t("%(team)s is now at %(site)s", { team, site: u(siteName(event.site)) });
      case "inject": {
        const parts = { inject: u(event.inject), title: u(event.title), teams: (event.teams || []).map((x) => u(teamName(x))).join(", ") };
        return event.adhoc ? t("%(inject)s released (ad hoc): %(title)s → %(teams)s", parts) : t("%(inject)s released: %(title)s → %(teams)s", parts);
      }
      case "inject_skip": return t("%(inject)s skipped: %(reason)s", { inject: u(event.inject), reason: u(event.reason) });
      case "inject_defer": return t("%(inject)s deferred: %(reason)s", { inject: u(event.inject), reason: u(event.reason) });
      case "inject_recall": return event.reason ? t("%(inject)s withdrawn by control: %(reason)s", { inject: u(event.inject), reason: u(event.reason) })
        : t("%(inject)s withdrawn by control", { inject: u(event.inject) });
      case "schedule_shift": {
        const parts = { day: event.day, time: event.time, minutes: Math.abs(event.minutes), reason: u(event.reason) };
        return event.minutes > 0 ? t("Injects from day %(day)s %(time)s on moved %(minutes)s min later: %(reason)s", parts)
          : t("Injects from day %(day)s %(time)s on moved %(minutes)s min earlier: %(reason)s", parts);
      }
      case "evaluation": {
        const parts = { team, objective: u(objectiveTitle(event.objective)), rating: event.rating, wording: t(RULES.ratings[event.rating]), note: u(event.note) };
        return event.note ? t("%(team)s — %(objective)s: %(rating)s (%(wording)s) — %(note)s", parts)
          : t("%(team)s — %(objective)s: %(rating)s (%(wording)s)", parts);
      }
      case "agreed_rating": {
        const parts = { team, objective: u(objectiveTitle(event.objective)), rating: event.rating, wording: t(RULES.ratings[event.rating]),
          rationale: u(event.rationale) };
        return t("Agreed rating: %(team)s — %(objective)s: %(rating)s (%(wording)s) — %(rationale)s", parts);
      }
      case "assignment": return assignmentLine(event);
      case "feedback": return t("Feedback answered: %(questionnaire)s", { questionnaire: u(questionnaireTitle(event.questionnaire)) });
      case "request": {
        const kind = (scenario.request_kinds || []).find((k) => k.id === event.request_kind);
        const parts = { team, kind: u(kind ? kind.label : t("Other request")), text: u(event.text) };
        return event.text ? t("%(team)s asks control: %(kind)s — %(text)s", parts) : t("%(team)s asks control: %(kind)s", parts);
      }
      case "request_answer": {
        const parts = { team, text: u(event.text), inject: u(event.inject) };
        if (event.inject) return event.text ? t("Control answers %(team)s, with %(inject)s: %(text)s", parts) : t("Control answers %(team)s, with %(inject)s", parts);
        return event.text ? t("Control answers %(team)s: %(text)s", parts) : t("Control answers %(team)s", parts);
      }
      case "note": {
        const parts = { team, text: u(event.text) };
        if (event.bookmark) {
          if (team) return event.text ? t("Bookmark (%(team)s): %(text)s", parts) : t("Bookmark (%(team)s)", parts);
          return event.text ? t("Bookmark: %(text)s", parts) : t("Bookmark");
        }
        if (team) return event.text ? t("Note (%(team)s): %(text)s", parts) : t("Note (%(team)s)", parts);
        return event.text ? t("Note: %(text)s", parts) : t("Note");
      }
      case "safety": {
        const parts = { role: u(whoName(event)), site: u(siteName(event.site)), text: u(event.text) };
        if (event.site) return event.text ? t("SAFETY ALERT from %(role)s at %(site)s: %(text)s", parts) : t("SAFETY ALERT from %(role)s at %(site)s: (no text)", parts);
        return event.text ? t("SAFETY ALERT from %(role)s: %(text)s", parts) : t("SAFETY ALERT from %(role)s: (no text)", parts);
      }
      case "safety_ack": return event.text ? t("Safety alert acknowledged: %(text)s", { text: u(event.text) }) : t("Safety alert acknowledged");
      case "clock": return clockLine(event) + (event.rate > 1 ? ` (×${event.rate})` : "") + (event.reason ? ` — ${u(event.reason)}` : "");
      case "retract": return event.reason ? t("An entry was withdrawn: %(reason)s", { reason: u(event.reason) }) : t("An entry was withdrawn");
      case "amend": return event.removed ? t("An entry was moved out of your view") : t("An entry was corrected");
      default: return event.kind;
    }
  }

  /** Who is assigned to watch what, as one line ("Jan Novák → Team Alpha, Team Bravo · 2 objectives · day 2 09:00–12:30"). */
  function assignmentLine(event) {
    const person = u(((scenario.people || []).find((p) => p.id === event.person) || { name: event.person }).name);
    const watched = [...(event.teams || []).map((x) => u(teamName(x))), ...(event.sites || []).map((x) => u(siteName(x)))].join(", ");
    if (!watched) return t("%(person)s is released from assignment", { person });
    const parts = { person, watched, objectives: (event.objectives || []).map((x) => u(objectiveTitle(x))).join("; "),
      day: event.day, start: event.start || "00:00", end: event.end || "24:00" };
    const what = event.objectives && event.objectives.length ? t("%(person)s → %(watched)s (%(objectives)s)", parts) : t("%(person)s → %(watched)s", parts);
    return event.day ? t("%(what)s, day %(day)s %(start)s–%(end)s", { what, ...parts }) : what;
  }

  /** What a clock event did, one whole sentence per operation (the rate, "(×4)", is added by describe). */
  function clockLine(event) {
    const at = { day: event.day, time: event.time };
    const timed = Boolean(event.day);
    switch (event.op) {
      case "start": return timed ? t("Exercise clock: start at day %(day)s %(time)s", at) : t("Exercise clock: start");
      case "resume": return timed ? t("Exercise clock: resume at day %(day)s %(time)s", at) : t("Exercise clock: resume");
      case "pause": return t("Exercise clock: pause");
      case "end": return t("Exercise clock: end");
      default: return t("Exercise clock: %(op)s", { op: event.op });
    }
  }

  /** One line of a feed (the director's latest, the debrief's "until then"); `withdrawn` marks it. */
  function feedLine(event, withdrawn = false) {
    const key = styleKey(event);
    const li = el("li", { class: `feed-item kind-${key}${withdrawn ? " retracted" : ""}`, "data-seq": event.seq });
    li.append(el("time", { text: whenText(event), dateTime: event.ts }),
      el("span", { class: "feed-kind", text: (KIND_STYLE[key] || { name: event.kind }).name }),
      el("span", { class: "feed-text", text: describe(event) }));
    const late = sentLateText(event);
    if (late) li.append(el("span", { class: "feed-note", text: late }));
    const pictures = photoLinks(event);
    if (pictures) li.append(pictures);
    if (withdrawn) li.append(el("span", { class: "feed-note", text: t("(withdrawn)") }));
    return li;
  }

  /** The exercise-time range of a day's schedule, with a quarter of an hour either side. */
  function dayRange(day) {
    const entry = scenario.days.find((d) => d.day === day) || scenario.days[0];
    const base = (entry.day - 1) * DAY;
    return [base + clockSeconds(entry.schedule[0].start) - 900, base + clockSeconds(entry.schedule.at(-1).end) + 900];
  }

  function teamPositions(teamsState, spacing = 34) {
    const bySite = new Map();
    scenario.teams.forEach((team) => {
      const site = teamsState[team.id] && teamsState[team.id].site;
      if (!site) return;
      if (!bySite.has(site)) bySite.set(site, []);
      bySite.get(site).push(team);
    });
    const positions = {};
    for (const [siteId, group] of bySite) {
      const site = scenario.sites.find((s) => s.id === siteId);
      if (!site) continue;
      // A row of team markers just above the site, side by side; the site's label sits below it.
      group.forEach((team, i) => {
        positions[team.id] = { x: site.x + (i - (group.length - 1) / 2) * spacing, y: site.y + Math.max(46, spacing * 1.3) };
      });
    }
    return positions;
  }

  /** The map of the mock sites from plan coordinates, each team at its site: {traces, layout} for plotly.
   * box: the plot's {width, height} in pixels and the page's type `scale`, so that markers and labels
   * keep their room at any size (markers side by side, labels apart); without it, a full-HD panel's. */
  function mapFigure(teamsState, box = null) {
    const sites = scenario.sites;
    const map = scenario.exercise.map || { width: 1000, height: 700 };
    const scale = box ? box.scale : 1;
    // Pixels per plan unit: the axes keep the plan's proportions, so the narrower way decides.
    const perUnit = box && box.width && box.height ? Math.min(box.width / (map.width + 40), box.height / (map.height + 60)) : 0.67;
    const label = Math.max(12, Math.min(15 * scale, 22 * perUnit));
    const marker = Math.max(18, Math.min(26 * scale, 40 * perUnit));
    const traces = [{
      type: "scatter", mode: "markers+text", name: t("Sites"), x: sites.map((s) => s.x), y: sites.map((s) => s.y),
      text: sites.map((s) => plotText(s.label || s.name)), textposition: "bottom center", textfont: { size: label },
      customdata: sites.map((s) => s.id), hovertext: sites.map((s) => plotText(`${s.name} — ${s.kind}`)), hoverinfo: "text",
      marker: { symbol: "square", size: marker * 1.15, color: "#eef2f6", line: { width: 2, color: "#4a5561" } }, showlegend: false,
    }];
    const positions = teamPositions(teamsState, box ? (marker + 4) / perUnit : 34);
    for (const team of scenario.teams) {
      const p = positions[team.id];
      if (!p) continue;
      const here = teamsState[team.id];
      traces.push({
        type: "scatter", mode: "markers+text", name: team.name, x: [p.x], y: [p.y], text: [team.short],
        textfont: { color: "#fff", size: Math.max(12, marker * 0.54) }, hoverinfo: "text",
        hovertext: [plotText(here.since
          ? t("%(team)s at %(site)s since %(time)s — actions: %(n)s", { team: team.name, site: siteName(here.site), time: whenText({ exercise_time: here.since_exercise_time, ts: here.since }), n: here.actions })
          : t("%(team)s at %(site)s — actions: %(n)s", { team: team.name, site: siteName(here.site), n: here.actions }))],
        marker: { size: marker, color: team.color, line: { width: 2, color: "#222" } },
      });
    }
    const layout = {
      margin: { l: 5, r: 5, t: 5, b: 5 }, showlegend: true, legend: { orientation: "h", y: 0, font: { size: Math.max(12, 14 * scale) } },
      xaxis: { range: [-20, map.width + 20], visible: false, fixedrange: true },
      yaxis: { range: [-40, map.height + 20], visible: false, scaleanchor: "x", fixedrange: true },
      plot_bgcolor: "#fbfcfd", paper_bgcolor: "#fff", hovermode: "closest", uirevision: "map",
    };
    return { traces, layout };
  }

  return {
    scenario, teamName, roleName, whoName, shortTeamName, siteName, objectiveTitle, teamColor, actionLabel, lane, lanes,
    describe, feedLine,
    dayRange, mapFigure,
  };
}
