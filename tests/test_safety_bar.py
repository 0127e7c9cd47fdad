"""The phones' ⚠ SAFETY button lives in a bar of its own under the page: at any size, zoom and scroll
position it covers no control, and every control the page shows can be tapped where it is drawn."""

import pytest

from .conftest import new_id, wait_for_text

# (width, height) of the screen in CSS pixels: phones upright and on their side, and a 390 × 844 phone
# read at 200 % zoom (half as many CSS pixels each way).
SIZES = [(360, 640), (390, 844), (844, 390), (195, 422)]

# Scroll the page through from top to bottom; at each stop, every control whose middle is on the screen
# must be what a tap at its middle reaches.  Returns what was covered, and by what.
SWEEP = """() => {
  const main = document.querySelector('.phone-main');
  const controls = [...main.querySelectorAll('button, select, textarea, a[href], label.rating, label.check, input[type=search]')];
  const covered = [];
  let stops = 0;
  for (let top = 0; ; top += Math.max(40, Math.floor(main.clientHeight / 2))) {
    main.scrollTop = top;
    stops += 1;
    const view = main.getBoundingClientRect();
    for (const c of controls) {
      const r = c.getBoundingClientRect();
      if (!r.width || !r.height || c.closest('[hidden], dialog')) continue;
      const x = r.left + r.width / 2, y = r.top + r.height / 2;
      if (y < view.top || y >= view.bottom || x < 0 || x >= innerWidth) continue;
      const at = document.elementFromPoint(x, y);
      if (!at || !(at === c || c.contains(at) || at.closest('label') === c || (at.control && at.control === c))) {
        const what = `${c.tagName.toLowerCase()} '${(c.name || c.id || c.textContent).trim().slice(0, 30)}'`;
        covered.push(`${what} at ${main.scrollTop}px: under ${at ? at.className || at.tagName : 'nothing'}`);
      }
    }
    if (main.scrollTop >= main.scrollHeight - main.clientHeight - 1) break;
  }
  const button = document.getElementById('safety-open').getBoundingClientRect();
  const onScreen = button.top >= 0 && button.bottom <= innerHeight && button.width >= 44 && button.height >= 44;
  return { covered, stops, buttonOnScreen: onScreen };
}"""


@pytest.mark.parametrize("width, height", SIZES)
@pytest.mark.parametrize("role, path", [("observer", "/observe"), ("team:alpha", "/team")])
def test_the_safety_button_never_covers_a_control(open_page, server, role, path, width, height):
    director = server.connect("director")
    assert director.submit({"id": new_id(), "kind": "clock", "op": "start", "day": 1, "time": "13:00"})["ok"]
    assert director.submit({"id": new_id(), "kind": "inject", "inject": "I-01"})["ok"]  # a card on the tablet
    view = open_page(role, viewport={"width": width, "height": height}, is_mobile=True, has_touch=True)
    page = view.page
    page.goto(server.url + path)
    page.wait_for_selector("body[data-ready='1']", timeout=15000)
    page.wait_for_selector("body[data-connection='live']", timeout=15000)
    result = page.evaluate(SWEEP)
    assert result["covered"] == [] and result["buttonOnScreen"], result
    assert result["stops"] >= 2  # the page was scrolled through, not just looked at once
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert view.errors == []


def test_after_sending_the_bar_says_received_then_acknowledged(open_page, server):
    view = open_page("observer", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = view.page
    page.goto(server.url + "/observe")
    page.wait_for_selector("body[data-connection='live']", timeout=15000)
    page.click("#safety-open")
    page.fill("#safety-form textarea[name=text]", "An actor twisted an ankle at the farm.")
    assert page.is_visible("#safety-send")
    page.click("#safety-send")
    wait_for_text(page, "#safety-status", "Safety alert received by control")
    director = server.connect("director")
    alert = [e for e in server.get("/api/events", "director").json()["events"] if e["kind"] == "safety"][0]
    assert director.submit({"id": new_id(), "kind": "safety_ack", "target": alert["id"], "text": "First aid"})["ok"]
    wait_for_text(page, "#safety-status", "Safety alert acknowledged by exercise director at")
    assert view.errors == []


def test_the_safety_dialogs_send_stays_on_screen_when_the_keyboard_takes_half_of_it(open_page, server):
    view = open_page("team:alpha", viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True)
    page = view.page
    page.goto(server.url + "/team")
    page.wait_for_selector("body[data-ready='1']", timeout=15000)
    page.click("#safety-open")
    page.set_viewport_size({"width": 360, "height": 300})  # the keyboard is up: the page resizes to what is left
    page.focus("#safety-form textarea[name=text]")
    send = page.evaluate("(() => { const r = document.getElementById('safety-send').getBoundingClientRect();"
                         " return [r.top, r.bottom, innerHeight]; })()")
    assert send[0] >= 0 and send[1] <= send[2], send
