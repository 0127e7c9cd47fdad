"""What a reader of a screen trips on, found from the boxes the browser laid out (not from pixels):
text cut off by its box or the window, text over other text, type too small to read.

`layout_problems(page)` returns one line per problem, empty when the page holds.
"""

# Runs in the page.  Text is every visible text node of the HTML and every <text> of the plots' SVG.
# A box that scrolls (the board, the feed) may hide text above or below: that is scrolling, not
# clipping; a box that hides on purpose with an ellipsis (the exercise title) shows that it does.
_PROBLEMS = r"""
(minimum) => {
  const problems = [];
  const width = document.documentElement.clientWidth;
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden"
    && !el.closest("dialog:not([open]), [hidden], .toast, option, select, script, style");  // a select shows its choice only
  const clean = (text) => text.replace(/[\u2068\u2069]/g, "").replace(/\s+/g, " ").trim().slice(0, 50);
  // An open modal (a dialog, the safety alarm) covers the page: only what it shows is read.
  const root = [...document.querySelectorAll("dialog[open], .safety-overlay")]
    .find((el) => el.getClientRects().length && getComputedStyle(el).display !== "none") || document.body;
  const boxes = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || el.closest("svg") || !shown(el)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      if (r.width > 1 && r.height > 1) {
        boxes.push({ el, r, text: clean(node.textContent), size: parseFloat(getComputedStyle(el).fontSize) });
      }
    }
  }
  for (const el of root.querySelectorAll("svg text")) {
    if (!el.textContent.trim() || !shown(el)) continue;
    let hidden = false;
    for (let a = el; a && a.tagName !== "svg"; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.display === "none" || parseFloat(cs.opacity) === 0) hidden = true;
    }
    const r = el.getBoundingClientRect();
    if (!hidden && r.width > 1 && r.height > 1) {
      boxes.push({ el, r, text: clean(el.textContent), size: parseFloat(getComputedStyle(el).fontSize) });
    }
  }
  const where = (el) => {
    const panel = el.closest(".panel, .topbar, .wall-panel, header, dialog");
    return panel ? (panel.id || panel.className.split(" ")[0]) : el.tagName.toLowerCase();
  };
  // What scrolled out of its box is not on the screen: left out, and what shows cut to the box.
  const seen = [];
  for (const b of boxes) {
    let { left, right, top, bottom } = b.r;
    for (let a = b.el; a && a !== document.body; a = a.parentElement) {
      const cs = getComputedStyle(a);
      const c = a.getBoundingClientRect();
      if (cs.textOverflow === "ellipsis") {
        left = Math.max(left, c.left); right = Math.min(right, c.right);
      }
      if (a !== b.el && ["auto", "scroll"].includes(cs.overflowY)) {
        top = Math.max(top, c.top); bottom = Math.min(bottom, c.bottom);
      }
    }
    if (bottom - top > 1 && right - left > 1) seen.push({ ...b, v: { left, right, top, bottom } });
  }
  boxes.length = 0;
  boxes.push(...seen);
  for (const b of boxes) {
    const { r } = b;
    const v = b.v;
    if (b.size < minimum) problems.push(`too small (${b.size}px): "${b.text}" in ${where(b.el)}`);
    if (v.left < -1 || v.right > width + 1) problems.push(`off the screen: "${b.text}" in ${where(b.el)}`);
    for (let a = b.el; a && a !== document.body; a = a.parentElement) {
      if (a.tagName === "svg" && !a.parentElement.closest("svg")) { // the plot's whole picture
        const c = a.getBoundingClientRect();
        if (r.left < c.left - 1 || r.right > c.right + 1 || r.top < c.top - 1 || r.bottom > c.bottom + 1) {
          problems.push(`cut by its plot: "${b.text}" in ${where(b.el)}`);
        }
        continue;
      }
      if (a.closest("svg")) continue;
      const cs = getComputedStyle(a);
      if (cs.textOverflow === "ellipsis") break; // cut on purpose, and it shows "…"
      const c = a.getBoundingClientRect();
      if (cs.overflowX !== "visible" && (r.left < c.left - 1 || r.right > c.right + 1)) {
        problems.push(`cut at the side: "${b.text}" in ${where(b.el)}`);
        break;
      }
      if ((cs.overflowY === "hidden" || cs.overflowY === "clip") && (r.top < c.top - 1 || r.bottom > c.bottom + 1)) {
        problems.push(`cut at the top or bottom: "${b.text}" in ${where(b.el)}`);
        break;
      }
      if (cs.overflowY === "auto" || cs.overflowY === "scroll") break; // scrolled away, not cut
    }
  }
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]; const b = boxes[j];
      if (a.el === b.el || a.el.contains(b.el) || b.el.contains(a.el)) continue;
      const x = Math.min(a.v.right, b.v.right) - Math.max(a.v.left, b.v.left);
      const y = Math.min(a.v.bottom, b.v.bottom) - Math.max(a.v.top, b.v.top);
      if (x > 2 && y > 2) problems.push(`overlap: "${a.text}" and "${b.text}" in ${where(a.el)}`);
    }
  }
  return [...new Set(problems)];
}
"""


def layout_problems(page, minimum=12) -> list[str]:
    """Return what is cut off, overlapping or smaller than `minimum` px on the page as it stands."""
    return page.evaluate(_PROBLEMS, minimum)
