// What only the team's tablet has: the team picker (director and controllers log for any team),
// "we are now at …" (a move), and the cards of the injects released to the team, newest first.

import { RULES } from "/rules.js";
import { t } from "../i18n.js";
import { uuid4 } from "../live.js";
import { el, options, u, wallClock, whenText } from "../views.js";

const $ = (id) => document.getElementById(id);

/** onTeam(): the team logged for changed (a controller picked another). */
export function teamPage(phone, { onTeam }) {
  const list = $("inject-list");
  const move = $("move-form");
  if (!list) return { render: () => {} };
  const { scenario, form } = phone;

  function render() {
    const team = phone.team();
    const site = phone.teamSites[team];
    if (site && !move.dataset.touched) move.elements.site.value = site;
    $("team-name").textContent = team ? phone.teamName(team) : "";
    const mine = [...phone.released.values()].filter((i) => i.teams.includes(team)).reverse();
    list.replaceChildren(...(mine.length ? mine.map((i) => {
      const li = el("li", { class: `inject-card${i.withdrawn ? " withdrawn" : ""}`, "data-inject": i.id });
      if (i.withdrawn) li.append(el("p", { class: "withdrawn-note", text: t("Withdrawn by control — disregard this inject.") }));
      li.append(el("h3", { text: i.title ? `${u(i.id)} — ${u(i.title)}` : u(i.id) }), i.description ? el("p", { text: u(i.description) }) : "",
        el("p", { class: "inject-meta", text: [i.from, i.delivery && t(RULES.labels.delivery[i.delivery] || i.delivery)].filter(Boolean).map(u).concat(i.exercise_time != null ? whenText(i) : wallClock(i.ts)).join(" · ") }));
      return li;
    }) : [el("li", { class: "empty", text: t("No injects released to this team yet.") })]));
  }

  const pick = $("team-pick");
  if (pick) {
    options(pick, scenario.teams.map((team) => [team.id, team.name]), false);
    if (phone.remembered.team) pick.value = phone.remembered.team;
    pick.addEventListener("change", () => { phone.remember("team", pick.value); onTeam(); });
  }
  options(move.elements.site, scenario.sites.map((s) => [s.id, s.name]), false);
  move.elements.site.addEventListener("change", () => { move.dataset.touched = "1"; });
  move.addEventListener("submit", (event) => {
    event.preventDefault();
    phone.keep({ id: uuid4(), kind: "move", team: phone.team(), site: move.elements.site.value, observed_at: new Date().toISOString() });
    form.elements.site.value = move.elements.site.value;
  });

  return { render };
}
