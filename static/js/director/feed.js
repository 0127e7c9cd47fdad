// The feed of the latest events, as text; withdrawn entries marked.  With a search or a filter (team,
// kind, site) it shows what the server finds in the whole log instead, newest first, asked again (at most
// every 10 seconds) as events arrive; "Clear" goes back to the live feed.

import { t } from "../i18n.js";
import { getJSON } from "../live.js";
import { KIND_STYLE, el } from "../views.js";

export const FEED_LENGTH = 80;
const FOUND = 200; // events a search shows
const SEARCHABLE = Object.keys(KIND_STYLE).filter((k) => !["retract", "amend", "bookmark"].includes(k));

/** One feed line for `event`. */
export const feedItem = (page, event) => page.views.feedLine(event, page.events.isWithdrawn(event));

export function feedPanel(page) {
  const list = document.getElementById("feed");
  const form = document.getElementById("feed-filter");
  let asked = null; // the query string of the search on show, or null: the live feed
  let found = [];
  let again = null;

  if (form) {
    const { scenario } = page;
    form.team.append(...scenario.teams.map((x) => el("option", { value: x.id, text: x.name })));
    form.kind.append(...SEARCHABLE.map((k) => el("option", { value: k, text: KIND_STYLE[k].name })));
    form.site.append(...scenario.sites.map((x) => el("option", { value: x.id, text: x.name })));
    let typing = null;
    form.addEventListener("input", () => { clearTimeout(typing); typing = setTimeout(search, 400); });
    form.addEventListener("change", search);
    form.addEventListener("submit", (e) => { e.preventDefault(); search(); });
    document.getElementById("feed-clear").addEventListener("click", () => { form.reset(); search(); });
  }

  async function search() {
    const query = new URLSearchParams();
    for (const name of ["q", "team", "kind", "site"]) if (form[name].value.trim()) query.set(name, form[name].value.trim());
    asked = query.toString() || null;
    document.getElementById("feed-found").hidden = asked === null;
    if (asked === null) { render(); return; }
    query.set("limit", FOUND);
    const mine = asked;
    try {
      const answer = await getJSON(`/api/search?${query}`);
      if (mine !== asked) return; // a newer search went out meanwhile
      found = answer.events;
      document.getElementById("feed-found-text").textContent = answer.more
        ? t("The latest %(count)s found in the whole exercise", { count: found.length })
        : t("%(count)s found in the whole exercise", { count: found.length });
    } catch (error) {
      found = [];
      document.getElementById("feed-found-text").textContent = error.message;
    }
    render();
  }

  function render() {
    if (asked === null) {
      list.replaceChildren(...page.events.latest(FEED_LENGTH).map((e) => feedItem(page, e)));
      return;
    }
    list.replaceChildren(...(found.length ? found.slice().reverse().map((e) => page.views.feedLine(e, false))
      : [el("li", { class: "empty", text: t("Nothing found.") })]));
  }

  /** New events arrived: the live feed shows them; a search is asked again, at most every few seconds. */
  function update() {
    if (asked === null) { render(); return; }
    if (!again) again = setTimeout(() => { again = null; search(); }, 10000); // a search reads the whole log
  }

  return { render, update };
}
