// The exercise clock in the top bar, and the director's start / pause / resume / end.

import { RULES } from "/rules.js";
import { confirmDialog, report } from "./dialogs.js";
import { el, exerciseClockText, u } from "../views.js";

const $ = (id) => document.getElementById(id);
const STATE_LABEL = { not_started: "NOT STARTED", running: "RUNNING", paused: "PAUSED", ended: "ENDED" };

export function clockPanel(page) {
  const { server, scenario } = page;
  const controls = $("clock-controls");
  controls?.addEventListener("click", (e) => { if (e.target.dataset.op) act(e.target.dataset.op); });

  function render() {
    const c = server.state.clock;
    const stateBox = $("clock-state");
    stateBox.textContent = `${STATE_LABEL[c.state]}${c.state === "running" && c.rate > 1 ? ` ×${c.rate}` : ""}`;
    stateBox.className = `clock-state state-${c.state}`;
    document.body.dataset.clock = c.state;
    const t = exerciseClockText(server.exerciseNow());
    $("clock-day").textContent = t ? `Day ${t.day}` : "Day –";
    $("clock-time").textContent = t ? t.time : "--:--:--";
    controls?.querySelectorAll("button").forEach((b) => { b.hidden = !RULES.clock[b.dataset.op].from.includes(c.state); });
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
      jump = el("input", { type: "checkbox", name: "jump", checked: op === "start" });
      dayInput = el("select", { name: "day" });
      scenario.days.forEach((d) => dayInput.append(el("option", { value: d.day, text: `Day ${d.day} — ${u(d.title)}`, selected: d.day === nextDay })));
      timeInput = el("input", { type: "time", name: "time", value: dayStart(nextDay) });
      dayInput.addEventListener("change", () => { timeInput.value = dayStart(Number(dayInput.value)); });
      extra.append(el("label", {}, jump, op === "start" ? " Start at" : " Jump to"), " ", dayInput, " ", timeInput);
    }
    const question = {
      start: "Start the exercise clock? Play begins for every team.",
      pause: `Pause the exercise clock at ${now ? `day ${now.day} ${now.time}` : "now"}? Exercise time stops.`,
      resume: `Resume the exercise clock${now ? ` (paused at day ${now.day} ${now.time})` : ""}?`,
      end: "End the exercise (ENDEX)? The clock cannot be restarted.",
    }[op];
    if (!(await confirmDialog(question, extra, op === "end" ? "End exercise" : op[0].toUpperCase() + op.slice(1)))) return;
    const fields = { kind: "clock", op };
    if (jump && jump.checked) Object.assign(fields, { day: Number(dayInput.value), time: timeInput.value });
    report(await page.submit(fields), `Clock: ${op}`);
  }

  return { render };
}
