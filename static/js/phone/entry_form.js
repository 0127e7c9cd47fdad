// The phone's entry form: an observer's rating (/observe) or a team's action (/team), checked
// before it goes to the outbox; a refusal by the server shown next to the field its ack names
// (`field`); the same form corrects an earlier entry (an amend of the fields that changed).

import { t } from "../i18n.js";
import { observedNow, uuid4 } from "../live.js";
import { el, options, u } from "../views.js";
import { drawGuide } from "./assignment.js";
import { photoPicker } from "./photos.js";

const $ = (id) => document.getElementById(id);

/** The kinds this page's form makes (and so may correct). */
export const formKinds = (page) => (page === "observe" ? ["evaluation"] : ["action"]);

export function entryForm(phone) {
  const { page, form, scenario, remembered } = phone;
  let amending = null; // the entry being corrected
  let lastSubmitted = null; // the id of the entry just made, until the server has answered it
  const photos = photoPicker($("photo-pick"));

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
    $("saved-note").textContent = "";
    if (field !== "form") showField(field);
    else $("err-form").scrollIntoView({ block: "center" });
  }

  /** Every named field's value as the form shows it (a radio's choice, a box ticked or not). */
  function formValues() {
    const values = {};
    for (const element of form.elements) {
      if (!element.name || element.tagName === "BUTTON") continue;
      if (element.type === "radio") { if (element.checked) values[element.name] = element.value; }
      else if (element.type === "checkbox") values[element.name] = element.checked;
      else values[element.name] = element.value;
    }
    return values;
  }

  /** Put values in the form (a draft taken back, an entry to correct), a field missing from them empty; the
   * objective before its critical tasks. */
  function setValues(values) {
    for (const element of form.elements) {
      if (!element.name || element.tagName === "BUTTON" || element.name === "task") continue;
      if (element.type === "radio") element.checked = (values[element.name] ?? "") === element.value;
      else if (element.type === "checkbox") element.checked = !!values[element.name];
      else element.value = values[element.name] ?? "";
    }
    if (page === "observe") { fillTasks(); form.elements.task.value = values.task || ""; showGuide(); showTheme(); }
  }

  // The entry under way is kept on the phone as it is written: a reload (a phone that closes the tab
  // while the camera is open) or a correction of an earlier entry in between loses none of it.
  const draftKey = `excon.draft.${page}`;
  function keepDraft() {
    if (amending) return;
    if (underWay() || photos.taken().length) localStorage.setItem(draftKey, JSON.stringify({ values: formValues(), photos: photos.taken() }));
    else localStorage.removeItem(draftKey);
  }
  let stashed = null; // the entry under way while an earlier one is corrected

  function readForm() {
    const data = Object.fromEntries(new FormData(form).entries());
    const fields = {};
    for (const [key, value] of Object.entries(data)) if (value !== "") fields[key] = ["bookmark", "for_report"].includes(key) ? true : value;
    if (!fields.for_report) delete fields.theme; // a theme groups key evidence only
    return fields;
  }

  function check(fields) {
    const required = page === "observe"
      ? { team: t("Choose the team you watched."), objective: t("Choose the objective."), rating: t("Choose a rating: P, S, M or U."),
        note: t("Write what you saw: the note is the evidence.") }
      : { team: t("Choose the team."), action_type: t("Choose what the team did."), site: t("Choose where."), text: t("Write what was done.") };
    const missing = Object.keys(required).filter((field) => !fields[field] || !String(fields[field]).trim());
    missing.forEach((field) => fieldError(field, required[field]));
    if (missing.length) showField(missing[0]);
    return !missing.length;
  }

  /** Bring a field into sight and focus it: the first one wrong, not an error hidden off the screen. */
  function showField(field) {
    const control = form.elements[field];
    const first = control instanceof RadioNodeList ? control[0] : control;
    if (!first || !first.focus) return;
    (first.closest("fieldset") || first.closest("label") || first).scrollIntoView({ block: "center" });
    first.focus({ preventScroll: true });
  }

  function submitEntry(event) {
    event.preventDefault();
    const tapped = observedNow(); // the moment of observation, as the observer tapped (by the server's clock)
    clearErrors();
    const fields = readForm();
    if (page === "team") fields.team = phone.team();
    if (!check(fields)) return;
    let payload;
    if (amending) {
      const original = amending.payload;
      const changes = {};
      for (const key of new Set([...Object.keys(fields), ...Object.keys(original)])) {
        if (["id", "kind", "observed_at", "photos"].includes(key)) continue;
        if ((fields[key] ?? null) !== (original[key] ?? null)) changes[key] = fields[key] ?? null;
      }
      // A correction may add photos (sent before it, named after the ones the entry had); it takes none away.
      if (photos.taken().length) changes.photos = [...(original.photos || [])];
      if (!Object.keys(changes).length) { fieldError("form", t("Nothing was changed.")); return; }
      payload = { id: uuid4(), kind: "amend", target: amending.id, ...changes, observed_at: tapped };
    } else {
      payload = { id: uuid4(), kind: formKinds(page)[0], ...fields, observed_at: tapped };
    }
    lastSubmitted = payload.id;
    phone.keep(payload, false, photos.taken());
    photos.clear();
    if (page === "observe") {
      phone.remember("team", fields.team); phone.remember("site", fields.site || ""); phone.remember("objective", fields.objective);
    }
    const corrected = !!amending;
    endAmend();
    resetForm();
    if (corrected) takeBackStash();
    else localStorage.removeItem(draftKey);
    if (waiting !== undefined) assign(waiting); // the assignment that changed while this entry was written
    // Said next to the button and above the rating tiles, where the page goes back to for the next entry.
    const time = phone.when(tapped);
    $("saved-note").textContent = t("Saved at %(time)s — kept on this phone until the server has it (My log).", { time });
    showContext(corrected ? "" : t("Saved at %(time)s.", { time }));
    ($("form-context") || form.querySelector(".ratings") || form).scrollIntoView({ block: "start" });
  }

  /** Say, above the rating tiles, whom and what the next rating is for (and what was just saved): the team,
   * site and objective stay from one entry to the next, out of sight above. */
  function showContext(saved = "") {
    const box = $("form-context");
    if (!box) return;
    const { team, site, objective } = form.elements;
    const where = site.value ? u(phone.siteName(site.value)) : t("no site");
    const next = team.value && objective.value
      ? t("Next: %(team)s at %(site)s — %(objective)s", { team: u(phone.teamName(team.value)), site: where,
        objective: u(phone.name("objectives", objective.value).title) })
      : t("Choose the team and the objective above.");
    box.replaceChildren(...[saved, next].filter(Boolean).map((text) => el("span", { text })),
      el("a", { href: "#form-title", text: t("Change") }));
  }

  /** The entry that was under way when a correction began, back in the form. */
  function takeBackStash() {
    if (!stashed) return;
    setValues(stashed.values);
    photos.restore(stashed.photos);
    stashed = null;
    keepDraft();
  }

  function resetForm() {
    const keepValues = page === "observe" ? ["team", "site", "objective", "task"] : ["site"]; // the next entry is often the same task
    const kept = Object.fromEntries(keepValues.map((k) => [k, form.elements[k].value]));
    form.reset();
    for (const [k, v] of Object.entries(kept)) form.elements[k].value = v;
    if (page === "observe") { fillTasks(); showTheme(); }
  }

  function startAmend(entry) {
    if (!amending && (underWay() || photos.taken().length)) stashed = { values: formValues(), photos: photos.stash() };
    amending = entry;
    $("amend-note").hidden = false;
    $("form-title").textContent = t("Correct an entry");
    setValues(entry.payload); // the guide too, on the observer's form
    form.scrollIntoView();
  }

  function endAmend() {
    amending = null;
    $("amend-note").hidden = true;
    $("form-title").textContent = page === "observe" ? t("New observation") : t("Log an action");
  }

  function fillTasks() {
    const objective = phone.name("objectives", form.elements.objective.value);
    const task = form.elements.task.value;
    options(form.elements.task, (objective.tasks || []).map((task) => [task.id, task.title]));
    form.elements.task.value = (objective.tasks || []).some((x) => x.id === task) ? task : "";
    showGuide();
  }

  const showGuide = () => drawGuide(phone, form.elements.objective.value, form.elements.task.value, form.elements.inject?.value);

  /**
   * Fill a select with a blank first choice ("— choose —": nothing is chosen for the evaluator) and the
   * entries of `table`, those of the assignment now first, in a group of their own.
   */
  function fillChoices(select, items, mine) {
    const value = select.value;
    const blank = el("option", { value: "", text: t("— choose —") });
    const own = items.filter(([id]) => mine.includes(id));
    const others = items.filter(([id]) => !mine.includes(id));
    const option = ([id, text]) => el("option", { value: id, text });
    if (!own.length) select.replaceChildren(blank, ...others.map(option));
    else {
      select.replaceChildren(blank, el("optgroup", { label: t("My assignment") }, ...own.map(option)),
        el("optgroup", { label: t("Others") }, ...others.map(option)));
    }
    select.value = value;
  }

  let preselected = {}; // field -> the value the last assignment chose (a choice the evaluator made stays)

  let waiting; // an assignment that came while an entry was under way: applied once it is saved

  /** Is an entry under way (a rating tapped, a note begun, a correction open)?  Then it stays where it is. */
  const underWay = () => !!(amending || form.querySelector("input[name=rating]:checked")
    || (form.elements.note || form.elements.text).value.trim());

  /** Show the assignment now in the form: its teams, sites and objectives first; where it names only
   * one, that one chosen — unless the evaluator chose otherwise.  No assignment: nothing is chosen for them.
   * An entry under way is never moved to another team or objective: the new choice waits for its save.
   * changed: the assignment changed (not the first one known on this page). */
  function assign(segment, changed = false) {
    if (page !== "observe") return;
    if (underWay()) { waiting = segment || null; return; }
    if (waiting !== undefined) changed = true;
    waiting = undefined;
    const mine = segment || { teams: [], sites: [], objectives: [] };
    fillChoices(form.elements.team, teamItems, mine.teams);
    fillChoices(form.elements.site, siteItems, mine.sites);
    fillChoices(form.elements.objective, objectiveItems, mine.objectives);
    const chosen = {};
    for (const [field, list] of [["team", mine.teams], ["site", mine.sites], ["objective", mine.objectives]]) {
      const control = form.elements[field];
      // A new assignment replaces the choices made for the last one; the same one, redrawn, keeps them.
      const untouched = changed || !control.value || control.value === preselected[field];
      if (!untouched || amending) continue;
      control.value = list.length === 1 ? list[0] : "";
      if (control.value) chosen[field] = control.value;
    }
    preselected = chosen;
    fillTasks();
  }

  /** The injects this entry may answer: every one released (observers), or those released to the team. */
  function fillInjects() {
    const select = form.elements.inject;
    const team = phone.team();
    const current = select.value;
    // A team no longer answers an inject control withdrew; an evaluator may still link what they saw to it.
    const released = [...phone.released.values()].filter((i) => page === "observe" || (i.teams.includes(team) && !i.withdrawn));
    options(select, released.map((i) => [i.id, `${u(i.id)} — ${u(i.title)}`]));
    select.value = current;
  }

  const siteItems = scenario.sites.map((s) => [s.id, s.name]);
  const teamItems = scenario.teams.map((team) => [team.id, team.name]);
  const objectiveItems = scenario.objectives.map((o) => [o.id, o.title]);
  if (page === "observe") {
    assign(null);
    // What this evaluator chose for their last entry on this device (never a first team or objective by default).
    for (const key of ["team", "site", "objective"]) if (remembered[key] !== undefined) form.elements[key].value = remembered[key];
    fillTasks();
    form.elements.objective.addEventListener("change", fillTasks);
    form.elements.task.addEventListener("change", showGuide);
    form.elements.inject.addEventListener("change", showGuide); // the inject observed: what control expects of it first
  } else {
    // Nothing chosen by itself: what the team did is theirs to say; where, the site they last moved to.
    options(form.elements.action_type, scenario.action_types.map((a) => [a.id, a.label]));
    options(form.elements.site, siteItems);
  }
  form.addEventListener("submit", submitEntry);
  $("amend-cancel").addEventListener("click", () => {
    photos.discard(); // chosen for the correction that is not made
    endAmend();
    resetForm();
    takeBackStash();
    if (waiting !== undefined) assign(waiting);
    showContext();
  });
  // Key evidence for the report may carry a theme: the ones this device used before are offered.
  function showTheme() {
    if (!form.elements.for_report) return;
    $("theme-field").hidden = !form.elements.for_report.checked;
    const used = [...new Set(phone.outbox.entries().map((e) => e.payload.theme).filter(Boolean))];
    $("themes").replaceChildren(...used.map((theme) => el("option", { value: theme })));
  }
  if (form.elements.for_report) form.elements.for_report.addEventListener("change", showTheme);
  form.addEventListener("input", keepDraft);
  form.addEventListener("change", () => { keepDraft(); showContext(); });
  photos.onChange(keepDraft);
  if (page === "observe") {
    // A new team is usually somewhere else: the site follows the team, where the teams' moves say it is.
    form.elements.team.addEventListener("change", () => {
      const here = phone.teamSites[form.elements.team.value];
      form.elements.site.value = here && [...form.elements.site.options].some((o) => o.value === here) ? here : "";
      showContext();
    });
  }
  const draft = JSON.parse(localStorage.getItem(draftKey) || "null");
  if (draft) { setValues(draft.values); photos.restore(draft.photos || []); }
  showContext();

  return { startAmend, showRefusal, fillInjects, assign, showGuide };
}
