// The exercise clock in the top bar, and the director's start / pause / resume / end.

import { RULES } from "/rules.js";
import { LANG, t } from "../i18n.js";
import { confirmDialog, report } from "./dialogs.js";
import { clockSeconds, el, exerciseClockText, u, wallClock } from "../views.js";

const $ = (id) => document.getElementById(id);

export function clockPanel(page) {
  const { server, scenario } = page;
  const controls = $("clock-controls");
  controls?.addEventListener("click", (e) => { if (e.target.dataset.op) act(e.target.dataset.op); });

  function render() {
    const c = server.state.clock;
    const stateBox = $("clock-state");
    // The state shouts in the top bar ("RUNNING"); the catalog keeps the word as the server names it.
    stateBox.textContent = `${t(RULES.labels.clock[c.state]).toLocaleUpperCase(LANG)}${c.state === "running" && c.rate > 1 ? ` ×${c.rate}` : ""}`;
    stateBox.className = `clock-state state-${c.state}`;
    document.body.dataset.clock = c.state;
    const shown = exerciseClockText(server.exerciseNow());
    $("clock-day").textContent = t("Day %(day)s", { day: shown ? shown.day : "–" });
    $("clock-time").textContent = shown ? shown.time : "--:--:--";
    controls?.querySelectorAll("button").forEach((b) => { b.hidden = !RULES.clock[b.dataset.op].from.includes(c.state); });
    // The wall clock beside exercise time: the venue runs on both (lunch at 12:30, the bus at 17:00).
    const wall = $("clock-wall");
    if (wall) wall.textContent = t("real time %(time)s", { time: wallClock(new Date(Date.now() + (server.skew || 0)).toISOString()) });
    // Paused: for how long, and why (the director's words, when given).
    const note = $("clock-note");
    if (note) {
      const pausedFor = c.state === "paused" && c.since ? Math.max(0, Math.floor((Date.now() + (server.skew || 0) - Date.parse(c.since)) / 60000)) : null;
      note.textContent = pausedFor === null ? "" : c.reason ? t("for %(minutes)s min — %(reason)s", { minutes: pausedFor, reason: u(c.reason) })
        : t("for %(minutes)s min", { minutes: pausedFor });
      note.title = c.reason || "";
    }
  }

  const dayStart = (day) => {
    const entry = scenario.days.find((d) => d.day === day);
    return entry ? entry.schedule[0].start : "09:00";
  };

  async function act(op) {
    const now = exerciseClockText(server.exerciseNow());
    const extra = el("div");
    let jump = null;
    let dayInput = null;
    let timeInput = null;
    if (op === "start" || op === "resume") {
      const nextDay = op === "start" ? 1 : Math.min(scenario.days.length, (now ? now.day : 0) + 1);
      // Paused after the day's last block (the evening): resuming means the next morning, ticked for you.
      const today = now && scenario.days.find((d) => d.day === now.day);
      const dayOver = op === "resume" && today && now.day < scenario.days.length
        && clockSeconds(now.time) >= clockSeconds(today.schedule[today.schedule.length - 1].end);
      jump = el("input", { type: "checkbox", name: "jump", checked: op === "start" || dayOver });
      dayInput = el("select", { name: "day" });
      scenario.days.forEach((d) => dayInput.append(el("option", { value: d.day, text: t("Day %(day)s — %(title)s", { day: d.day, title: u(d.title) }), selected: d.day === nextDay })));
      // A text field, not type=time: that one shows the browser's AM/PM; exercise time is 24-hour.
      timeInput = el("input", { type: "text", name: "time", value: dayStart(nextDay), inputMode: "numeric", size: 5,
        maxLength: 5, pattern: "([01][0-9]|2[0-3]):[0-5][0-9]", placeholder: t("HH:MM"), title: t("Time (24-hour, HH:MM)") });
      dayInput.addEventListener("change", () => { timeInput.value = dayStart(Number(dayInput.value)); });
      // The day and time count only with the jump ticked: greyed out otherwise, so nobody sets them in vain.
      const follow = () => { dayInput.disabled = timeInput.disabled = !jump.checked; };
      jump.addEventListener("change", follow);
      follow();
      extra.append(el("label", {}, jump, " ", op === "start" ? t("Start at") : t("Jump to")), " ", dayInput, " ", timeInput);
      if (op === "resume") {
        // Exercise time never goes back: say so before a jump, not after.
        const warning = el("p", { class: "warning-line", text: t("A jump forward cannot be undone: exercise time never goes back, and everything logged from now on is stamped at the new time.") });
        const showWarning = () => { warning.hidden = !jump.checked; };
        jump.addEventListener("change", showWarning);
        showWarning();
        extra.append(warning);
      }
    }
    let reasonInput = null;
    if (op === "pause") {
      reasonInput = el("input", { type: "text", name: "reason", maxLength: 200, placeholder: t("lunch, safety stop, actors not ready …") });
      extra.append(el("label", { class: "clock-reason" }, t("Why (optional, shown with the pause on every screen)"), " ", reasonInput));
    }
    // Each operation's question, its OK button and the name of what was done, each a phrase of its own.
    const [question, okLabel, done] = {
      start: [t("Start the exercise clock? Play begins for every team."), t("Start"), t("Clock: start")],
      pause: [now ? t("Pause the exercise clock at day %(day)s %(time)s? Exercise time stops.", now) : t("Pause the exercise clock now? Exercise time stops."),
        t("Pause"), t("Clock: pause")],
      resume: [now ? t("Resume the exercise clock (paused at day %(day)s %(time)s)?", now) : t("Resume the exercise clock?"), t("Resume"), t("Clock: resume")],
      end: [t("End the exercise (ENDEX)? The clock cannot be restarted."), t("End exercise"), t("Clock: end")],
    }[op];
    if (!(await confirmDialog(question, extra, okLabel))) return;
    const fields = { kind: "clock", op };
    if (jump && jump.checked) Object.assign(fields, { day: Number(dayInput.value), time: timeInput.value });
    if (reasonInput && reasonInput.value.trim()) fields.reason = reasonInput.value.trim();
    report(await page.submit(fields), done);
  }

  return { render };
}
