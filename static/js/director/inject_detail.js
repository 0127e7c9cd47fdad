// An inject in full, for the control cell: what the MSEL says (description, from → to, delivery,
// objectives, what control expects, the controllers' notes), what was decided about it and when,
// and per target team what it answered — the actions and evaluations linked to it, as the server
// reads them now (`/api/injects/<id>`).

import { RULES } from "/rules.js";
import { t } from "../i18n.js";
import { getJSON } from "../live.js";
import { waitsText } from "../inject_status.js";
import { el, minutes, u, whenText } from "../views.js";

const $ = (id) => document.getElementById(id);

export function injectDetail(page) {
  const { scenario, server, views } = page;
  const dialog = $("inject-dialog");
  const box = $("inject-body");
  $("inject-close")?.addEventListener("click", () => dialog.close());

  const line = (event) => el("li", { class: "feed-item" }, el("time", { text: whenText(event), dateTime: event.ts }),
    el("span", { class: "feed-who", text: views.whoName(event) }), el("span", { class: "feed-text", text: views.describe(event) }));
  const section = (title, ...children) => el("section", {}, el("h3", { text: title }), ...children);

  /** Open the detail of inject `id` (an MSEL row or an ad-hoc inject). */
  async function open(id) {
    if (!dialog) return;
    box.replaceChildren(el("p", { class: "muted", text: t("Loading…") }));
    $("inject-title").textContent = id;
    dialog.showModal();
    let detail;
    try {
      detail = await getJSON(`/api/injects/${encodeURIComponent(id)}`);
    } catch (error) {
      box.replaceChildren(el("p", { class: "error", text: error.message }));
      return;
    }
    const released = detail.decisions.find((e) => e.kind === "inject");
    const row = scenario.injects.find((x) => x.id === id) || released || {};
    const entry = server.state.injects[id] || {};
    $("inject-title").textContent = `${id} — ${row.title || entry.title || ""}`;
    const teams = row.teams || entry.teams || [];
    const parts = [];
    const when = row.day ? t("Day %(day)s, %(time)s", { day: row.day, time: row.time }) : released ? whenText(released) : "";
    const status = entry.status ? t(RULES.labels.status[entry.status]) : "";
    parts.push(el("p", { class: "inject-meta" }, [when, status, row.delivery ? t(RULES.labels.delivery[row.delivery]) : ""].filter(Boolean).join(" · ")));
    if (row.from || row.to) parts.push(el("p", { class: "inject-meta", text: t("From %(from)s to %(to)s", { from: u(row.from || "—"), to: u(row.to || "—") }) }));
    const waits = waitsText(row, views.actionLabel);
    if (waits) parts.push(el("p", { class: "inject-meta", text: t("Falls due for each team on its own: %(conditions)s (not before its time)", { conditions: waits }) }));
    if (row.description) parts.push(el("p", { text: row.description }));
    if ((row.objectives || []).length) {
      parts.push(section(t("Objectives"), el("ul", {}, ...row.objectives.map((o) => el("li", { text: views.objectiveTitle(o) })))));
    }
    if ((row.expected_actions || []).length) {
      parts.push(section(t("Expected actions"), el("ul", {}, ...row.expected_actions.map((a) => el("li", { text: a })))));
    }
    if (row.controller_notes) parts.push(section(t("Controller notes"), el("p", { text: row.controller_notes })));
    const actor = row.actor && (scenario.actors || []).find((a) => a.id === row.actor);
    if (actor) {
      parts.push(section(t("Actor"), el("p", { text: t("%(name)s plays %(character)s", { name: u(actor.name), character: u(actor.character) })
        + (actor.contact ? ` · ${u(actor.contact)}` : "") }), row.cue ? el("p", { class: "inject-cue", text: row.cue }) : null));
    }
    parts.push(section(t("Decisions"), detail.decisions.length ? el("ol", { class: "feed" }, ...detail.decisions.map(line))
      : el("p", { class: "muted", text: t("Not released, skipped or deferred yet.") })));
    const answered = teams.map((team) => {
      const own = detail.answers.filter((e) => e.team === team);
      const response = entry.responses && team in entry.responses
        ? t("first answer after %(time)s", { time: minutes(entry.responses[team]) }) : t("no answer yet");
      return el("div", { class: "inject-team", "data-team": team }, el("h4", {}, el("span", { text: views.teamName(team) }), " ",
        el("span", { class: "muted", text: response })),
      own.length ? el("ol", { class: "feed" }, ...own.map(line)) : null);
    });
    const others = detail.answers.filter((e) => !teams.includes(e.team));
    if (others.length) answered.push(el("ol", { class: "feed" }, ...others.map(line)));
    parts.push(section(t("What each team answered"), ...answered));
    box.replaceChildren(...parts);
  }

  return { open };
}
