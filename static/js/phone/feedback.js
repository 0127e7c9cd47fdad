// The participants' feedback on the team page: the questionnaires open now (the server says which, in
// its state), each a short form of scale tiles and free text.  What is written is kept on the device as
// it is written (on a phone of one's own), and the answers go through the outbox like every entry: offline,
// they wait and go later, once; once saved, the device forgets them.  A questionnaire answered here says so;
// on a team's shared tablet the next person may answer too.

import { t } from "../i18n.js";
import { observedNow, uuid4 } from "../live.js";
import { el, u } from "../views.js";

const $ = (id) => document.getElementById(id);

export function feedbackPanel(phone) {
  const box = $("feedback");
  if (!box) return { take: () => {}, render: () => {} };
  const list = $("feedback-list");
  const link = $("feedback-link");
  const body = document.body;
  const personal = Boolean(body.dataset.person); // logged in with a personal code, not the team's shared one
  const questionnaires = new Map((phone.scenario.feedback || []).map((q) => [q.id, q]));
  const answering = new Set(); // questionnaires someone else (or the same person, named) is answering again here
  let open = [];
  let drawn = "";

  const keyOf = (o) => `${o.questionnaire}:${o.day ?? "end"}`;
  const draftKey = (o) => `excon.feedback.${body.dataset.role}.${keyOf(o)}`;
  const sentHere = (o) => phone.outbox.entries().filter((e) => e.payload.kind === "feedback" && e.state !== "refused"
    && e.payload.questionnaire === o.questionnaire && (e.payload.day ?? null) === (o.day ?? null));

  function heading(o, q) {
    return o.day ? t("%(title)s — day %(day)s", { title: u(q.title), day: o.day }) : u(q.title);
  }

  function scaleField(question, draft) {
    const set = el("fieldset", { class: "scale" });
    set.append(el("legend", { text: question.text }));
    const tiles = el("div", { class: "scale-tiles" });
    for (let point = 1; point <= question.scale; point += 1) {
      const input = el("input", { type: "radio", name: question.id, value: String(point), checked: draft[question.id] === point });
      tiles.append(el("label", { class: "scale-tile" }, input, el("b", { text: String(point) })));
    }
    set.append(tiles);
    if (question.low || question.high) {
      set.append(el("p", { class: "scale-ends", text: t("1 — %(low)s · %(points)s — %(high)s", { low: u(question.low), high: u(question.high), points: question.scale }) }));
    }
    return set;
  }

  function textField(question, draft) {
    const area = el("textarea", { name: question.id, rows: 3, maxLength: 10000, value: draft[question.id] || "" });
    return el("label", {}, question.text, area);
  }

  function answersOf(formNode, q) {
    const answers = {};
    for (const question of q.questions) {
      const field = formNode.elements[question.id];
      if (question.scale) {
        if (field.value) answers[question.id] = Number(field.value);
      } else if (field.value.trim()) {
        answers[question.id] = field.value;
      }
    }
    return answers;
  }

  function formFor(o, q, again = false) {
    // What is being written stays on a phone of one's own through a reload; never on a shared tablet,
    // where the next person would find it.  Answering again on one's own phone starts from the answers sent.
    const sent = again && personal ? sentHere(o).pop() : null;
    const draft = personal ? JSON.parse(localStorage.getItem(draftKey(o)) || "null") || (sent && sent.payload.answers) || {} : {};
    const node = el("form", { class: "feedback-form", noValidate: true });
    node.classList.add("entry-form");
    node.append(el("h3", { text: heading(o, q) }));
    node.append(el("p", { class: "hint", text: q.anonymous === false
      ? t("Your answers carry your name: the organisers may ask you about them. If you answer again, your latest answers replace the earlier ones.")
      : t("Anonymous: your answers carry neither your name nor your team.") }));
    for (const question of q.questions) node.append(question.scale ? scaleField(question, draft) : textField(question, draft));
    const error = el("p", { class: "field-error", role: "alert" });
    const send = el("button", { type: "submit", class: "primary", text: t("Send answers") });
    send.classList.add("big");
    node.append(error, send);
    if (again) {
      const keep = el("button", { type: "button", text: personal ? t("Keep my earlier answers") : t("Cancel") });
      keep.addEventListener("click", () => { answering.delete(keyOf(o)); localStorage.removeItem(draftKey(o)); render(true); });
      node.append(keep);
    }
    node.addEventListener("input", () => {
      error.textContent = "";
      if (personal) localStorage.setItem(draftKey(o), JSON.stringify(answersOf(node, q)));
    });
    node.addEventListener("submit", (event) => {
      event.preventDefault();
      const answers = answersOf(node, q);
      if (!Object.keys(answers).length) {
        error.textContent = t("Answer at least one question.");
        node.elements[0].focus();
        return;
      }
      const payload = { id: uuid4(), kind: "feedback", questionnaire: o.questionnaire, answers, observed_at: observedNow() };
      if (o.day) payload.day = o.day;
      phone.keep(payload);
      localStorage.removeItem(draftKey(o));
      answering.delete(keyOf(o));
      render(true);
      list.querySelector(`[data-key="${keyOf(o)}"]`)?.scrollIntoView({ block: "start" }); // the thanks, not the next form
    });
    return node;
  }

  function doneFor(o, q, sent) {
    const last = sent[sent.length - 1];
    const card = el("div", { class: "feedback-done", "data-key": keyOf(o) }, el("h3", { text: heading(o, q) }));
    card.append(el("p", { role: "status", text: last.state === "saved" ? t("Thank you: your answers are saved.")
      : t("Thank you: your answers wait on this device and go as soon as the network is back.") }));
    if (!personal) card.append(el("p", { class: "hint", text: t("Answers sent from this tablet: %(count)s", { count: sent.length }) }));
    let label = null;
    if (!personal) label = t("Next person: answer on this tablet");
    else if (q.anonymous === false) label = t("Change my answers");
    if (label) {
      const button = el("button", { type: "button", text: label });
      button.addEventListener("click", () => { answering.add(keyOf(o)); render(true); });
      card.append(button);
    }
    return card;
  }

  /** Draw the open questionnaires; `force`: even when what is open and sent has not changed (a form
   * being typed into is otherwise left alone). */
  function render(force = false) {
    const shown = open.filter((o) => questionnaires.has(o.questionnaire));
    const signature = JSON.stringify(shown.map((o) => [keyOf(o), sentHere(o).map((e) => e.state)]));
    if (!force && signature === drawn) return;
    drawn = signature;
    list.replaceChildren();
    for (const o of shown) {
      const q = questionnaires.get(o.questionnaire);
      const sent = sentHere(o);
      if (q.anonymous === false && !personal) {
        list.append(el("div", { class: "feedback-done" }, el("h3", { text: heading(o, q) }),
          el("p", { text: t("This questionnaire is answered under your own name, on your own phone: log in there with your personal code (the card or QR code the organisers gave you).") })));
      } else if (sent.length && !answering.has(keyOf(o))) {
        list.append(doneFor(o, q, sent));
      } else {
        list.append(formFor(o, q, sent.length > 0));
      }
    }
    box.hidden = link.hidden = !shown.length;
  }

  return {
    /** Take what the server's state says is open now. */
    take(state) {
      open = state.feedback_open || [];
      render();
    },
    render,
  };
}
