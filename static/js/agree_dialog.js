// The lead evaluator's (or director's) agreed rating of a team against an objective, from the debrief:
// the evaluators' latest ratings and notes shown above the choice, then an `agreed_rating` event
// (its correction, when one exists: an amend, so that the log keeps the first and why it changed).

import { RULES } from "/rules.js";
import { t } from "./i18n.js";
import { Live } from "./live.js";
import { el, options, u } from "./views.js";

const $ = (id) => document.getElementById(id);
let live = null; // the page's connection, made the first time a rating is recorded

/** The debrief's connection for what it records (an agreed rating, evidence picked for the report). */
export function connection(sinceSeq) {
  if (!live) {
    live = new Live({ onEvent: () => {}, onStatus: () => {} });
    live.start(sinceSeq);
  }
  return live;
}

/**
 * Ask for the agreed rating of `team` against `objective` and record it; resolve true once stored.
 * evidence: the objective's evaluations (the server's, corrections applied); current: the agreed
 * ratings of this team and objective now ({task id or "": entry}); sinceSeq: the log's last seq.
 */
export function agree({ views, objective, team, evidence, current, sinceSeq }) {
  const dialog = $("agree-dialog");
  const form = $("agree-form");
  form.reset();
  $("agree-error").textContent = "";
  $("agree-title").textContent = t("Agreed rating: %(team)s", { team: u(views.teamName(team)) });
  $("agree-what").textContent = objective.title;
  options(form.task, objective.tasks.map((task) => [task.id, task.title]));
  const latest = new Map();
  evidence.filter((e) => e.team === team).forEach((e) => latest.set(`${e.by || e.role}|${e.task || ""}`, e));
  $("agree-evidence").replaceChildren(...(latest.size ? [...latest.values()].map((e) => {
    const task = e.task ? ` (${(objective.tasks.find((x) => x.id === e.task) || { title: e.task }).title})` : "";
    return el("li", { class: "feed-item" }, el("span", { class: "feed-kind", text: e.rating }),
      el("span", { class: "feed-who", text: `${views.whoName(e)}${task}` }), el("span", { class: "feed-text", text: e.note }));
  }) : [el("li", { class: "empty", text: t("No evaluation of this team against this objective yet.") })]));
  const fill = () => {
    const entry = current[form.task.value || ""];
    form.rationale.value = entry ? entry.rationale : "";
    form.querySelectorAll("input[name=rating]").forEach((input) => { input.checked = !!entry && input.value === entry.rating; });
  };
  form.task.onchange = fill;
  fill();
  dialog.showModal();
  return new Promise((resolve) => {
    form.onsubmit = async (event) => {
      if (event.submitter && event.submitter.value !== "ok") { resolve(false); return; }
      event.preventDefault();
      const rating = form.querySelector("input[name=rating]:checked");
      if (!rating) { $("agree-error").textContent = t("Choose a rating: P, S, M or U."); return; }
      if (!form.rationale.value.trim()) { $("agree-error").textContent = t("Write the rationale: why this rating, from the observations."); return; }
      const task = form.task.value;
      const existing = current[task || ""];
      const fields = existing
        ? { kind: "amend", target: existing.id, rating: rating.value, rationale: form.rationale.value, reason: t("agreed rating changed") }
        : { kind: "agreed_rating", objective: objective.id, team, rating: rating.value, rationale: form.rationale.value, ...(task ? { task } : {}) };
      const ack = await connection(sinceSeq).submit(fields);
      if (!ack.ok) { $("agree-error").textContent = t("Not saved: %(error)s", { error: ack.error }); return; }
      dialog.close();
      resolve(true);
    };
  });
}

/** The evaluators' latest ratings of one team against one objective, side by side ("Jan Novák P · Maria Ionescu M"). */
export function ratersText(views, raters) {
  return Object.entries(raters.latest).map(([who, rating]) => `${views.whoName({ by: who, role: who })} ${rating}`).join(" · ");
}

export const ratingWords = (letter) => t(RULES.ratings[letter]);
