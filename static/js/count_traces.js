// Counts of events per stretch of exercise time and lane, drawn for plotly: as sized markers (the
// director's zoomed-out timeline) or as heat strips (the debrief), from /api/timeline's rows or from
// the events a page holds (binEvents).  `views`: scenarioViews(the scenario), for the lanes' names.

import { t } from "./i18n.js";
import { KIND_STYLE, exerciseClockText, minutes, placedTime } from "./views.js";

/** Count events per bucket, lane and kind, in the shape /api/timeline answers (`retracted`: ids left out). */
export function binEvents(events, bucket, retracted = new Set()) {
  const rows = new Map();
  for (const e of events) {
    if (["retract", "amend"].includes(e.kind) || retracted.has(e.id)) continue;
    const laneKey = e.kind.startsWith("inject") ? "injects" : e.team || "control";
    const start = Math.floor(placedTime(e) / bucket) * bucket;
    const key = `${start}|${laneKey}|${e.kind}`;
    if (!rows.has(key)) rows.set(key, { bucket: start, lane: laneKey, kind: e.kind, count: 0 });
    rows.get(key).count += 1;
  }
  return [...rows.values()];
}

/** The lane a row of counts is drawn in, by name: a team's, or the injects' or control's. */
const laneName = (views, lane) => (lane === "injects" ? t("Injects") : lane === "control" ? t("Control") : views.teamName(lane));

/** Counts as markers, sized by the count: a trace per kind. */
export function aggregateTraces(views, counts, bucket) {
  const groups = new Map();
  for (const row of counts) {
    const key = row.kind;
    if (!KIND_STYLE[key]) continue;
    if (!groups.has(key)) groups.set(key, { x: [], y: [], size: [], text: [] });
    const g = groups.get(key);
    g.x.push(row.bucket + bucket / 2);
    g.y.push(laneName(views, row.lane));
    g.size.push(8 + 4 * Math.sqrt(row.count));
    const ex = exerciseClockText(row.bucket);
    g.text.push(t("D%(day)s %(time)s + %(span)s: %(count)s × %(kind)s",
      { day: ex.day, time: ex.time.slice(0, 5), span: minutes(bucket), count: row.count, kind: KIND_STYLE[key].name }));
  }
  return [...groups.entries()].map(([key, g]) => ({
    type: "scatter", mode: "markers", name: KIND_STYLE[key].name, x: g.x, y: g.y, hovertext: g.text, hoverinfo: "text",
    marker: { symbol: KIND_STYLE[key].symbol, size: g.size, color: KIND_STYLE[key].color, opacity: 0.75, line: { width: 1, color: "#222" } },
  }));
}

/**
 * Counts as heat strips: one row per lane, one cell per bucket, darker for more — readable at any
 * density (bubbles of a busy week run into one blob per lane).  `counts`: rows as /api/timeline answers.
 */
export function heatStrips(views, counts, bucket, [from, to]) {
  const rows = views.lanes();
  const x = [];
  for (let v = Math.floor(from / bucket) * bucket; v < to; v += bucket) x.push(v + bucket / 2);
  const z = rows.map(() => x.map(() => 0));
  const kinds = rows.map(() => x.map(() => new Map()));
  for (const row of counts) {
    const r = rows.indexOf(laneName(views, row.lane));
    const c = Math.round((row.bucket + bucket / 2 - x[0]) / bucket);
    if (r < 0 || c < 0 || c >= x.length) continue;
    z[r][c] += row.count;
    const name = (KIND_STYLE[row.kind] || { name: row.kind }).name;
    kinds[r][c].set(name, (kinds[r][c].get(name) || 0) + row.count);
  }
  const text = x.map((centre) => {
    const ex = exerciseClockText(centre - bucket / 2);
    return [ex.day, ex.time.slice(0, 5)];
  });
  const hover = rows.map((lane, r) => x.map((_, c) => [`${lane} · ${t("D%(day)s %(time)s", { day: text[c][0], time: text[c][1] })}`,
    ...[...kinds[r][c]].map(([name, n]) => `${n} × ${name}`)].join("<br>")));
  return [{ type: "heatmap", x, y: rows, z, hovertext: hover, hoverinfo: "text", xgap: 1, ygap: 3, zmin: 0,
    colorscale: [[0, "#f4f6f8"], [0.0001, "#d6e6f4"], [1, "#08306b"]], showscale: false }];
}
