// The feed of the latest events, as text; withdrawn entries marked.

import { KIND_STYLE, el, styleKey, whenText } from "../views.js";

export const FEED_LENGTH = 80;

/** One feed line for `event`. */
export function feedItem(page, event) {
  const key = styleKey(event);
  const withdrawn = page.events.isWithdrawn(event);
  const li = el("li", { class: `feed-item kind-${key}${withdrawn ? " retracted" : ""}`, "data-seq": event.seq });
  li.append(el("time", { text: whenText(event), dateTime: event.ts }),
    el("span", { class: "feed-kind", text: (KIND_STYLE[key] || { name: event.kind }).name }),
    el("span", { class: "feed-text", text: page.views.describe(event) }));
  if (withdrawn) li.append(el("span", { class: "feed-note", text: "(withdrawn)" }));
  return li;
}

export function feedPanel(page) {
  function render() {
    document.getElementById("feed").replaceChildren(...page.events.latest(FEED_LENGTH).map((e) => feedItem(page, e)));
  }
  return { render };
}
