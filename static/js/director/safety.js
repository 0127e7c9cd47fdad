// The real-world safety alarm: it covers every screen (and beeps where the browser allows) until
// the director acknowledges the alert; the acknowledgement is an event too.

import { t } from "../i18n.js";
import { confirmDialog, report } from "./dialogs.js";
import { el, u, wallClock } from "../views.js";

const $ = (id) => document.getElementById(id);

export function safetyPanel(page) {
  let alarm = null;
  let audio = null;

  function beep() {
    try {
      audio = audio || new AudioContext();
      if (audio.state === "suspended") audio.resume();
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = 880;
      gain.gain.value = 0.2;
      osc.connect(gain).connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + 0.35);
    } catch { /* the browser forbids sound until someone touches the page */ }
  }

  let known = new Set(); // the alerts already on show

  function render() {
    const open = page.server.state.safety;
    // A new alert comes before anything else: a dialog left open (a deferral being written) would sit
    // over the alarm in the browser's top layer, so it is closed, its action not taken.
    if (open.some((alert) => !known.has(alert.id))) document.querySelectorAll("dialog[open]").forEach((d) => d.close());
    known = new Set(open.map((alert) => alert.id));
    $("safety").hidden = open.length === 0;
    document.body.classList.toggle("alarm", open.length > 0);
    $("safety-wait").hidden = page.can.ack;
    $("safety-list").replaceChildren(...open.map((alert) => {
      const li = el("li", { class: "safety-alert", "data-alert": alert.id });
      li.append(
        el("p", { class: "safety-text", text: alert.text ? u(alert.text) : t("(no text — go and check)") }),
        el("p", { class: "safety-meta", text: `${u(page.views.whoName(alert))}${alert.by && alert.by !== alert.role ? ` · ${u(page.views.roleName(alert.role))}` : ""}${alert.site ? ` · ${u(page.views.siteName(alert.site))}` : ""} · ${wallClock(alert.ts)}` }),
      );
      if (page.can.ack) {
        const button = el("button", { type: "button", class: "primary", text: t("Acknowledge") });
        button.addEventListener("click", async () => {
          // What is being done (the sender's phone shows who acknowledged; the note stays in the log),
          // and, if play must stop, a pause of the exercise clock with the alert as its reason.
          const note = el("textarea", { name: "text", rows: 2, maxLength: 10000, placeholder: t("first aid on its way, play stopped at the farm …") });
          const running = page.server.state.clock.state === "running";
          const pause = el("input", { type: "checkbox", name: "pause" });
          const extra = el("div", { class: "ack-form" }, el("label", {}, t("What is being done (optional)"), note),
            running && page.can.clock ? el("label", { class: "check" }, pause, " ", t("Pause play now (the exercise clock)")) : null);
          if (!(await confirmDialog(t("Acknowledge this safety alert? The alarm stops on every screen."), extra, t("Acknowledge")))) return;
          const fields = { kind: "safety_ack", target: alert.id };
          if (note.value.trim()) fields.text = note.value.trim();
          const ack = await page.submit(fields);
          report(ack, t("Safety alert acknowledged"));
          if (ack.ok && pause.checked) {
            // Every phone shows a pause's reason: the players read that play stopped for safety, not the alert.
            const reason = t("Real-world safety stop");
            report(await page.submit({ kind: "clock", op: "pause", reason }), t("Clock: pause"));
          }
        });
        li.append(button);
      }
      return li;
    }));
    if (open.length && !alarm) alarm = setInterval(beep, 2000);
    if (!open.length && alarm) { clearInterval(alarm); alarm = null; }
  }

  return { render };
}
