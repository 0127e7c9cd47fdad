// The map of the mock sites with each team at its site; a site pulses when something happens
// there, and a click lists its latest events.

import { t } from "../i18n.js";
import { el, u } from "../views.js";
import { feedItem } from "./feed.js";

/* global Plotly */

const $ = (id) => document.getElementById(id);

export function mapPanel(page) {
  const gd = $("map-plot");
  $("site-events-close").addEventListener("click", () => { $("site-events").hidden = true; });

  function render() {
    const { traces, layout } = page.views.mapFigure(page.server.state.teams,
      { width: gd.clientWidth, height: gd.clientHeight, scale: page.fontScale() });
    Plotly.react(gd, traces, layout, { displayModeBar: false, responsive: true });
    if (!gd.dataset.clickBound) {
      gd.dataset.clickBound = "1";
      gd.on("plotly_click", (data) => {
        const point = data.points.find((p) => p.curveNumber === 0);
        if (point) showSite(point.customdata);
      });
    }
    const box = $("site-events");
    if (!box.hidden) showSite(box.dataset.site);
  }

  function showSite(siteId) {
    $("site-events-title").textContent = t("Latest at %(site)s", { site: u(page.views.siteName(siteId)) });
    const events = page.events.all().filter((e) => e.site === siteId && !page.events.isWithdrawn(e)).slice(-10).reverse();
    $("site-events-list").replaceChildren(...(events.length ? events.map((e) => feedItem(page, e))
      : [el("li", { text: t("Nothing logged here in the loaded window.") })]));
    $("site-events").hidden = false;
    $("site-events").dataset.site = siteId;
  }

  function pulse(siteId) {
    const site = page.scenario.sites.find((s) => s.id === siteId);
    if (!site || !gd._fullLayout || !gd._fullLayout.xaxis) return;
    const fl = gd._fullLayout;
    const ring = el("div", { class: "pulse" });
    ring.style.left = `${fl._size.l + fl.xaxis.l2p(site.x)}px`;
    ring.style.top = `${fl._size.t + fl.yaxis.l2p(site.y)}px`;
    gd.parentElement.append(ring);
    ring.addEventListener("animationend", () => ring.remove());
  }

  return { render, pulse };
}
