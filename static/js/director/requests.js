// The teams' requests to the control cell (bank records, an interpreter, a warrant …): open ones
// first, oldest on top, with how long each team has waited in play time; then the answered ones with
// their response times — all from `requests` in the state the server folds.  A controller answers in
// words, and may release an inject to the team with the answer.

import { t } from "../i18n.js";
import { confirmDialog, report, toast } from "./dialogs.js";
import { el, minutes, u, whenText } from "../views.js";

const $ = (id) => document.getElementById(id);

export function requestsPanel(page) {
  const { server, scenario, views } = page;
  const box = $("requests");
  const count = $("requests-open");
  if (!box) return { render: () => {} };
  const kindLabel = (id) => (scenario.request_kinds || []).find((k) => k.id === id)?.label;

  box.addEventListener("click", (event) => {
    const row = event.target.closest("[data-request]");
    if (event.target.dataset.act === "answer" && row) answer(server.state.requests[row.dataset.request]);
  });

  function line(request, played) {
    const open = !request.answer;
    const li = el("li", { class: `request ${open ? "open" : "answered"}`, "data-request": request.id });
    const what = kindLabel(request.request_kind);
    li.append(el("div", { class: "request-head" },
      el("span", { class: "request-when", text: whenText(request) }),
      el("strong", { text: u(views.teamName(request.team)) }),
      el("span", { class: "request-kind", text: what ? u(what) : t("Other request") })));
    if (request.text) li.append(el("p", { class: "request-text", text: u(request.text) }));
    if (open) {
      const waited = played !== null && request.asked_play != null ? played - request.asked_play : null;
      li.append(el("p", { class: "request-state", text: waited === null ? t("waiting for an answer")
        : t("waiting for an answer for %(time)s", { time: minutes(Math.max(0, waited)) }) }));
      if (page.can.answer) li.append(el("button", { type: "button", "data-act": "answer", text: t("Answer…") }));
    } else {
      const parts = { time: minutes(request.response), text: u(request.answer.text || "") };
      li.append(el("p", { class: "request-state", text: request.answer.inject
        ? t("answered after %(time)s, with inject %(inject)s: %(text)s", { ...parts, inject: u(request.answer.inject) })
        : t("answered after %(time)s: %(text)s", parts) }));
    }
    return li;
  }

  function render() {
    const all = Object.values(server.state.requests || {});
    const open = all.filter((r) => !r.answer).sort((a, b) => a.seq - b.seq);
    const answered = all.filter((r) => r.answer).sort((a, b) => b.answer.seq - a.answer.seq); // the latest: the state's
    count.textContent = open.length ? `(${open.length})` : "";
    count.closest("[role=tab]").classList.toggle("alert", open.length > 0);
    const played = server.playNow();
    box.replaceChildren(
      el("h3", { text: t("Open (%(count)s)", { count: open.length }) }),
      open.length ? el("ol", { class: "request-list" }, ...open.map((r) => line(r, played))) : el("p", { class: "muted", text: t("No request waits for an answer.") }),
      el("h3", { text: t("Answered") }),
      answered.length ? el("ol", { class: "request-list" }, ...answered.map((r) => line(r, played))) : el("p", { class: "muted", text: t("None yet.") }));
  }

  /** Answer a request in words, and release an inject of the team's with it if one is chosen. */
  async function answer(request) {
    if (!request) return;
    const text = el("textarea", { name: "text", rows: 3, required: true, maxLength: 10000 });
    const mine = scenario.injects.filter((i) => i.teams.includes(request.team)
      && !((server.state.injects[i.id] || {}).released || {})[request.team]);
    const inject = el("select", { name: "inject" }, el("option", { value: "", text: "—" }),
      ...mine.map((i) => el("option", { value: i.id, text: `${i.id} — ${i.title}` })));
    const what = kindLabel(request.request_kind) || t("Other request");
    const extra = el("div", { class: "answer-form" },
      el("p", { class: "request-text", text: request.text ? `${u(what)}: ${u(request.text)}` : u(what) }),
      el("label", { text: t("Answer to the team") }, text),
      el("label", { text: t("Release an inject to the team with it (optional)") }, inject));
    if (!(await confirmDialog(t("Answer %(team)s's request", { team: u(views.teamName(request.team)) }), extra, t("Send answer")))) return;
    if (!text.value.trim()) { toast(t("An answer needs words: nothing was saved.")); return; }
    if (inject.value) {
      const released = await page.submit({ kind: "inject", inject: inject.value, teams: [request.team] });
      if (!released.ok) { report(released, t("%(inject)s release", { inject: inject.value })); return; }
    }
    const fields = { kind: "request_answer", request: request.id, text: text.value };
    if (inject.value) fields.inject = inject.value;
    report(await page.submit(fields), t("Answer"));
  }

  return { render };
}
