// The inject board: the day's MSEL and the ad-hoc injects against the exercise clock, each in the
// status the server folds (pending, released with who answered after how long, skipped, deferred),
// DUE or OVERDUE by the rule the server gives, late by play time (the night is not lateness); today's
// board also carries what earlier days left still to do.  Release, skip, defer (to a new time) or
// recall a release with a reason, shift the rest of the schedule, or write an ad-hoc inject.

import { RULES } from "/rules.js";
import { LANG, t } from "../i18n.js";
import { injectStatus, stillToDo, teamsStatus, waitsText } from "../inject_status.js";
import { DAY, el, minutes, pad, u } from "../views.js";
import { confirmDialog, report, toast } from "./dialogs.js";

const $ = (id) => document.getElementById(id);
const RELEASED = RULES.inject_status.inject; // once released, an inject takes no release, skip or defer
/** "HH:MM" of seconds into a day. */
const clockText = (seconds) => `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor((seconds % 3600) / 60))}`;

export function boardPanel(page) {
  const { server, scenario, views } = page;
  const msel = new Map(scenario.injects.map((inj) => [inj.id, inj]));
  let day = null;
  let dayChosen = false;
  let scrolledAt = -1e9;

  const board = $("board");
  const select = $("board-day");
  scenario.days.forEach((d) => select.append(el("option", { value: d.day, text: `${d.day}` })));
  // Another day chosen by hand stays on show until today is chosen again or the exercise day changes
  // (the next morning's resume): the board then follows the clock again.
  let lastToday = null;
  select.addEventListener("change", () => {
    day = Number(select.value);
    const now = server.exerciseNow();
    dayChosen = day !== (now === null ? 1 : Math.floor(now / DAY) + 1);
    render();
  });
  board.addEventListener("click", (e) => {
    const act = e.target.dataset.act;
    const row = e.target.closest("[data-inject]");
    if (act) boardAction(row.dataset.inject, act);
    else if (row && page.can.detail) page.injectDetail.open(row.dataset.inject); // the inject in full
  });
  // Any scroll by the reader (wheel, scrollbar, keys, touch) holds the board where they put it.
  let scrolling = null; // the scrollTop this page set itself, until its scroll event has come
  board.addEventListener("scroll", () => {
    if (scrolling !== null && Math.abs(board.scrollTop - scrolling) < 2) { scrolling = null; return; }
    scrolledAt = performance.now();
  }, { passive: true });
  let shownFirst = null; // the first inject still to do, when the board last brought it into view
  setInterval(render, 5000);
  setUpAdhoc();
  setUpShift();

  function render() {
    const now = server.exerciseNow();
    const today = now === null ? null : Math.floor(now / DAY) + 1;
    if (today !== lastToday) { dayChosen = false; lastToday = today; }
    if (!dayChosen) day = Math.min(today ?? 1, scenario.days.length);
    select.value = String(day);
    const sheet = $("run-sheet-link"); // the printable run sheet of the day on show
    if (sheet) sheet.href = `/run-sheet?day=${day}&lang=${LANG}`;
    const cues = $("cue-sheet-link"); // the actors' cue sheet of that day
    if (cues) cues.href = `/cue-sheet?day=${day}&lang=${LANG}`;
    // Today's board carries what earlier days left still to do, at the top, with its day.
    const onBoard = (entry) => entry.day === day || (day === today && entry.day < day && stillToDo(entry));
    const rows = Object.entries(server.state.injects).filter(([, entry]) => onBoard(entry))
      .map(([id, entry]) => ({ id, entry, row: msel.get(id) || { title: entry.title, teams: entry.teams } }))
      .sort((a, b) => a.entry.day - b.entry.day || a.entry.time.localeCompare(b.entry.time));
    const played = server.playNow();
    const items = rows.map(({ id, entry, row }) => {
      const shown = injectStatus(entry, played);
      const carried = entry.day !== day;
      const li = el("li", { class: `inject status-${shown.key}${carried ? " carried" : ""}${page.can.detail ? " openable" : ""}`, "data-inject": id,
        title: page.can.detail ? t("Click for the inject in full") : "" });
      // Moved by a deferral or a schedule shift: the MSEL's own time beside the one that counts.
      const moved = row.day !== undefined && (row.day !== entry.day || row.time !== entry.time);
      li.append(
        el("span", { class: "inject-time", text: carried ? t("D%(day)s %(time)s", { day: entry.day, time: entry.time }) : entry.time,
          title: moved ? t("MSEL: day %(day)s %(time)s", { day: row.day, time: row.time }) : "" }),
        el("span", { class: "inject-id", text: id }),
        el("span", { class: "inject-title", text: u(row.title) }),
        el("span", { class: "inject-teams", text: (row.teams || []).map((team) => u(views.shortTeamName(team))).join(", ") }),
        el("span", { class: "inject-status", text: shown.label }),
      );
      // A conditional inject, or one out to some of its teams: how it stands for each team.
      const each = teamsStatus(entry, row.teams || [], played, views.actionLabel);
      if (each) {
        li.append(el("span", { class: "inject-each" }, ...each.map((one) => el("span", { class: `inject-team team-${one.key}` },
          el("b", { text: u(views.shortTeamName(one.team)) }), " ", one.text))));
      } else if (waitsText(row, views.actionLabel)) {
        li.append(el("span", { class: "inject-waits", text: waitsText(row, views.actionLabel) }));
      }
      if (entry.status === RELEASED && entry.teams && !each) {
        const answered = entry.teams.map((team) => `${u(views.shortTeamName(team))} ${team in entry.responses ? minutes(entry.responses[team]) : "–"}`);
        li.append(el("span", { class: "inject-responses", text: t("answered: %(teams)s", { teams: answered.join(" · ") }) }));
      }
      if (moved) li.append(el("span", { class: "inject-moved", text: t("MSEL: day %(day)s %(time)s", { day: row.day, time: row.time }) }));
      if (entry.reason) li.append(el("span", { class: "inject-reason", text: u(entry.reason) }));
      if (page.can.inject && msel.has(id) && entry.status !== RELEASED) {
        li.append(el("span", { class: "inject-actions" },
          el("button", { type: "button", text: t("Release"), "data-act": "release" }),
          el("button", { type: "button", text: t("Skip"), "data-act": "skip", hidden: entry.status === RULES.inject_status.inject_skip }),
          el("button", { type: "button", text: t("Defer"), "data-act": "defer" })));
      } else if (page.can.inject && entry.status === RELEASED) {
        li.append(el("span", { class: "inject-actions" }, el("button", { type: "button", text: t("Recall"), "data-act": "recall",
          title: t("Released by mistake: withdraw it from the teams") })));
      }
      return li;
    });
    board.replaceChildren(...(items.length ? items : [el("li", { class: "empty", text: t("No injects scheduled this day.") })]));
    // Bring the first inject still to do into view when it changes (one falls due, one is released),
    // unless someone scrolled the board in the last half minute: never while they are reading it.
    const next = board.querySelector([".status-overdue", ".status-due", ...RULES.still_to_do.map((s) => `.status-${s}`)].join(", "));
    const first = next ? `${day}|${next.dataset.inject}` : null;
    if (next && first !== shownFirst && performance.now() - scrolledAt > 30000) {
      shownFirst = first;
      const top = next.offsetTop - board.offsetTop;
      if (Math.abs(board.scrollTop - top) >= 2) { board.scrollTop = top; scrolling = board.scrollTop; } // as the browser clamped it
    }
  }

  async function boardAction(injectId, act) {
    const entry = server.state.injects[injectId] || {};
    const inj = msel.get(injectId) || { id: injectId, title: entry.title, teams: entry.teams || [] };
    const teams = inj.teams.map(views.teamName).join(", ");
    const named = { inject: u(inj.id), title: u(inj.title) };
    if (act === "recall") {
      const reason = el("textarea", { name: "reason", rows: 3, required: true, maxLength: 10000 });
      const extra = el("div", {}, el("p", { text: t("%(teams)s will see it withdrawn by control. What they logged in answer stays in the log; the inject goes back on the board.", { teams }) }),
        el("label", { text: t("Why is it recalled?") }, reason));
      if (!(await confirmDialog(t("Recall %(inject)s \"%(title)s\"?", named), extra, t("Recall")))) return;
      if (!reason.value.trim()) { toast(t("A reason is needed: nothing was saved.")); return; }
      report(await page.submit({ kind: "inject_recall", inject: injectId, reason: reason.value }), t("%(inject)s recall", { inject: inj.id }));
      return;
    }
    if (act === "release") {
      // Teams that play at their own pace get an inject one by one: choose who gets it now (those it is
      // due for, by its conditions, are ticked).
      const released = entry.released || {};
      const open = inj.teams.filter((team) => !(team in released));
      const ready = (team) => !entry.teams_due || (entry.teams_due[team] && entry.teams_due[team].due !== null);
      const boxes = open.map((team) => el("input", { type: "checkbox", name: "teams", value: team, checked: ready(team) }));
      const extra = open.length > 1 || open.length < inj.teams.length
        ? el("fieldset", { class: "release-teams" }, el("legend", { text: t("To which teams?") }),
          ...boxes.map((box, i) => el("label", { class: "check" }, box, ` ${views.teamName(open[i])}`,
            ready(open[i]) ? "" : el("span", { class: "muted", text: ` — ${t("still waiting")}` }))))
        : null;
      const question = extra ? t("Release %(inject)s \"%(title)s\" now?", named) : t("Release %(inject)s \"%(title)s\" to %(teams)s now?", { ...named, teams });
      if (!(await confirmDialog(question, extra, t("Release now")))) return;
      const chosen = extra ? boxes.filter((box) => box.checked).map((box) => box.value) : open;
      if (!chosen.length) { toast(t("Choose at least one team.")); return; }
      const fields = { kind: "inject", inject: inj.id };
      if (chosen.length < inj.teams.length) fields.teams = chosen;
      report(await page.submit(fields), t("%(inject)s release", { inject: inj.id }));
      return;
    }
    // Skip and defer ask the same, each in a sentence of its own.
    const words = act === "skip"
      ? { why: t("Why is it skipped?"), question: t("Skip %(inject)s \"%(title)s\"?", named), ok: t("Skip"), done: t("%(inject)s skip", { inject: inj.id }) }
      : { why: t("Why is it deferred?"), question: t("Defer %(inject)s \"%(title)s\"?", named), ok: t("Defer"), done: t("%(inject)s defer", { inject: inj.id }) };
    const reason = el("textarea", { name: "reason", rows: 3, required: true, maxLength: 10000 });
    const extra = el("div", {}, el("label", { text: words.why }, reason));
    // Deferred to a new time, it falls due then (and overdue from there); cleared, it keeps its old time.
    const now = server.exerciseNow();
    const later = now === null ? null : Math.ceil((now + 30 * 60) / 300) * 300;
    const dayInput = el("select", { name: "day" }, ...scenario.days.map((d) => el("option", { value: d.day, text: `${d.day}`,
      selected: d.day === (later === null ? inj.day : Math.floor(later / DAY) + 1) })));
    const timeInput = el("input", { type: "text", name: "time", inputMode: "numeric", size: 5, maxLength: 5, pattern: "([01][0-9]|2[0-3]):[0-5][0-9]",
      placeholder: t("HH:MM"), title: t("Time (24-hour, HH:MM)"), value: later === null ? "" : clockText(later % DAY) });
    if (act === "defer") extra.append(el("label", { class: "defer-to" }, t("Due again at (empty: its old time)"), " ", t("Day"), " ", dayInput, " ", timeInput));
    if (!(await confirmDialog(words.question, extra, words.ok))) return;
    if (!reason.value.trim()) { toast(t("A reason is needed: nothing was saved.")); return; }
    const fields = { kind: act === "skip" ? "inject_skip" : "inject_defer", inject: inj.id, reason: reason.value };
    if (act === "defer" && timeInput.value.trim()) Object.assign(fields, { day: Number(dayInput.value), time: timeInput.value.trim() });
    report(await page.submit(fields), words.done);
  }

  /** Shift the rest of the schedule: every inject still to do from a day and time on, by some minutes. */
  function setUpShift() {
    const open = $("shift-open");
    if (!open) return;
    open.addEventListener("click", async () => {
      const now = server.exerciseNow();
      const from = now === null ? null : Math.floor(now / 300) * 300;
      const dayInput = el("select", { name: "day" }, ...scenario.days.map((d) => el("option", { value: d.day, text: `${d.day}`,
        selected: d.day === (from === null ? day : Math.floor(from / DAY) + 1) })));
      const timeInput = el("input", { type: "text", name: "time", inputMode: "numeric", size: 5, maxLength: 5, required: true,
        pattern: "([01][0-9]|2[0-3]):[0-5][0-9]", placeholder: t("HH:MM"), title: t("Time (24-hour, HH:MM)"),
        value: from === null ? "" : clockText(from % DAY) });
      const minutesInput = el("input", { type: "number", name: "minutes", min: -1440, max: 1440, step: 1, value: 30, required: true });
      const reason = el("textarea", { name: "reason", rows: 2, required: true, maxLength: 10000 });
      const extra = el("div", { class: "shift-form" },
        el("label", {}, t("From"), " ", t("Day"), " ", dayInput, " ", timeInput),
        el("label", {}, t("By (minutes; negative: earlier)"), " ", minutesInput),
        el("label", { text: t("Why?") }, reason),
        el("p", { class: "muted", text: t("Every inject still to do from then to the end of that day moves; released and skipped ones, and the other days, stay.") }));
      if (!(await confirmDialog(t("Shift the schedule"), extra, t("Shift")))) return;
      const minutes = Number(minutesInput.value);
      if (!reason.value.trim()) { toast(t("A reason is needed: nothing was saved.")); return; }
      report(await page.submit({ kind: "schedule_shift", day: Number(dayInput.value), time: timeInput.value.trim(),
        minutes: Number.isInteger(minutes) ? minutes : minutesInput.value, reason: reason.value }), t("Schedule shift"));
    });
  }

  function setUpAdhoc() {
    const open = $("adhoc-open");
    if (!open) return;
    const form = $("adhoc-form");
    const teamsBox = $("adhoc-teams");
    scenario.teams.forEach((team) => teamsBox.append(el("label", { class: "check" }, el("input", { type: "checkbox", name: "teams", value: team.id }), ` ${team.name}`)));
    scenario.sites.forEach((s) => form.site.append(el("option", { value: s.id, text: s.name })));
    RULES.delivery_methods.forEach((d) => form.delivery.append(el("option", { value: d, text: t(RULES.labels.delivery[d]) })));
    open.addEventListener("click", () => { $("adhoc-error").textContent = ""; $("adhoc-dialog").showModal(); });
    form.addEventListener("submit", async (event) => {
      if (event.submitter && event.submitter.value === "cancel") return;
      event.preventDefault();
      const teams = [...form.querySelectorAll("input[name=teams]:checked")].map((c) => c.value);
      if (!teams.length) { $("adhoc-error").textContent = t("Choose at least one team."); return; }
      const fields = { kind: "inject", adhoc: true, inject: `AH-${Date.now().toString(36).toUpperCase()}`, title: form.title.value, description: form.description.value, teams, delivery: form.delivery.value };
      if (form.site.value) fields.site = form.site.value;
      const ack = await page.submit(fields);
      if (!ack.ok) { $("adhoc-error").textContent = ack.error; return; }
      form.reset();
      $("adhoc-dialog").close();
      toast(t("%(inject)s released", { inject: fields.inject }), false);
    });
  }

  return { render };
}
