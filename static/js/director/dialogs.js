// The director page's two ways of talking back: a toast for what happened, a modal to confirm.

import { t } from "../i18n.js";

const $ = (id) => document.getElementById(id);

export function toast(message, bad = true) {
  const box = $("toast");
  box.onclick = () => { box.hidden = true; };
  box.textContent = message;
  box.classList.toggle("bad", bad);
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 6000);
}

/** Ask for a confirmation; `extra`: fields shown under the question.  Resolve true on OK. */
export function confirmDialog(text, extra = null, okLabel = t("Confirm")) {
  const dialog = $("confirm-dialog");
  $("confirm-text").textContent = text;
  $("confirm-extra").replaceChildren(...(extra ? [extra] : []));
  $("confirm-ok").textContent = okLabel;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
  });
}

/** Say how a submit from this page ended: saved, or refused with the server's reason; `what`: already translated. */
export function report(ack, what) {
  if (ack.ok) toast(t("%(what)s — saved", { what }), false);
  else toast(t("%(what)s — refused: %(error)s", { what, error: ack.error }));
}

