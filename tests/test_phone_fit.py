"""The phone pages hold on small and zoomed screens: nothing cut off or overlapping at 320 px wide or at
200 % zoom, every control a thumb can hit (44 × 44 px or more), the page's own messages for a wrong form."""

import pytest

from .conftest import new_id
from .layout_check import layout_problems
from .test_phone_pages import ready

# Every control a finger taps, and its size as laid out; text links inside a sentence are exempt (WCAG 2.5.5).
SMALL_TARGETS = """() => {
  const shown = (el) => el.getClientRects().length && getComputedStyle(el).visibility !== "hidden"
    && !el.closest("dialog:not([open]), [hidden], details:not([open]) > :not(summary)");
  const controls = [...document.querySelectorAll("button, a[href], select, textarea, input, summary")].filter(shown)
    .map((el) => (el.matches("input[type=radio], input[type=checkbox], input[type=file]") ? el.closest("label") || el : el));
  return [...new Set(controls)].filter((el) => !(el.tagName === "A" && getComputedStyle(el.parentElement).display === "block"
      && el.parentElement.tagName === "P"))
    .map((el) => [el.outerHTML.slice(0, 70), el.getBoundingClientRect()])
    .map(([html, box]) => [html, Math.round(box.width), Math.round(box.height)])
    .filter(([, w, h]) => w < 44 || h < 44);
}"""
PAGES = [("observer", "/observe"), ("team:alpha", "/team"), ("controller", "/team")]


def open_phone(open_page, server, role, path, width, height):
    server.connect("director").submit({"id": new_id(), "kind": "inject", "inject": "I-01"})
    view = open_page(None, viewport={"width": width, "height": height}, is_mobile=True, has_touch=True)
    view.login(role)
    view.page.goto(server.url + path)
    page = ready(view.page)
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    return page


@pytest.mark.parametrize("role, path", PAGES)
@pytest.mark.parametrize("width, height", [(320, 568), (195, 422)])  # a small phone; a 390 px phone at 200 % zoom
def test_nothing_is_cut_off_or_overlapping(open_page, server, role, path, width, height):
    page = open_phone(open_page, server, role, path, width, height)
    assert layout_problems(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling


@pytest.mark.parametrize("role, path", PAGES)
def test_every_control_is_big_enough_for_a_thumb(open_page, server, role, path):
    page = open_phone(open_page, server, role, path, 390, 844)
    assert page.evaluate(SMALL_TARGETS) == []


@pytest.mark.parametrize("role, path", PAGES)
def test_no_form_leaves_its_messages_to_the_browser(open_page, server, role, path):
    page = open_phone(open_page, server, role, path, 390, 844)
    # A form the browser checks itself shows a bubble in the browser's language, gone in a second: each says its own.
    checked = "[required], [pattern], [min], [max], [type=email], [type=number]"
    assert page.eval_on_selector_all(f"form:not([novalidate]) :is({checked})", "fields => fields.map(f => f.name)") == []


# WCAG 2 contrast of every visible text against the background it stands on (the nearest ancestor that has one).
LOW_CONTRAST = """() => {
  const rgb = (css) => (css.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (el) => {
    for (let a = el; a; a = a.parentElement) {
      const c = rgb(getComputedStyle(a).backgroundColor);
      if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) return c;
    }
    return [255, 255, 255];
  };
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    const skipped = el.closest("[hidden], dialog:not([open]), option, script");
    if (!walker.currentNode.textContent.trim() || !el.getClientRects().length || skipped) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden") continue;
    const [a, b] = [lum(rgb(style.color)), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) found.push(`${walker.currentNode.textContent.trim().slice(0, 30)}: ${ratio.toFixed(2)}`);
  }
  return [...new Set(found)];
}"""


@pytest.mark.parametrize("role, path", PAGES)
def test_every_text_stands_out_from_its_background(open_page, server, role, path):
    page = open_phone(open_page, server, role, path, 390, 844)
    page.evaluate("document.getElementById('safety-status').textContent = 'Safety alert received by control'")
    assert page.evaluate(LOW_CONTRAST) == []
