// The phone's entry form: an observer's rating (/observe) or a team's action (/team), checked
// before it goes to the outbox; a refusal by the server shown next to the field its ack names
// (`field`); the same form corrects an earlier entry (an amend of the fields that changed).

import { t } from "../i18n.js";
import { uuid4 } from "../live.js";
import { options, u } from "../views.js";

const $ = (id) => document.getElementById(id);

/** The kinds this page's form makes (and so may correct). */
export const formKinds = (page) => (page === "observe" ? ["evaluation"] : ["action"]);

export function entryForm(phone) {
  const { page, form, scenario, remembered } = phone;
  let amending = null; // the entry being corrected
  let lastSubmitted = null; // the id of the entry just made, until the server has answered it

  function clearErrors() {
    document.querySelectorAll(".field-error").forEach((p) => { p.textContent = ""; });
    document.querySelectorAll("[aria-invalid]").forEach((f) => f.removeAttribute("aria-invalid"));
  }

  function fieldError(field, message) {
    const box = $(`err-${field}`) || $("err-form");
    box.textContent = message;
    const control = form.elements[field];
    if (control && control.setAttribute) control.setAttribute("aria-invalid", "true");
  }

  /**
   * Put a server refusal of the entry just made next to the field its ack named (`field`, kept on
   * the outbox entry), or in the form's own error box when the form has no such field or the ack
   * named none (entries kept before acks named their field).
   */
  function showRefusal() {
    if (!lastSubmitted) return;
    const entry = phone.outbox.entries().find((e) => e.id === lastSubmitted);
    if (!entry || entry.state === "waiting") return;
    lastSubmitted = null;
    if (entry.state !== "refused") return;
    const field = entry.field && form.elements.namedItem(entry.field) ? entry.field : "form";
    fieldError(field, t("Not saved: %(error)s", { error: entry.error }));
  }

  function readForm() {
    const data = Object.fromEntries(new FormData(form).entries());
    const fields = {};
    for (const [key, value] of Object.entries(data)) if (value !== "") fields[key] = key === "bookmark" ? true : value;
    return fields;
  }

  function check(fields) {
    const required = page === "observe"
      ? { team: t("Choose the team you watched."), objective: t("Choose the objective."), rating: t("Choose a rating: P, S, M or U."),
        note: t("Write what you saw: the note is the evidence.") }
      : { team: t("Choose the team."), action_type: t("Choose what the team did."), site: t("Choose where."), text: t("Write what was done.") };
    let ok = true;
    for (const [field, message] of Object.entries(required)) {
      if (!fields[field] || !String(fields[field]).trim()) { fieldError(field, message); ok = false; }
    }
    return ok;
  }

  function submitEntry(event) {
    event.preventDefault();
    const tapped = new Date().toISOString(); // the moment of observation, as the observer tapped
    clearErrors();
    const fields = readForm();
    if (page === "team") fields.team = phone.team();
    if (!check(fields)) return;
    let payload;
    if (amending) {
      const original = amending.payload;
      const changes = {};
      for (const key of new Set([...Object.keys(fields), ...Object.keys(original)])) {
        if (["id", "kind", "observed_at"].includes(key)) continue;
        if ((fields[key] ?? null) !== (original[key] ?? null)) changes[key] = fields[key] ?? null;
      }
      if (!Object.keys(changes).length) { fieldError("form", t("Nothing was changed.")); return; }
      payload = { id: uuid4(), kind: "amend", target: amending.id, ...changes, observed_at: tapped };
    } else {
      payload = { id: uuid4(), kind: formKinds(page)[0], ...fields, observed_at: tapped };
    }
    lastSubmitted = payload.id;
    phone.keep(payload);
    if (page === "observe") {
      phone.remember("team", fields.team); phone.remember("site", fields.site || ""); phone.remember("objective", fields.objective);
    }
    endAmend();
    resetForm();
  }

  function resetForm() {
    const keepValues = page === "observe" ? ["team", "site", "objective"] : ["site"];
    const kept = Object.fromEntries(keepValues.map((k) => [k, form.elements[k].value]));
    form.reset();
    for (const [k, v] of Object.entries(kept)) form.elements[k].value = v;
    if (page === "observe") fillTasks();
  }

  function startAmend(entry) {
    amending = entry;
    $("amend-note").hidden = false;
    $("form-title").textContent = t("Correct an entry");
    const p = entry.payload;
    for (const element of form.elements) {
      if (!element.name) continue;
      if (element.type === "radio") element.checked = (p[element.name] ?? "") === element.value;
      else if (element.type === "checkbox") element.checked = !!p[element.name];
      else if (element.name === "task") { fillTasks(); element.value = p.task || ""; }
      else if (element.name in p || element.tagName !== "BUTTON") element.value = p[element.name] ?? "";
    }
    form.scrollIntoView();
  }

  function endAmend() {
    amending = null;
    $("amend-note").hidden = true;
    $("form-title").textContent = page === "observe" ? t("New observation") : t("Log an action");
  }

  function fillTasks() {
    const objective = phone.name("objectives", form.elements.objective.value);
    options(form.elements.task, (objective.tasks || []).map((task) => [task.id, task.title]));
  }

  /** The injects this entry may answer: every one released (observers), or those released to the team. */
  function fillInjects() {
    const select = form.elements.inject;
    const team = phone.team();
    const current = select.value;
    const released = [...phone.released.values()].filter((i) => page === "observe" || i.teams.includes(team));
    options(select, released.map((i) => [i.id, `${u(i.id)} — ${u(i.title)}`]));
    select.value = current;
  }

  const siteItems = scenario.sites.map((s) => [s.id, s.name]);
  if (page === "observe") {
    options(form.elements.team, scenario.teams.map((team) => [team.id, team.name]), false);
    options(form.elements.site, siteItems);
    options(form.elements.objective, scenario.objectives.map((o) => [o.id, o.title]), false);
    for (const key of ["team", "site", "objective"]) if (remembered[key] !== undefined) form.elements[key].value = remembered[key];
    fillTasks();
    form.elements.objective.addEventListener("change", fillTasks);
  } else {
    options(form.elements.action_type, scenario.action_types.map((a) => [a.id, a.label]), false);
    options(form.elements.site, siteItems, false);
  }
  form.addEventListener("submit", submitEntry);
  $("amend-cancel").addEventListener("click", () => { endAmend(); resetForm(); });

  return { startAmend, showRefusal, fillInjects };
}
