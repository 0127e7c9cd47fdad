// Objective coverage: objectives × teams, the number of evaluations and their P/S/M/U counts, as
// the server counts them; "none" shows the gaps, and a dotted outline the cells an evaluator is
// assigned to now that have no rating in this block.

import { RULES } from "/rules.js";
import { t } from "../i18n.js";
import { plotText, u } from "../views.js";

/* global Plotly */

export function coveragePanel(page) {
  const ratings = Object.keys(RULES.ratings);

  function render() {
    const { objectives, teams } = page.scenario;
    const z = [];
    const text = [];
    const hover = [];
    for (const o of objectives) {
      const zr = []; const tr = []; const hr = [];
      for (const team of teams) {
        const counts = (page.server.state.objectives[o.id] || {})[team.id] || {};
        const n = ratings.reduce((sum, r) => sum + (counts[r] || 0), 0);
        const each = ratings.map((r) => `${r}${counts[r] || 0}`);
        zr.push(n);
        tr.push(n ? `<b>${n}</b><br>${each.slice(0, 2).join(" ")}<br>${each.slice(2).join(" ")}` : plotText(t("none")));
        hr.push(`${plotText(u(team.name))} — ${plotText(u(o.title))}<br>${ratings.map((r) => `${r} ${counts[r] || 0}`).join(" · ")}`);
      }
      z.push(zr); text.push(tr); hover.push(hr);
    }
    const short = (title) => (title.length > 30 ? `${title.slice(0, 28)}…` : title);
    const trace = {
      // A long team name ("Команда 2 «Енисей»") on two lines, never cut: its last word under the rest.
      type: "heatmap", x: teams.map((team) => plotText(page.views.shortTeamName(team.id)).replace(/ (?=\S+$)/, "<br>")),
      y: objectives.map((o) => plotText(short(o.title))),
      z, text, texttemplate: "%{text}", textfont: { size: 12 }, hovertext: hover, hoverinfo: "text", zauto: false, zmin: 0, zmax: Math.max(1, ...z.flat()),
      colorscale: [[0, "#fff4e5"], [0.0001, "#deebf7"], [1, "#2171b5"]], showscale: false, xgap: 2, ygap: 2,
    };
    // The plan's gaps: a team × objective some evaluator is assigned to now, not rated in this block.
    const gaps = new Set(Object.values(page.server.state.evaluators || {}).flatMap((e) => e.gaps.filter(([, o]) => o).map(([team, o]) => `${o}|${team}`)));
    const shapes = [];
    objectives.forEach((o, y) => teams.forEach((team, x) => {
      if (gaps.has(`${o.id}|${team.id}`)) {
        shapes.push({ type: "rect", xref: "x", yref: "y", x0: x - 0.46, x1: x + 0.46, y0: y - 0.44, y1: y + 0.44, line: { color: "#D55E00", width: 3, dash: "dot" } });
      }
    }));
    const layout = { margin: { l: 260, r: 5, t: 30, b: 10 }, font: { size: 14 }, xaxis: { side: "top", fixedrange: true, tickangle: 0, automargin: true },
      yaxis: { autorange: "reversed", fixedrange: true }, shapes };
    Plotly.react("coverage-plot", [trace], layout, { displayModeBar: false, responsive: true });
  }

  return { render };
}
