// The timeline: a lane per team plus injects and control, markers by kind.  It follows the last
// two hours of exercise time from the recent events, or zooms to the day or the whole exercise,
// drawn from the server's per-bucket counts (never a week of raw events in the browser).

import { t } from "../i18n.js";
import { getJSON } from "../live.js";
import { DAY, KIND_STYLE, exerciseTicks, minutes, placedTime, plotText, sentLateText, styleKey, u, whenText } from "../views.js";
import { aggregateTraces, binEvents } from "../count_traces.js";
import { toast } from "./dialogs.js";

/* global Plotly */

export const WINDOW = 2 * 3600; // exercise seconds the timeline shows when it follows "now"
const RAW_POINTS = 800; // above this many events in the window, the timeline draws 5-minute counts (SVG stays fast)

export function timelinePanel(page) {
  const { views, server, events } = page;
  let zoom = "window";
  let zoomData = null;

  document.querySelectorAll("[data-zoom]").forEach((b) => b.addEventListener("click", () => setZoom(b.dataset.zoom)));
  setInterval(async () => { if (zoom !== "window") await load(); render(); }, 10000);

  function hoverFor(event) {
    const lines = [`<b>${plotText(whenText(event))}</b> ${plotText(views.whoName(event))} ${plotText(sentLateText(event))}`, plotText(views.describe(event)).slice(0, 300)];
    const entry = event.kind === "inject" && server.state.injects[event.inject];
    if (entry && entry.responses) {
      lines.push((event.teams || []).map((team) => plotText(team in entry.responses
        ? t("%(team)s: answered after %(time)s", { team: u(views.teamName(team)), time: minutes(entry.responses[team]) })
        : t("%(team)s: no answer yet", { team: u(views.teamName(team)) }))).join("<br>"));
    }
    return lines.join("<br>");
  }

  function markers(shown, secondsPerMarker) {
    // Markers closer than a marker's width in one lane hide each other: each one's hover lists them all.
    const kept = shown.filter((e) => !["retract", "amend"].includes(e.kind) && !events.isWithdrawn(e) && KIND_STYLE[styleKey(e)]);
    const together = new Map();
    const spot = (e) => `${views.lane(e)}|${Math.floor(placedTime(e) / secondsPerMarker)}`;
    for (const event of kept) {
      if (!together.has(spot(event))) together.set(spot(event), []);
      together.get(spot(event)).push(hoverFor(event));
    }
    const hover = (event) => {
      const all = together.get(spot(event));
      if (all.length === 1) return all[0];
      const most = 6;
      return [t("%(count)s here:", { count: all.length }), ...all.slice(0, most),
        ...(all.length > most ? [t("… and %(count)s more", { count: all.length - most })] : [])].join("<br>");
    };
    const groups = new Map();
    for (const event of kept) {
      const key = styleKey(event);
      if (!groups.has(key)) groups.set(key, { x: [], y: [], text: [], colors: [], injects: [] });
      const g = groups.get(key);
      g.x.push(placedTime(event));
      g.y.push(views.lane(event));
      g.text.push(hover(event));
      g.injects.push(event.kind.startsWith("inject") ? event.inject : null); // a click opens the inject in full
      g.colors.push(event.team && ["action", "move"].includes(event.kind) ? views.teamColor(event.team) : KIND_STYLE[key].color);
    }
    const scale = page.fontScale();
    return [...groups.entries()].map(([key, g]) => ({
      type: "scatter", mode: "markers", name: KIND_STYLE[key].name, x: g.x, y: g.y, hovertext: g.text, hoverinfo: "text", customdata: g.injects,
      marker: { symbol: KIND_STYLE[key].symbol, size: (key === "safety" ? 22 : 14) * scale, color: g.colors, line: { width: 1.5, color: "#222" } },
    }));
  }

  function render() {
    const now = server.exerciseNow();
    let traces = [];
    let range;
    if (zoom === "window") {
      const end = now === null ? views.dayRange(1)[0] + WINDOW : now + 300;
      range = [end - 300 - WINDOW, end];
      const shown = events.all().filter((e) => placedTime(e) !== null && placedTime(e) >= range[0]);
      const width = Math.max(200, document.getElementById("timeline-plot").clientWidth - 140 * page.fontScale());
      const perMarker = Math.max(60, Math.ceil(((range[1] - range[0]) / width) * 16 * page.fontScale()));
      traces = shown.length <= RAW_POINTS ? markers(shown, perMarker) : aggregateTraces(views, binEvents(shown, 300, events.withdrawn), 300);
    } else if (zoomData) {
      range = zoomData.range;
      traces = aggregateTraces(views, zoomData.counts, zoomData.bucket);
    } else {
      range = [0, DAY];
    }
    const lanes = views.lanes();
    const scale = page.fontScale();
    const plot = document.getElementById("timeline-plot");
    const ticks = Math.max(3, Math.min(9, Math.floor((plot.clientWidth - 150 * scale) / (110 * scale)))); // labels never touch
    const layout = {
      margin: { l: 130 * scale, r: 10, t: 10, b: 40 * scale }, font: { size: 16 * scale }, showlegend: true,
      legend: { orientation: "h", y: -0.18, font: { size: 14 * scale } }, hovermode: "closest", hoverlabel: { font: { size: 14 * scale }, align: "left" },
      xaxis: { type: "linear", range, gridcolor: "#e5e5e5", zeroline: false, tickangle: 0, ...exerciseTicks(range[0], range[1], ticks) },
      yaxis: { type: "category", categoryorder: "array", categoryarray: lanes.slice().reverse(), range: [-0.5, lanes.length - 0.5], fixedrange: true, automargin: true },
      shapes: now === null ? [] : [{ type: "line", xref: "x", yref: "paper", x0: now, x1: now, y0: 0, y1: 1, line: { color: "#D55E00", width: 2, dash: "dot" } }],
      annotations: now === null ? [{ text: plotText(t("The exercise clock has not started")), xref: "paper", yref: "paper", x: 0.5, y: 0.5, showarrow: false, font: { size: 22 * scale, color: "#5b6570" } }] : [],
      uirevision: zoom, paper_bgcolor: "#fff", plot_bgcolor: "#fff",
    };
    Plotly.react("timeline-plot", traces, layout, { displayModeBar: false, responsive: true });
    if (!plot.dataset.clicks && page.can.detail) {
      plot.dataset.clicks = "1";
      plot.on("plotly_click", (data) => {
        const inject = data.points.map((p) => p.customdata).find(Boolean);
        if (inject) page.injectDetail.open(inject);
      });
    }
  }

  async function setZoom(next) {
    zoom = next;
    document.querySelectorAll("[data-zoom]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.zoom === zoom)));
    await load();
    render();
  }

  /** Fetch the counts for the zoomed-out views. */
  async function load() {
    if (zoom === "window") { zoomData = null; return; }
    const now = server.exerciseNow();
    const day = now === null ? 1 : Math.floor(now / DAY) + 1;
    const range = zoom === "day" ? views.dayRange(day) : [views.dayRange(1)[0], views.dayRange(page.scenario.days.length)[1]];
    const bucket = zoom === "day" ? 300 : 1800;
    try {
      const agg = await getJSON(`/api/timeline?from_exercise_time=${Math.floor(range[0])}&to_exercise_time=${Math.ceil(range[1])}&bucket=${bucket}`);
      zoomData = { range, bucket, counts: agg.counts };
    } catch (error) { toast(t("Timeline: %(error)s", { error: error.message })); }
  }

  return { render };
}
