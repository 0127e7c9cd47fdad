// The top bar's connection light and the storage alarm, shared by the director's screen and the wall.

import { t } from "../i18n.js";

const $ = (id) => document.getElementById(id);

/** The server's storage is failing: nothing new is saved until it works again; phones keep their entries. */
export function showHealth(health) {
  const box = $("storage-fault");
  box.hidden = health.ok;
  const warning = t("STORAGE FAILING — nothing new is saved: %(fault)s. Entries are kept on the phones and tablets and sent again by themselves.",
    { fault: health.storage });
  box.textContent = health.ok ? "" : `⚠ ${warning}`;
  document.body.dataset.storage = health.ok ? "ok" : "failing";
}

export function setStatus(status) {
  const box = $("connection");
  const words = { live: t("LIVE"), reconnecting: t("RECONNECTING…"), offline: t("OFFLINE — retrying"), refused: t("LOGGED OUT — log in again") };
  box.textContent = `● ${words[status]}`;
  box.className = `connection state-${status}`;
  document.body.dataset.connection = status;
}
