// "My log" on a phone: every entry this device made today, as it now reads (its own corrections
// laid over it, withdrawn ones marked), with its state — waiting, saved or refused — and the
// buttons to correct or withdraw it.

import { RULES } from "/rules.js";
import { t } from "../i18n.js";
import { observedNow, uuid4 } from "../live.js";
import { el, u, wallClock } from "../views.js";

const $ = (id) => document.getElementById(id);

/** `correct(entry)`: open the entry in the form to correct it (the form's kinds only). */
export function myLog(phone, { correct, formKinds }) {
  const { outbox, name, teamName, siteName } = phone;

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
      case "amend": return t("Correction of an earlier entry");
      case "retract": return t("Withdrawal of an earlier entry: %(reason)s", { reason: u(payload.reason) });
      default: return payload.kind;
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
    return [...byId.values()];
  }

  function render() {
    const today = new Date().toDateString();
    const entries = currentEntries().filter((e) => new Date(e.madeAt).toDateString() === today).reverse();
    const items = entries.map((e) => {
      const li = el("li", { class: `log-entry state-${e.state}${e.withdrawn ? " withdrawn" : ""}`, "data-id": e.id });
      // A safety alert the server has is in control's hands: say so, and who acknowledged it, when.
      const label = e.payload.kind === "safety" && e.state === "saved" ? t("received by control")
        : { waiting: t("waiting"), saved: t("saved"), refused: t("refused") }[e.state];
      const ack = e.payload.kind === "safety" && phone.acks && phone.acks[e.id];
      li.append(
        el("span", { class: "log-time", text: wallClock(e.madeAt) }),
        el("span", { class: `log-state`, text: label }),
        el("span", { class: "log-text", text: summary(e.payload) }),
      );
      if (e.state === "refused") li.append(el("span", { class: "log-error", text: u(e.error) }));
      if (ack) li.append(el("span", { class: "log-flag log-ack", text: t("acknowledged by %(who)s at %(time)s", { who: u(ack.who), time: wallClock(ack.ts) }) }));
      if (e.withdrawn) li.append(el("span", { class: "log-flag", text: t("withdrawn") }));
      else if (e.corrected) li.append(el("span", { class: "log-flag", text: t("corrected") }));
      if (RULES.correctable.includes(e.payload.kind) && e.state !== "refused" && !e.withdrawn) {
        const buttons = el("span", { class: "log-actions" });
        if (formKinds.includes(e.payload.kind)) buttons.append(el("button", { type: "button", text: t("Correct"), "data-act": "correct" }));
        buttons.append(el("button", { type: "button", text: t("Withdraw"), "data-act": "withdraw" }));
        li.append(buttons);
      }
      return li;
    });
    $("mylog-list").replaceChildren(...(items.length ? items : [el("li", { class: "empty", text: t("Nothing logged on this device today.") })]));
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
        return;
      }
      phone.keep({ id: uuid4(), kind: "retract", target: entry.id, reason: withdrawForm.reason.value.trim(), observed_at: observedNow() });
    };
  }

  $("mylog-list").addEventListener("click", (event) => {
    const act = event.target.dataset.act;
    if (!act) return;
    const entry = currentEntries().find((e) => e.id === event.target.closest("[data-id]").dataset.id);
    if (act === "withdraw") withdraw(entry);
    if (act === "correct") correct(entry);
  });

  return { render };
}
