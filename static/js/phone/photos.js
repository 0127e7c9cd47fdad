// Photos for an entry: taken or chosen on the phone, made smaller here (at most 1600 px, JPEG), kept in
// the browser's IndexedDB (localStorage holds text only) with the entry until the server has them, and
// sent before the entry that names them.  The server names each photo by its content, so a photo sent
// twice (an answer lost on the way) is stored once.

import { t } from "../i18n.js";
import { uuid4 } from "../live.js";
import { el } from "../views.js";

const DB = "excon-photos";
const STORE = "photos";
const LONGEST = 1600; // pixels on the long side: enough to read a document, about 300 kB
const QUALITY = 0.8;
export const PER_ENTRY = 6; // as the server allows (control/photos.py)

function database() {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open(DB, 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore(STORE);
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error);
  });
}

async function withStore(mode, use) {
  const db = await database();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = use(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request && request.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error || new Error("aborted"));
    });
  } finally {
    db.close();
  }
}

export const keepPhoto = (id, blob) => withStore("readwrite", (store) => store.put(blob, id));
export const photoBlob = (id) => withStore("readonly", (store) => store.get(id));
export const dropPhotos = (ids) => withStore("readwrite", (store) => { ids.forEach((id) => store.delete(id)); });
/** Forget every photo kept on this device (logging out of a shared phone). */
export const clearPhotos = () => new Promise((resolve) => {
  const deleting = indexedDB.deleteDatabase(DB);
  deleting.onsuccess = deleting.onerror = deleting.onblocked = () => resolve();
});

/** Return a photo file made smaller for the network (a JPEG Blob); throw when the phone cannot read it as a picture. */
export async function shrink(file) {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const scale = Math.min(1, LONGEST / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("unreadable"))), "image/jpeg", QUALITY));
}

/**
 * Send an outbox entry's photos (its local ids) to the server; resolve with the payload to send (naming them),
 * with null when the network is not there (try again later), or with {error} when the server refuses a photo.
 */
export async function sendPhotos(entry) {
  const names = [];
  for (const id of entry.photos) {
    const blob = await photoBlob(id).catch(() => null);
    if (!blob) continue; // gone from this phone's storage: the entry goes without it
    let response;
    try {
      response = await fetch("/api/photos", { method: "POST", body: blob, credentials: "same-origin",
        headers: { "Content-Type": blob.type || "image/jpeg", Accept: "application/json" } });
    } catch {
      return null;
    }
    const answer = await response.json().catch(() => ({}));
    // The server's trouble (its disk), "slow down", or a login to renew: the photo waits and goes later.
    if (response.status >= 500 || response.status === 401 || response.status === 429) return null;
    if (!response.ok) return { error: answer.error || `${response.status}` };
    names.push(answer.name);
  }
  return { payload: { ...entry.payload, photos: [...(entry.payload.photos || []), ...names] } };
}

/** The photo picker of a form: "Add photo", the chosen ones as thumbnails with a button to take each out. */
export function photoPicker(box) {
  const input = box.querySelector("input[type=file]");
  const thumbs = box.querySelector(".photo-thumbs");
  const error = box.querySelector(".field-error");
  let chosen = []; // [{id, url}]

  function draw() {
    thumbs.replaceChildren(...chosen.map(({ id, url }) => el("li", {},
      el("img", { src: url, alt: t("photo"), class: "thumb" }),
      el("button", { type: "button", class: "photo-remove", "data-photo": id, "aria-label": t("Take this photo out"), text: "×" }))));
    box.dataset.count = String(chosen.length);
  }

  input.addEventListener("change", async () => {
    error.textContent = "";
    for (const file of [...input.files]) {
      if (chosen.length >= PER_ENTRY) { error.textContent = t("At most %(n)s photos to an entry.", { n: PER_ENTRY }); break; }
      let blob;
      try {
        blob = await shrink(file);
      } catch {
        error.textContent = t("%(file)s is not a picture this phone can read: take a photo, or choose a JPEG or PNG.", { file: file.name });
        continue;
      }
      const id = uuid4();
      try {
        await keepPhoto(id, blob);
      } catch {
        error.textContent = t("This phone's storage is full: the photo could not be kept.");
        continue;
      }
      chosen.push({ id, url: URL.createObjectURL(blob) });
    }
    input.value = "";
    draw();
    changed();
  });

  thumbs.addEventListener("click", (event) => {
    const id = event.target.dataset.photo;
    if (!id) return;
    chosen = chosen.filter((p) => p.id !== id);
    dropPhotos([id]).catch(() => {});
    draw();
    changed();
  });

  let changed = () => {};

  return {
    /** The local ids of the photos chosen for the entry under way. */
    taken: () => chosen.map((p) => p.id),
    /** Start again empty; the photos stay kept for the entry they went with. */
    clear() { chosen.forEach((p) => URL.revokeObjectURL(p.url)); chosen = []; error.textContent = ""; draw(); },
    /** Start again empty and forget the photos chosen (an entry that is not made). */
    discard() { dropPhotos(chosen.map((p) => p.id)).catch(() => {}); this.clear(); },
    /** Put the chosen photos aside (an earlier entry is corrected meanwhile); return their ids for restore(). */
    stash() { const ids = this.taken(); this.clear(); return ids; },
    /** Show again the photos with these ids, kept on the phone (after a reload, or a correction in between). */
    async restore(ids) {
      for (const id of ids) {
        const blob = await photoBlob(id).catch(() => null);
        if (blob && !chosen.some((p) => p.id === id)) chosen.push({ id, url: URL.createObjectURL(blob) });
      }
      draw();
    },
    onChange(callback) { changed = callback; },
  };
}
