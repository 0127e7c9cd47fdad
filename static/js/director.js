// The director's big screen: it draws the state the server folds for this view (pushed after
// commits, see server_state.js) and the recent events it shows (feed, timeline, a site's latest).
// Each panel is a module of its own in director/; this one wires them to the live connection.
// User text always goes into the page as text (textContent), never as HTML.

import { LANG, t } from "./i18n.js";
import { Live, getJSON } from "./live.js";
import { RecentEvents } from "./recent_events.js";
import { ServerState } from "./server_state.js";
import { scenarioViews } from "./views.js";
import { boardPanel } from "./director/board.js";
import { clockPanel } from "./director/clock.js";
import { coveragePanel } from "./director/coverage.js";
import { evaluatorsPanel } from "./director/evaluators.js";
import { injectDetail } from "./director/inject_detail.js";
import { toast } from "./director/dialogs.js";
import { setStatus, showHealth } from "./director/connection.js";
import { FEED_LENGTH, feedPanel } from "./director/feed.js";
import { mapPanel } from "./director/map.js";
import { requestsPanel } from "./director/requests.js";
import { safetyPanel } from "./director/safety.js";
import { panelTabs } from "./director/tabs.js";
import { WINDOW, timelinePanel } from "./director/timeline.js";

const body = document.body;

/** Redraw at most a few times a second, however fast events and pushes arrive: text first, plots after. */
function scheduler(textPanels, plotPanels) {
  let queued = false;
  let last = 0;
  return () => {
    if (queued) return;
    queued = true;
    setTimeout(() => {
      queued = false;
      last = performance.now();
      textPanels.forEach((p) => p.render());
      setTimeout(() => plotPanels.forEach((p) => p.render()), 0); // the browser paints the text in between
    }, Math.max(0, 250 - (performance.now() - last)));
  };
}

async function main() {
  const started = performance.now();
  const [scenario, state, recent, windowPage] = await Promise.all([
    getJSON(`/api/scenario?lang=${LANG}`), getJSON("/api/state"), getJSON(`/api/events?last=${FEED_LENGTH}`),
    getJSON(`/api/events?recent_exercise_seconds=${WINDOW + 300}&limit=5000`),
  ]);
  const fetched = performance.now();
  let live = null;
  const server = new ServerState(() => live.askState());
  server.adopt(state);
  const events = new RecentEvents();
  const loaded = new Map([...recent.events, ...windowPage.events].map((e) => [e.seq, e]));
  [...loaded.values()].sort((a, b) => a.seq - b.seq).forEach((e) => events.add(e));

  const page = {
    scenario, views: scenarioViews(scenario), server, events,
    can: { clock: body.dataset.canClock === "1", inject: body.dataset.canInject === "1", ack: body.dataset.canAck === "1",
      assign: body.dataset.canAssign === "1", detail: body.dataset.canDetail === "1", search: body.dataset.canSearch === "1",
      answer: body.dataset.canAnswer === "1" },
    submit: (fields) => live.submit(fields),
    /** How much larger than 16 px the page's type is (a 4K screen draws everything larger): plots follow. */
    fontScale: () => Math.max(1, parseFloat(getComputedStyle(document.documentElement).fontSize) / 16),
  };
  page.injectDetail = injectDetail(page);
  const clock = clockPanel(page);
  const map = mapPanel(page);
  const feed = feedPanel(page);
  const textPanels = [safetyPanel(page), clock, feed, boardPanel(page), requestsPanel(page), evaluatorsPanel(page)];
  panelTabs(document.querySelector(".feed-panel .tabs"));
  const plotPanels = [timelinePanel(page), map, coveragePanel(page)];
  const redraw = scheduler(textPanels, plotPanels);
  let feedQueued = false;
  const feedSoon = () => {
    if (feedQueued) return;
    feedQueued = true;
    requestAnimationFrame(() => { feedQueued = false; feed.update(); });
  };
  textPanels.forEach((p) => p.render());
  plotPanels.forEach((p) => p.render());
  window.excon = { firstRenderMs: performance.now() - started, fetchMs: fetched - started, events: loaded.size, server };
  body.dataset.ready = "1";

  live = new Live({
    onEvent: (event) => {
      events.add(event);
      if (event.site) map.pulse(event.site);
      feedSoon(); // the feed says what just happened at once; the rest follows the pushed state
      redraw();
    },
    onState: async (push) => { if (await server.take(push)) { body.dataset.stateVersion = server.version; redraw(); } },
    // After a (re)connect, or broadcasts found missing: the pushes of that time may be lost too.
    onCaughtUp: async () => { server.version = null; if (await server.refresh()) { body.dataset.stateVersion = server.version; redraw(); } },
    onStatus: setStatus,
    onHealth: showHealth,
  });
  live.markSeen([...loaded.values()]);
  live.start(state.last_seq);
  setInterval(() => clock.render(), 250);
  setInterval(() => { // what the feed and the timeline window no longer show
    const now = server.exerciseNow();
    events.prune(FEED_LENGTH, (e) => now !== null && e.exercise_time !== null && e.exercise_time >= now - WINDOW - 300);
  }, 60000);
}

main().catch((error) => {
  setStatus("offline");
  toast(t("Could not load the exercise: %(error)s", { error: error.message }));
});
