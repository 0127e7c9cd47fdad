// The wall: what the room reads from five metres on the projector — the exercise clock and its
// state, open safety alerts (over everything, until the director acknowledges), the injects due or
// overdue and the next ones, where each team is, and what was rated today with its gaps.  Drawn
// from the state the server pushes, as the director's screen is; nothing here decides a rule.

import { LANG, t } from "./i18n.js";
import { Live, getJSON } from "./live.js";
import { ServerState } from "./server_state.js";
import { injectStatus, stillToDo } from "./inject_status.js";
import { DAY, el, scenarioViews, u, whenText } from "./views.js";
import { clockPanel } from "./director/clock.js";
import { setStatus, showHealth } from "./director/connection.js";
import { toast } from "./director/dialogs.js";
import { safetyPanel } from "./director/safety.js";

const body = document.body;
const $ = (id) => document.getElementById(id);
const MOST_DUE = 7; // rows of injects due that fit; the rest are counted
const NEXT = 3;

function wallPanels(page) {
  const { scenario, server, views } = page;
  const msel = new Map((scenario.injects || []).map((inj) => [inj.id, inj]));
  const siteLabel = (id) => { const site = scenario.sites.find((s) => s.id === id); return site ? site.label || site.name : id; };
  const today = () => { const now = server.exerciseNow(); return now === null ? 1 : Math.floor(now / DAY) + 1; };

  function injectRow(id, entry, shown) {
    const row = msel.get(id) || { title: entry.title, teams: entry.teams || [] };
    const when = entry.day === today() ? entry.time : t("D%(day)s %(time)s", { day: entry.day, time: entry.time });
    return el("li", { class: `wall-inject status-${shown.key}`, "data-inject": id },
      el("span", { class: "wall-when", text: when }),
      el("span", { class: "wall-title", text: `${u(id)} ${u(row.title || "")}` }),
      el("span", { class: "wall-teams-short", text: (row.teams || []).map((team) => (scenario.teams.find((x) => x.id === team) || { short: team }).short).join(" "), title: (row.teams || []).map(views.teamName).join(", ") }),
      el("span", { class: "wall-status", text: shown.label }));
  }

  function injects() {
    const played = server.playNow();
    const rows = Object.entries(server.state.injects).filter(([, entry]) => stillToDo(entry))
      .map(([id, entry]) => ({ id, entry, shown: injectStatus(entry, played) }))
      .sort((a, b) => a.entry.due - b.entry.due);
    const due = rows.filter((r) => ["due", "overdue"].includes(r.shown.key));
    const shownDue = due.slice(0, MOST_DUE).map((r) => injectRow(r.id, r.entry, r.shown));
    if (due.length > MOST_DUE) shownDue.push(el("li", { class: "wall-more", text: t("… and %(count)s more", { count: due.length - MOST_DUE }) }));
    $("wall-due").replaceChildren(...(shownDue.length ? shownDue : [el("li", { class: "wall-none", text: t("Nothing due.") })]));
    const next = rows.filter((r) => !["due", "overdue", "waiting"].includes(r.shown.key)).slice(0, NEXT); // waiting: on no clock
    $("wall-next").replaceChildren(...(next.length ? next.map((r) => injectRow(r.id, r.entry, r.shown))
      : [el("li", { class: "wall-none", text: t("No more injects scheduled.") })]));
  }

  function teams() {
    $("wall-team-list").replaceChildren(...scenario.teams.map((team) => {
      const here = server.state.teams[team.id] || {};
      return el("li", { class: "wall-team" },
        el("span", { class: "wall-chip", style: `background:${team.color}`, text: team.short }),
        el("span", { class: "wall-team-name", text: team.name }),
        el("span", { class: "wall-site", text: here.site ? siteLabel(here.site) : "–" }),
        el("span", { class: "wall-since", text: here.since ? t("since %(time)s", { time: whenText({ exercise_time: here.since_exercise_time, ts: here.since }) }) : "" }));
    }));
  }

  function coverage() {
    const table = $("wall-coverage-table");
    const counts = (server.state.objectives_by_day || {})[String(today())] || {};
    const head = el("tr", {}, el("th", { class: "wall-objective", text: "" }), ...scenario.teams.map((team) => el("th", { text: team.short, title: team.name })));
    const rows = scenario.objectives.map((o) => el("tr", {}, el("th", { class: "wall-objective", text: o.title, title: o.title }),
      ...scenario.teams.map((team) => {
        const cell = (counts[o.id] || {})[team.id];
        const n = cell ? Object.values(cell).reduce((a, b) => a + b, 0) : 0;
        return el("td", { class: n ? "rated" : "gap", text: n ? String(n) : "–" });
      })));
    table.replaceChildren(el("thead", {}, head), el("tbody", {}, ...rows));
  }

  return { render() { injects(); teams(); coverage(); } };
}

async function main() {
  const started = performance.now();
  const [scenario, state] = await Promise.all([getJSON(`/api/scenario?lang=${LANG}`), getJSON("/api/state")]);
  let live = null;
  const server = new ServerState(() => live.askState());
  server.adopt(state);
  const page = { scenario, views: scenarioViews(scenario), server, can: { ack: body.dataset.canAck === "1" },
    submit: (fields) => live.submit(fields) };
  const clock = clockPanel(page);
  const panels = [safetyPanel(page), clock, wallPanels(page)];
  const render = () => panels.forEach((p) => p.render());
  render();
  window.excon = { server, firstRenderMs: performance.now() - started };
  body.dataset.ready = "1";
  live = new Live({
    onEvent: () => {}, // the wall draws the pushed state only
    onState: async (push) => { if (await server.take(push)) { body.dataset.stateVersion = server.version; render(); } },
    onCaughtUp: async () => { server.version = null; if (await server.refresh()) { body.dataset.stateVersion = server.version; render(); } },
    onStatus: setStatus,
    onHealth: showHealth,
  });
  live.start(state.last_seq);
  setInterval(() => clock.render(), 250);
  setInterval(render, 5000); // an inject falls due, then overdue, with time alone
}

main().catch((error) => {
  setStatus("offline");
  toast(t("Could not load the exercise: %(error)s", { error: error.message }));
});
