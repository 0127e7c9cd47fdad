// The feed of the latest events, as text; withdrawn entries marked.

export const FEED_LENGTH = 80;

/** One feed line for `event`. */
export const feedItem = (page, event) => page.views.feedLine(event, page.events.isWithdrawn(event));

export function feedPanel(page) {
  function render() {
    document.getElementById("feed").replaceChildren(...page.events.latest(FEED_LENGTH).map((e) => feedItem(page, e)));
  }
  return { render };
}
