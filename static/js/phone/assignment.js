// "My assignment now" on an evaluator's phone, and the evaluation guide for the chosen objective.
// The server resolves who is assigned where (the plan and the live assignments: `evaluators` in the
// state); this page only picks the stretch of the week that holds at the exercise clock's time.

import { t } from "../i18n.js";
import { el, exerciseTimeNow, scenarioViews, u } from "../views.js";

const $ = (id) => document.getElementById(id);

/** `onChange(segment, changed)`: the assignment that holds now is known (changed: it is not the first one). */
export function assignmentPanel(phone, { onChange }) {
  const person = document.body.dataset.person || "";
  const box = $("assignment");
  let state = null;
  let skew = 0; // server clock minus this device's
  let shown; // the `from` and `by` of the segment last drawn ("" for none)

  /** Take a state from the server (at load, and again after an assignment or clock change). */
  function take(newState) {
    state = newState;
    if (state.at) skew = Date.parse(state.at) - Date.now();
    render();
  }

  const exerciseNow = () => exerciseTimeNow(state, skew);

  const week = () => (person && state && state.evaluators && state.evaluators[person] ? state.evaluators[person].schedule : []);

  /** The stretch of this evaluator's assignments that holds now, or null. */
  function now() {
    const x = exerciseNow();
    return x === null ? null : week().find((s) => s.from <= x && x < s.until) || null;
  }

  function watched(segment) {
    return [...segment.teams.map((id) => u(phone.teamName(id))), ...segment.sites.map((id) => u(phone.siteName(id)))].join(", ");
  }

  function render() {
    if (!box) return;
    const current = now();
    const key = current ? `${current.from}|${current.until}|${watched(current)}|${current.objectives.join()}` : "";
    const rows = [el("h2", { text: t("My assignment now") })];
    if (!person) {
      rows.push(el("p", { text: t("You signed in with the shared evaluator code: no assignment of your own. Choose the team and the objective for each entry.") }));
    } else if (current) {
      rows.push(el("p", { class: "assignment-what", text: watched(current) }));
      if (current.objectives.length) {
        rows.push(el("ul", { class: "assignment-objectives" }, ...current.objectives.map((id) => el("li", { text: phone.name("objectives", id).title }))));
      } else {
        rows.push(el("p", { text: t("Every objective") }));
      }
      const when = t("Day %(day)s, %(start)s–%(end)s", { day: current.day, start: current.start, end: current.end });
      const who = current.by ? scenarioViews(phone.scenario).whoName({ by: current.by, role: current.by }) : "";
      rows.push(el("p", { class: "hint", text: who ? t("%(when)s · assigned by %(who)s", { when, who: u(who) }) : when }));
    } else {
      rows.push(el("p", { text: t("No assignment now: choose the team and the objective for each entry.") }));
      const x = exerciseNow() ?? -Infinity;
      const next = week().find((s) => s.from > x);
      if (next) rows.push(el("p", { class: "hint", text: t("Next: day %(day)s %(start)s — %(what)s", { day: next.day, start: next.start, what: watched(next) }) }));
    }
    box.replaceChildren(...rows);
    box.dataset.assigned = current ? "1" : "0";
    if (key !== shown) {
      const changed = shown !== undefined;
      if (changed) box.classList.add("changed");
      shown = key;
      onChange(current, changed);
    }
  }

  if (box) box.addEventListener("animationend", () => box.classList.remove("changed"));
  setInterval(render, 30000); // a block ends, another begins
  return { take, now, render };
}

/** Draw the evaluation guide of the chosen objective: its critical tasks and what good looks like, and
 * what the released injects about it expect of the teams. */
export function drawGuide(phone, objectiveId, taskId, injectId) {
  const box = $("guide");
  if (!box) return;
  const objective = (phone.scenario.objectives || []).find((o) => o.id === objectiveId);
  box.hidden = !objective;
  if (!objective) return;
  const tasks = objective.tasks.map((task) => el("li", { class: task.id === taskId ? "chosen" : "" },
    el("strong", { text: task.title }), task.description ? el("span", { text: ` — ${task.description}` }) : null));
  // What control expects of the teams, and its notes: of the inject observed, else of the latest
  // released injects for this objective.
  const rows = (phone.scenario.injects || []);
  const chosen = injectId ? rows.filter((row) => row.id === injectId) : [];
  const expected = chosen.length ? chosen : [...phone.released.values()]
    .map((i) => rows.find((row) => row.id === i.id))
    .filter((row) => row && (row.objectives || []).includes(objectiveId) && ((row.expected_actions || []).length || row.controller_notes))
    .slice(-3);
  const parts = [el("summary", { text: t("Evaluation guide") })];
  if (objective.description) parts.push(el("p", { text: objective.description }));
  parts.push(el("h3", { text: t("Critical tasks — what a good performance looks like") }), el("ul", {}, ...tasks));
  if (expected.length) {
    parts.push(el("h3", { text: chosen.length ? t("Expected of the teams (this inject)") : t("Expected of the teams (released injects)") }));
    expected.forEach((row) => {
      parts.push(el("p", { class: "hint", text: `${row.id} — ${row.title}` }), el("ul", {}, ...(row.expected_actions || []).map((a) => el("li", { text: a }))));
      if (row.controller_notes) parts.push(el("p", { class: "guide-notes", text: t("Control's notes: %(notes)s", { notes: row.controller_notes }) }));
    });
  }
  box.replaceChildren(...parts);
}
