// Leaving a role on this device — logging out, or logging in as another role — removes what ExCon
// kept on it (entries, choices, copies of the exercise), so that the next person to pick up a
// shared phone or laptop reads nothing of the last.  Entries still waiting for the server would be
// lost with it, so then the page asks first.  Every page loads this; forms marked `data-forget`
// ("Logging out", "Logging in as …", in the page's language) go through it.

import { t } from "./i18n.js";

/** Return how many entries on this device have not reached the server yet. */
export function waitingOnThisDevice() {
  let waiting = 0;
  for (const key of Object.keys(localStorage)) {
    if (!key.startsWith("excon.outbox.")) continue;
    try {
      waiting += JSON.parse(localStorage.getItem(key) || "[]").filter((entry) => entry.state === "waiting").length;
    } catch { /* unreadable: nothing to count */ }
  }
  return waiting;
}

/** Remove everything ExCon kept in this browser. */
export function forgetThisDevice() {
  for (const key of Object.keys(localStorage)) if (key.startsWith("excon.")) localStorage.removeItem(key);
  if (window.caches) caches.keys().then((keys) => keys.forEach((key) => caches.delete(key))).catch(() => {});
  if (window.indexedDB) indexedDB.deleteDatabase("excon-photos"); // the photos kept with the entries (phone/photos.js)
}

function guard(form) {
  const dialog = document.getElementById("forget-dialog");
  form.addEventListener("submit", (event) => {
    const waiting = waitingOnThisDevice();
    if (waiting && !form.dataset.confirmed) {
      event.preventDefault();
      // `action`: the form's data-forget, a whole phrase from the template ("Logging out").
      const text = t("Entries that have not reached the server yet: %(n)s. %(action)s deletes them from this device. Wait until the banner says everything is saved, or go on anyway.",
        { n: waiting, action: form.dataset.forget });
      document.getElementById("forget-waiting").textContent = text;
      dialog.showModal();
      document.getElementById("forget-confirm").onsubmit = (answer) => {
        if (answer.submitter && answer.submitter.value === "ok") {
          form.dataset.confirmed = "1";
          form.requestSubmit();
        }
      };
      return;
    }
    forgetThisDevice();
  });
}

document.querySelectorAll("form[data-forget]").forEach(guard);
