// The inject board: the day's MSEL and the ad-hoc injects against the exercise clock, each in the
// status the server folds (pending, released with who answered after how long, skipped, deferred),
// DUE or OVERDUE by the rule the server gives; release, skip or defer with a reason, or an ad-hoc inject.

import { RULES } from "/rules.js";
import { DAY, el, minutes, u } from "../views.js";
import { confirmDialog, report, toast } from "./dialogs.js";

const $ = (id) => document.getElementById(id);
const RELEASED = RULES.inject_status.inject; // once released, an inject takes no release, skip or defer

export function boardPanel(page) {
  const { server, scenario, views } = page;
  const msel = new Map(scenario.injects.map((inj) => [inj.id, inj]));
  let day = null;
  let dayChosen = false;
  let scrolledAt = -1e9;

  const board = $("board");
  const select = $("board-day");
  scenario.days.forEach((d) => select.append(el("option", { value: d.day, text: `${d.day}` })));
  select.addEventListener("change", () => { day = Number(select.value); dayChosen = true; render(); });
  board.addEventListener("click", (e) => {
    const act = e.target.dataset.act;
    if (act) boardAction(e.target.closest("[data-inject]").dataset.inject, act);
  });
  board.addEventListener("wheel", () => { scrolledAt = performance.now(); }, { passive: true });
  board.addEventListener("touchmove", () => { scrolledAt = performance.now(); }, { passive: true });
  setInterval(render, 5000);
  setUpAdhoc();

  function status(entry, now) {
    const label = entry.status.toUpperCase();
    if (!RULES.still_to_do.includes(entry.status) || now === null || entry.due === undefined) return { key: entry.status, label };
    const late = now - entry.due;
    const deferred = entry.status === "deferred" ? " (deferred)" : "";
    if (late >= RULES.overdue_after) return { key: "overdue", label: `OVERDUE +${Math.round(late / 60)} min${deferred}` };
    if (late >= 0) return { key: "due", label: `DUE${deferred}` };
    return { key: entry.status, label };
  }

  function render() {
    const now = server.exerciseNow();
    if (!dayChosen) day = Math.min(now === null ? 1 : Math.floor(now / DAY) + 1, scenario.days.length);
    select.value = String(day);
    const rows = Object.entries(server.state.injects).filter(([, entry]) => entry.day === day)
      .map(([id, entry]) => ({ id, entry, row: msel.get(id) || { title: entry.title, teams: entry.teams } }))
      .sort((a, b) => a.entry.time.localeCompare(b.entry.time));
    const items = rows.map(({ id, entry, row }) => {
      const shown = status(entry, now);
      const li = el("li", { class: `inject status-${shown.key}`, "data-inject": id });
      li.append(
        el("span", { class: "inject-time", text: entry.time }),
        el("span", { class: "inject-id", text: id }),
        el("span", { class: "inject-title", text: u(row.title) }),
        el("span", { class: "inject-teams", text: (row.teams || []).map((t) => u(views.shortTeamName(t))).join(", ") }),
        el("span", { class: "inject-status", text: shown.label }),
      );
      if (entry.status === RELEASED && entry.teams) {
        const answered = entry.teams.map((t) => `${u(views.shortTeamName(t))} ${t in entry.responses ? minutes(entry.responses[t]) : "–"}`);
        li.append(el("span", { class: "inject-responses", text: `answered: ${answered.join(" · ")}` }));
      }
      if (entry.reason) li.append(el("span", { class: "inject-reason", text: u(entry.reason) }));
      if (page.can.inject && msel.has(id) && entry.status !== RELEASED) {
        li.append(el("span", { class: "inject-actions" },
          el("button", { type: "button", text: "Release", "data-act": "release" }),
          el("button", { type: "button", text: "Skip", "data-act": "skip", hidden: entry.status === RULES.inject_status.inject_skip }),
          el("button", { type: "button", text: "Defer", "data-act": "defer" })));
      }
      return li;
    });
    board.replaceChildren(...(items.length ? items : [el("li", { class: "empty", text: "No injects scheduled this day." })]));
    // Keep the first inject still to do in view, unless someone scrolled the board in the last half minute.
    if (performance.now() - scrolledAt > 30000) {
      const next = board.querySelector([".status-overdue", ".status-due", ...RULES.still_to_do.map((s) => `.status-${s}`)].join(", "));
      if (next) board.scrollTop = next.offsetTop - board.offsetTop;
    }
  }

  async function boardAction(injectId, act) {
    const inj = msel.get(injectId);
    const teams = inj.teams.map(views.teamName).join(", ");
    if (act === "release") {
      if (!(await confirmDialog(`Release ${u(inj.id)} "${u(inj.title)}" to ${teams} now?`, null, "Release now"))) return;
      report(await page.submit({ kind: "inject", inject: inj.id }), `${inj.id} release`);
      return;
    }
    const reason = el("textarea", { name: "reason", rows: 3, required: true, maxLength: 10000 });
    const label = el("label", { text: act === "skip" ? "Why is it skipped?" : "Why is it deferred?" }, reason);
    if (!(await confirmDialog(`${act === "skip" ? "Skip" : "Defer"} ${u(inj.id)} "${u(inj.title)}"?`, label, act === "skip" ? "Skip" : "Defer"))) return;
    if (!reason.value.trim()) { toast("A reason is needed: nothing was saved."); return; }
    report(await page.submit({ kind: act === "skip" ? "inject_skip" : "inject_defer", inject: inj.id, reason: reason.value }), `${inj.id} ${act}`);
  }

  function setUpAdhoc() {
    const open = $("adhoc-open");
    if (!open) return;
    const form = $("adhoc-form");
    const teamsBox = $("adhoc-teams");
    scenario.teams.forEach((t) => teamsBox.append(el("label", { class: "check" }, el("input", { type: "checkbox", name: "teams", value: t.id }), ` ${t.name}`)));
    scenario.sites.forEach((s) => form.site.append(el("option", { value: s.id, text: s.name })));
    RULES.delivery_methods.forEach((d) => form.delivery.append(el("option", { value: d, text: d })));
    open.addEventListener("click", () => { $("adhoc-error").textContent = ""; $("adhoc-dialog").showModal(); });
    form.addEventListener("submit", async (event) => {
      if (event.submitter && event.submitter.value === "cancel") return;
      event.preventDefault();
      const teams = [...form.querySelectorAll("input[name=teams]:checked")].map((c) => c.value);
      if (!teams.length) { $("adhoc-error").textContent = "Choose at least one team."; return; }
      const fields = { kind: "inject", adhoc: true, inject: `AH-${Date.now().toString(36).toUpperCase()}`, title: form.title.value, description: form.description.value, teams, delivery: form.delivery.value };
      if (form.site.value) fields.site = form.site.value;
      const ack = await page.submit(fields);
      if (!ack.ok) { $("adhoc-error").textContent = ack.error; return; }
      form.reset();
      $("adhoc-dialog").close();
      toast(`${fields.inject} released`, false);
    });
  }

  return { render };
}
