// The evaluators: who is assigned where now, each one's last entry and how long ago (silent ones
// flagged), and the team × objective pairs of their assignment not yet rated in this block — all
// as the server resolves them (`evaluators` in the state).  The director (and a lead evaluator)
// reassigns from here: a live `assignment` event, from now to the end of the day.

import { RULES } from "/rules.js";
import { t } from "../i18n.js";
import { confirmDialog, report } from "./dialogs.js";
import { DAY, clockSeconds, el, u } from "../views.js";

const $ = (id) => document.getElementById(id);

export function evaluatorsPanel(page) {
  const { server, scenario, views } = page;
  const box = $("evaluators");
  const tab = $("tab-evaluators");
  const person = (id) => (scenario.people || []).find((p) => p.id === id) || { id, name: id };
  const objectiveTitle = (id) => (scenario.objectives.find((o) => o.id === id) || { title: id }).title;
  const siteName = (id) => (scenario.sites.find((s) => s.id === id) || { name: id }).name;


  /** The stretch of a person's week that holds at the exercise time `now`. */
  const current = (entry, now) => (now === null ? null : entry.schedule.find((s) => s.from <= now && now < s.until) || null);

  /** Exercise seconds an evaluator on assignment has gone without an entry while the clock ran: since
   * their last entry, the start of the block or the clock's last resume, whichever came last — a jump
   * over lunch or the night is not silence (null: not on assignment now, or the clock is not running). */
  function quietFor(entry, segment, now) {
    const c = server.state.clock;
    if (!segment || c.state !== "running") return null;
    const resumed = c.since ? c.exercise_time - (c.rate || 1) * Math.max(0, Date.parse(server.state.at) - Date.parse(c.since)) / 1000 : -Infinity;
    const last = entry.last && entry.last.exercise_time !== null ? entry.last.exercise_time : -Infinity;
    return now - Math.max(segment.from, last, resumed);
  }

  /** A long objective title, cut for a line that lists several (the whole title shows on hover). */
  const short = (title) => (title.length > 32 ? `${title.slice(0, 30)}…` : title);

  function item(id, entry, now) {
    const segment = current(entry, now);
    const quiet = quietFor(entry, segment, now);
    const silent = quiet !== null && quiet > RULES.silent_after;
    const who = person(id);
    const head = el("div", { class: "ev-head" }, el("strong", { text: who.name }),
      who.role === "lead_evaluator" ? el("span", { class: "muted", text: ` (${t(RULES.labels.person_role.lead_evaluator)})` }) : null);
    if (silent) head.append(" ", el("b", { class: "silent-badge", text: t("SILENT") }));
    const lastText = entry.last && entry.last.exercise_time !== null && now !== null
      ? t("%(minutes)s min ago", { minutes: Math.max(0, Math.round((now - entry.last.exercise_time) / 60)) }) : t("nothing yet");
    head.append(el("span", { class: "ev-last", text: `${t("Last entry")}: ${lastText}` }));
    if (page.can.assign) head.append(el("button", { type: "button", text: t("Assign…"), onclick: () => assign(id, segment) }));
    const lines = [head];
    if (segment) {
      const watched = [...segment.teams.map((x) => u(views.teamName(x))), ...segment.sites.map((x) => u(siteName(x)))].join(", ");
      const objectives = segment.objectives.length ? segment.objectives.map((x) => u(short(objectiveTitle(x)))).join("; ") : t("every objective");
      lines.push(el("div", { class: "ev-now", title: segment.objectives.map(objectiveTitle).join("\n") },
        el("b", { text: watched }), ` · ${objectives} · ${t("until %(end)s", { end: segment.end })}`));
    } else {
      lines.push(el("div", { class: "ev-now muted", text: t("not assigned now") }));
    }
    // The gaps are the server's, for the block that held at its last state: shown while that block holds.
    const gaps = segment && entry.now && entry.now.from === segment.from ? entry.gaps : [];
    if (gaps.length) {
      const gapText = gaps.map(([team, objective]) => (objective
        ? t("%(team)s × %(objective)s", { team: u(views.shortTeamName(team)), objective: u(short(objectiveTitle(objective))) })
        : t("%(team)s: no rating yet", { team: u(views.shortTeamName(team)) })));
      lines.push(el("div", { class: "ev-gaps", text: `${t("Not rated in this block")}: ${gapText.join("; ")}` }));
    }
    return { li: el("li", { class: `evaluator${silent ? " silent" : ""}`, "data-person": id }, ...lines), silent };
  }

  function render() {
    if (!box || !server.state.evaluators) return;
    const now = server.exerciseNow();
    const items = Object.entries(server.state.evaluators).map(([id, entry]) => item(id, entry, now));
    box.replaceChildren(items.length ? el("ol", { class: "evaluators-list" }, ...items.map((x) => x.li))
      : el("p", { class: "muted", text: t("The scenario names no evaluators.") }));
    const silent = items.filter((x) => x.silent).length;
    tab.textContent = silent ? t("Evaluators — %(count)s silent", { count: silent }) : t("Evaluators");
    tab.classList.toggle("alert", silent > 0);
  }

  /** Reassign an evaluator from now to the end of today: teams (or sites) and objectives. */
  async function assign(id, segment) {
    const checks = (legend, name, items, chosen) => el("fieldset", { class: "choices" }, el("legend", { text: legend }),
      ...items.map(([value, text]) => el("label", {}, el("input", { type: "checkbox", name, value, checked: chosen.includes(value) }), " ", text)));
    const mine = segment || { teams: [], sites: [], objectives: [] };
    // When: from now to the end of today (while the clock runs), or a day and its hours (to plan ahead,
    // before the morning's start or at the evening's hot wash).
    const c = server.state.clock;
    const play = (d) => (scenario.days.find((x) => x.day === Number(d)) || { schedule: [] }).schedule.filter((b) => b.kind === "play");
    const started = c.exercise_time !== null && c.state !== "ended";
    const now = server.exerciseNow();
    const todaysPlay = started ? play(c.day) : [];
    const dayOver = started && todaysPlay.length && now - (c.day - 1) * DAY >= clockSeconds(todaysPlay[todaysPlay.length - 1].end);
    const chosen = !started ? scenario.days[0].day : dayOver ? Math.min(scenario.days.length, c.day + 1) : "";
    const day = el("select", { name: "day" }, started ? el("option", { value: "", text: t("from now to the end of today") }) : null,
      ...scenario.days.map((d) => el("option", { value: d.day, text: t("Day %(day)s — %(title)s", { day: d.day, title: u(d.title) }),
        selected: d.day === chosen })));
    const hhmm = (name, value) => el("input", { type: "text", name, value, inputMode: "numeric", size: 5, maxLength: 5,
      pattern: "([01][0-9]|2[0-3]):[0-5][0-9]", placeholder: t("HH:MM"), title: t("Time (24-hour, HH:MM)") });
    const start = hhmm("start", "");
    const end = hhmm("end", "");
    const fillHours = () => {
      const blocks = play(day.value);
      start.value = day.value && blocks.length ? blocks[0].start : "";
      end.value = day.value && blocks.length ? blocks[blocks.length - 1].end : "";
      start.disabled = end.disabled = !day.value;
    };
    day.addEventListener("change", fillHours);
    fillHours();
    const extra = el("div", { class: "assign-form" },
      el("label", { class: "assign-when" }, t("When"), " ", day, " ", start, " – ", end),
      checks(t("Teams"), "teams", scenario.teams.map((x) => [x.id, x.name]), mine.teams),
      checks(t("Sites"), "sites", scenario.sites.map((x) => [x.id, x.name]), mine.sites),
      checks(t("Objectives (none: every objective)"), "objectives", scenario.objectives.map((x) => [x.id, x.title]), mine.objectives),
      el("p", { class: "muted", text: t("No team and no site: released from assignment for that time.") }));
    if (!(await confirmDialog(t("Assign %(name)s", { name: person(id).name }), extra, t("Assign")))) return;
    const picked = (name) => [...extra.querySelectorAll(`input[name="${name}"]:checked`)].map((x) => x.value);
    const fields = { kind: "assignment", person: id, teams: picked("teams"), sites: picked("sites"), objectives: picked("objectives") };
    if (day.value) Object.assign(fields, { day: Number(day.value), ...(start.value ? { start: start.value } : {}), ...(end.value ? { end: end.value } : {}) });
    report(await page.submit(fields), t("Assignment of %(name)s", { name: person(id).name }));
  }

  setInterval(render, 30000); // minutes since the last entry go on between pushes
  return { render };
}
