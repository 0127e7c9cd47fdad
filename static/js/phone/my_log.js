// "My log" on a phone: every entry this device made this week, newest first, as it now reads (its own
// corrections laid over it, withdrawn ones marked), with its state — waiting, saved or refused — and the
// buttons to correct or withdraw it, whatever day it was made.  A compact row each (exercise day and
// time, team, objective or what was done, rating, tag, bookmark, state; the note in two lines, a tap
// shows it all), filters by day, team and objective, a text search, and a page of rows at a time.
// Rendering is incremental: a row is built again only when its entry changed, and a save adds one row.

import { RULES } from "/rules.js";
import { t } from "../i18n.js";
import { observedNow, uuid4 } from "../live.js";
import { DAY, el, exerciseClockText, u, wallClock } from "../views.js";

const $ = (id) => document.getElementById(id);
const PAGE = 50; // rows drawn at first, and added by "show more"

/** `correct(entry)`: open the entry in the form to correct it (the form's kinds only). */
export function myLog(phone, { correct, formKinds }) {
  const { outbox, name, teamName, siteName } = phone;
  const rows = new Map(); // entry id -> {sig, li}: the row drawn for it, and what it was drawn from
  let limit = PAGE;
  let filterKeys = "";

  function summary(payload) {
    switch (payload.kind) {
      case "evaluation": return t("%(team)s — %(objective)s: %(rating)s (%(wording)s) — %(note)s", { team: u(teamName(payload.team)),
        objective: u(name("objectives", payload.objective).title), rating: payload.rating, wording: t(RULES.ratings[payload.rating]), note: u(payload.note) });
      case "action": return t("%(team)s — %(type)s at %(site)s: %(text)s", { team: u(teamName(payload.team)),
        type: u(name("action_types", payload.action_type).label), site: u(siteName(payload.site)), text: u(payload.text) });
      case "move": return t("%(team)s is now at %(site)s", { team: u(teamName(payload.team)), site: u(siteName(payload.site)) });
      case "note": return t("Note: %(text)s", { text: u(payload.text) });
      case "request": return t("Request to control: %(kind)s — %(text)s", { text: u(payload.text),
        kind: u(payload.request_kind ? name("request_kinds", payload.request_kind).label : t("Other request")) });
      case "safety": {
        const parts = { site: u(siteName(payload.site)), text: u(payload.text) };
        if (payload.site) return payload.text ? t("SAFETY ALERT at %(site)s: %(text)s", parts) : t("SAFETY ALERT at %(site)s: (no text)", parts);
        return payload.text ? t("SAFETY ALERT: %(text)s", parts) : t("SAFETY ALERT: (no text)");
      }
      case "feedback": {
        const title = ((phone.scenario.feedback || []).find((q) => q.id === payload.questionnaire) || { title: payload.questionnaire }).title;
        return payload.day ? t("Feedback: %(title)s, day %(day)s", { title: u(title), day: payload.day }) : t("Feedback: %(title)s", { title: u(title) });
      }
      case "amend": return t("Correction of an earlier entry");
      case "retract": return t("Withdrawal of an earlier entry: %(reason)s", { reason: u(payload.reason) });
      default: return payload.kind;
    }
  }

  /** The row's first line — who and what, short — and its text (the note, what was done). */
  function headAndText(payload) {
    const team = payload.team ? u(teamName(payload.team)) : "";
    const objective = payload.objective ? u(name("objectives", payload.objective).title) : "";
    const task = payload.task && payload.objective
      ? u(((phone.scenario.objectives.find((o) => o.id === payload.objective) || { tasks: [] }).tasks.find((x) => x.id === payload.task) || { title: payload.task }).title) : "";
    switch (payload.kind) {
      case "evaluation": return [[team, objective, task].filter(Boolean).join(" · "), u(payload.note)];
      case "action": return [[team, u(name("action_types", payload.action_type).label), u(siteName(payload.site))].join(" · "), u(payload.text)];
      case "move": return [t("%(team)s is now at %(site)s", { team, site: u(siteName(payload.site)) }), ""];
      case "request": return [[team, u(payload.request_kind ? name("request_kinds", payload.request_kind).label : t("Other request"))].join(" · "), u(payload.text)];
      default: return [summary(payload), ""];
    }
  }

  /**
   * Each entry as it now reads: this device's own corrections laid over it, withdrawn ones marked.
   * (The server lays corrections over entries for everyone else; these may not have reached it yet.)
   */
  function currentEntries() {
    const entries = outbox.entries();
    const byId = new Map(entries.map((e) => [e.id, { ...e, payload: { ...e.payload } }]));
    for (const e of entries) {
      const target = e.payload.target && byId.get(e.payload.target);
      if (!target || e.state === "refused") continue;
      if (e.payload.kind === "retract") target.withdrawn = true;
      if (e.payload.kind === "amend") {
        const { id, kind, target: _target, reason, observed_at, ...changes } = e.payload;
        Object.assign(target.payload, changes);
        target.corrected = true;
      }
    }
    // A correction the server has is shown on its entry ("corrected", "withdrawn"): no row of its own.
    return [...byId.values()].filter((e) => e.state !== "saved" || !["amend", "retract"].includes(e.payload.kind));
  }

  const dayOf = (e) => (e.placed == null ? null : Math.floor(e.placed / DAY) + 1);

  function when(e) {
    const ex = exerciseClockText(e.placed);
    if (ex) return t("D%(day)s %(time)s", { day: ex.day, time: ex.time.slice(0, 5) });
    return e.payload.observed_at ? phone.when(e.payload.observed_at) : wallClock(e.madeAt); // waiting: by the clock last heard of
  }

  function stateLabel(e) {
    // A safety alert the server has is in control's hands: say so, and who acknowledged it, when.
    if (e.payload.kind === "safety" && e.state === "saved") return t("received by control");
    return { waiting: t("waiting"), saved: t("saved"), refused: t("refused") }[e.state];
  }

  function buildRow(e) {
    const { payload } = e;
    const li = el("li", { class: `log-entry state-${e.state}${e.withdrawn ? " withdrawn" : ""}`, "data-id": e.id });
    const [head, text] = headAndText(payload);
    const headLine = el("p", { class: "log-head" }, el("span", { class: "log-time", text: when(e) }), el("span", { class: "log-what", text: head }));
    if (payload.rating) headLine.append(el("b", { class: `rating-badge rating-${payload.rating}`, text: payload.rating, title: t(RULES.ratings[payload.rating]) }));
    headLine.append(el("span", { class: "log-state", text: stateLabel(e) }));
    li.append(headLine);
    if (text) li.append(el("p", { class: "log-text", text }));
    const flags = [];
    if (payload.tag) flags.push(t(RULES.labels.tag[payload.tag]));
    if (payload.bookmark) flags.push(t("★ bookmarked"));
    const pictures = (payload.photos || []).length + (e.photos || []).length;
    if (pictures) flags.push(t("photos: %(n)s", { n: pictures }));
    if (e.withdrawn) flags.push(t("withdrawn"));
    else if (e.corrected) flags.push(t("corrected"));
    const foot = el("div", { class: "log-foot" });
    if (flags.length) foot.append(el("span", { class: "log-flag", text: flags.join(" · ") }));
    const ack = payload.kind === "safety" && phone.acks && phone.acks[e.id];
    if (ack) foot.append(el("span", { class: "log-flag log-ack", text: t("acknowledged by %(who)s at %(time)s", { who: u(ack.who), time: wallClock(ack.ts) }) }));
    if (e.state === "refused") foot.append(el("span", { class: "log-error", text: u(e.error) }));
    if (RULES.correctable.includes(payload.kind) && e.state !== "refused" && !e.withdrawn) {
      const buttons = el("span", { class: "log-actions" });
      if (formKinds.includes(payload.kind)) buttons.append(el("button", { type: "button", text: t("Correct"), "data-act": "correct" }));
      buttons.append(el("button", { type: "button", text: t("Withdraw"), "data-act": "withdraw" }));
      foot.append(buttons);
    }
    if (foot.childElementCount) li.append(foot);
    return li;
  }

  /** The row for an entry: the one drawn before when nothing in it changed. */
  function rowFor(e) {
    const ack = phone.acks && phone.acks[e.id];
    const sig = JSON.stringify([e.state, e.withdrawn, e.corrected, e.placed, e.error, e.payload, ack]);
    const known = rows.get(e.id);
    if (known && known.sig === sig) return known.li;
    const li = buildRow(e);
    if (known && known.li.classList.contains("open")) li.classList.add("open");
    rows.set(e.id, { sig, li });
    return li;
  }

  /** Offer, in each filter, the days, teams and objectives this device's entries have (a filter with one choice hides). */
  function fillFilters(entries) {
    const days = [...new Set(entries.map(dayOf).filter((d) => d !== null))].sort((a, b) => a - b);
    const teams = [...new Set(entries.map((e) => e.payload.team).filter(Boolean))];
    const objectives = [...new Set(entries.map((e) => e.payload.objective).filter(Boolean))];
    const keys = JSON.stringify([days, teams, objectives]);
    if (keys === filterKeys) return;
    filterKeys = keys;
    const fill = (id, items, all) => {
      const select = $(id);
      if (!select) return;
      const value = select.value;
      select.replaceChildren(el("option", { value: "", text: all }), ...items.map(([v, text]) => el("option", { value: String(v), text })));
      select.value = items.some(([v]) => String(v) === value) ? value : "";
      select.closest("label").hidden = items.length < 2;
    };
    fill("log-day", days.map((d) => [d, t("Day %(day)s", { day: d })]), t("All days"));
    fill("log-team", teams.map((id) => [id, teamName(id)]), t("All teams"));
    fill("log-objective", objectives.map((id) => [id, name("objectives", id).title]), t("All objectives"));
  }

  function matches(e) {
    const day = $("log-day").value;
    const team = $("log-team").value;
    const objective = $("log-objective") ? $("log-objective").value : "";
    const words = $("log-search").value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    // An entry not yet placed (waiting, refused) needs attention: it shows under every day.
    if (day && e.placed != null && String(dayOf(e)) !== day) return false;
    if (team && e.payload.team !== team) return false;
    if (objective && e.payload.objective !== objective) return false;
    if (!words.length) return true;
    const haystack = `${summary(e.payload)} ${headAndText(e.payload).join(" ")} ${when(e)} ${e.payload.tag ? t(RULES.labels.tag[e.payload.tag]) : ""}`.toLowerCase();
    return words.every((w) => haystack.includes(w));
  }

  function render() {
    const entries = currentEntries().reverse();
    fillFilters(entries);
    const matching = entries.filter(matches);
    const wanted = matching.slice(0, limit).map(rowFor);
    const list = $("mylog-list");
    const keep = new Set(wanted);
    for (const child of [...list.children]) if (!keep.has(child)) child.remove();
    let at = list.firstElementChild;
    for (const li of wanted) {
      if (li === at) at = at.nextElementSibling;
      else list.insertBefore(li, at);
    }
    const filtered = matching.length !== entries.length;
    $("mylog-empty").textContent = !entries.length ? t("Nothing logged on this device yet.") : !matching.length ? t("No entry matches these filters.") : "";
    $("mylog-count").textContent = entries.length && (filtered || matching.length > wanted.length)
      ? t("%(shown)s of %(total)s entries shown", { shown: wanted.length, total: entries.length }) : "";
    const more = $("mylog-more");
    more.hidden = matching.length <= wanted.length;
    more.textContent = t("Show %(n)s more", { n: Math.min(PAGE, matching.length - wanted.length) });
  }

  function withdraw(entry) {
    const dialog = $("withdraw-dialog");
    const withdrawForm = $("withdraw-form");
    $("withdraw-what").textContent = summary(entry.payload);
    $("withdraw-error").textContent = "";
    withdrawForm.reset();
    dialog.showModal();
    withdrawForm.onsubmit = (event) => {
      if (event.submitter && event.submitter.value === "cancel") return;
      if (!withdrawForm.reason.value.trim()) {
        event.preventDefault();
        $("withdraw-error").textContent = t("Say why, in a few words: the debrief will read it.");
        withdrawForm.reason.focus();
        return;
      }
      phone.keep({ id: uuid4(), kind: "retract", target: entry.id, reason: withdrawForm.reason.value.trim(), observed_at: observedNow() });
    };
  }

  $("mylog-list").addEventListener("click", (event) => {
    const act = event.target.dataset.act;
    const row = event.target.closest("[data-id]");
    if (!row) return;
    if (!act) { // a tap on a row shows its whole note, another folds it again
      if (event.target.closest(".log-text, .log-head")) row.classList.toggle("open");
      return;
    }
    const entry = currentEntries().find((e) => e.id === row.dataset.id);
    if (act === "withdraw") withdraw(entry);
    if (act === "correct") correct(entry);
  });
  for (const id of ["log-day", "log-team", "log-objective"]) {
    if ($(id)) $(id).addEventListener("change", () => { limit = PAGE; render(); });
  }
  $("log-search").addEventListener("input", () => { limit = PAGE; render(); });
  $("mylog-more").addEventListener("click", () => { limit += PAGE; render(); });

  return { render };
}
