// Objective coverage: objectives × teams, today's ratings or the whole exercise's, as the server
// counts them.  A cell's colour is its weakest rating (P blue to U vermilion: one U is never hidden
// by good ones), its text how many of each; a cell with no rating stays pale ("none"): the gaps.  A
// dotted outline marks the cells an evaluator is assigned to now with no rating in this block.  A
// click on a cell opens its evaluations and their notes.

import { RULES } from "/rules.js";
import { t } from "../i18n.js";
import { getJSON } from "../live.js";
import { DAY, el, photoLinks, placedTime, plotText, u, whenText } from "../views.js";

/* global Plotly */

// z: 0 for no rating, else 1 + the weakest rating's step (P 0 … U 3): four colours that never blend,
// P blue, S sky blue, M orange, U vermilion (Okabe–Ito: told apart with colour-blind eyes too).
const COLOURS = [[0, "#f4f5f7"], [0.125, "#f4f5f7"], [0.125, "#0072B2"], [0.375, "#0072B2"], [0.375, "#56B4E9"],
  [0.625, "#56B4E9"], [0.625, "#E69F00"], [0.875, "#E69F00"], [0.875, "#D55E00"], [1, "#D55E00"]];

export function coveragePanel(page) {
  const ratings = Object.keys(RULES.ratings);
  const plot = document.getElementById("coverage-plot");
  let scope = "day";
  // The key of the colours, once: a chip per rating with its wording, and the pale "none".
  const key = document.getElementById("coverage-key");
  const CHIPS = ["#0072B2", "#56B4E9", "#E69F00", "#D55E00"];
  key?.replaceChildren(...ratings.map((r, i) => el("span", { class: "chip", title: t(RULES.ratings[r]) },
    el("i", { style: `background:${CHIPS[i]}` }), r)), el("span", { class: "chip" }, el("i", { class: "none" }), t("none")),
  el("span", { class: "muted", text: t("colour: the weakest rating; number: how many") }));
  document.querySelectorAll("[data-coverage]").forEach((b) => b.addEventListener("click", () => {
    scope = b.dataset.coverage;
    document.querySelectorAll("[data-coverage]").forEach((x) => x.setAttribute("aria-pressed", String(x === b)));
    render();
  }));

  /** The counts on show: today's (the clock's day; day 1 before the start) or the whole exercise's. */
  function counts() {
    const { state } = page.server;
    if (scope === "all") return state.objectives || {};
    const now = page.server.exerciseNow();
    return (state.objectives_by_day || {})[String(now === null ? 1 : Math.floor(now / DAY) + 1)] || {};
  }

  function render() {
    const { objectives, teams } = page.scenario;
    const shown = counts();
    // What fits: the plot's size decides the label widths and whether a cell has room for P/S/M/U.
    const width = plot.clientWidth || 600;
    const height = plot.clientHeight || 300;
    const scale = page.fontScale();
    const font = 14 * scale;
    const left = Math.min(260 * scale, Math.round(width * 0.36));
    const chars = Math.max(8, Math.floor(left / (font * 0.55)));
    const short = (title) => (title.length > chars ? `${title.slice(0, chars - 1)}…` : title);
    const cellHeight = (height - 40 * scale) / objectives.length;
    const cellWidth = (width - left) / teams.length;
    const roomy = cellHeight >= 3.3 * font && cellWidth >= 4.2 * font;
    const z = []; const text = []; const hover = [];
    for (const o of objectives) {
      const zr = []; const tr = []; const hr = [];
      for (const team of teams) {
        const cell = (shown[o.id] || {})[team.id] || {};
        const n = ratings.reduce((sum, r) => sum + (cell[r] || 0), 0);
        const weakest = ratings.reduce((worst, r, step) => ((cell[r] || 0) > 0 ? step : worst), 0);
        const each = ratings.map((r) => `${r}${cell[r] || 0}`);
        zr.push(n ? 1 + weakest : 0);
        tr.push(!n ? plotText(t("none")) : roomy ? `<b>${n}</b><br>${each.slice(0, 2).join(" ")}<br>${each.slice(2).join(" ")}` : `<b>${n}</b>`);
        hr.push(`${plotText(u(team.name))} — ${plotText(u(o.title))}<br>${ratings.map((r) => `${r} ${cell[r] || 0}`).join(" · ")}`);
      }
      z.push(zr); text.push(tr); hover.push(hr);
    }
    const trace = {
      // A long team name ("Команда 2 «Енисей»") on two lines, never cut: its last word under the rest.
      type: "heatmap", x: teams.map((team) => plotText(page.views.shortTeamName(team.id)).replace(/ (?=\S+$)/, "<br>")),
      y: objectives.map((o) => plotText(short(o.title))),
      z, text, texttemplate: "%{text}", textfont: { size: Math.round(12 * scale) }, hovertext: hover, hoverinfo: "text",
      zauto: false, zmin: -0.5, zmax: 4.5, colorscale: COLOURS, showscale: false, xgap: 2, ygap: 2,
    };
    // The plan's gaps: a team × objective some evaluator is assigned to now, not rated in this block.
    const gaps = new Set(Object.values(page.server.state.evaluators || {}).flatMap((e) => e.gaps.filter(([, o]) => o).map(([team, o]) => `${o}|${team}`)));
    const shapes = [];
    objectives.forEach((o, y) => teams.forEach((team, x) => {
      if (gaps.has(`${o.id}|${team.id}`)) {
        shapes.push({ type: "rect", xref: "x", yref: "y", x0: x - 0.46, x1: x + 0.46, y0: y - 0.44, y1: y + 0.44, line: { color: "#D55E00", width: 3, dash: "dot" } });
      }
    }));
    const layout = { margin: { l: left, r: 5, t: 30 * scale, b: 10 }, font: { size: font }, xaxis: { side: "top", fixedrange: true, tickangle: 0, automargin: true },
      yaxis: { autorange: "reversed", fixedrange: true }, shapes };
    Plotly.react(plot, [trace], layout, { displayModeBar: false, responsive: true });
    if (!plot.dataset.clicks && page.can.search) {
      plot.dataset.clicks = "1";
      plot.on("plotly_click", (data) => {
        const point = data.points[0];
        if (point) openCell(objectives[point.pointIndex[0]], teams[point.pointIndex[1]]);
      });
    }
  }

  /** A cell's evaluations, newest first, with their notes: today's, or the whole exercise's, as the grid shows. */
  async function openCell(objective, team) {
    const dialog = document.getElementById("cell-dialog");
    const box = document.getElementById("cell-body");
    const now = page.server.exerciseNow();
    const today = now === null ? 1 : Math.floor(now / DAY) + 1;
    const title = `${team.name} — ${objective.title}`;
    document.getElementById("cell-title").textContent = scope === "day" ? t("%(cell)s (today)", { cell: title }) : title;
    box.replaceChildren(el("p", { class: "muted", text: t("Loading…") }));
    if (!dialog.open) dialog.showModal();
    try {
      const query = new URLSearchParams({ kind: "evaluation", team: team.id, objective: objective.id, limit: 1000 });
      const found = (await getJSON(`/api/search?${query}`)).events.reverse()
        .filter((e) => scope === "all" || (placedTime(e) !== null && Math.floor(placedTime(e) / DAY) + 1 === today));
      const task = (id) => (objective.tasks.find((x) => x.id === id) || { title: id }).title;
      box.replaceChildren(found.length ? el("ol", { class: "feed" }, ...found.map((e) => el("li", { class: "feed-item" },
        el("time", { text: whenText(e), dateTime: e.ts }),
        el("span", { class: `rating-badge rating-${e.rating}`, text: `${e.rating} · ${page.views.whoName(e)}` }),
        el("span", { class: "feed-text", text: [e.task ? task(e.task) : "", u(e.note) || t("(no note)")].filter(Boolean).join(" — ") }),
        photoLinks(e) || "")))
        : el("p", { class: "muted", text: scope === "day" ? t("No evaluation of this team against this objective today.")
          : t("No evaluation of this team against this objective yet.") }));
    } catch (error) {
      box.replaceChildren(el("p", { class: "error", text: error.message }));
    }
  }
  document.getElementById("cell-close")?.addEventListener("click", () => document.getElementById("cell-dialog").close());

  return { render };
}
