// Service worker for the phone pages (only where the browser allows one: HTTPS or localhost).
// Network first; when the network is gone, the last copy of the page, its scripts and the
// scenario, so that the page opens and keeps logging into its outbox.  It never caches the
// Socket.IO traffic and never answers a write.

// SHELL holds every file the phone pages load or import (tests/test_service_worker.py walks the
// imports and compares): one missing module, and a page reloaded offline stays dead.
const CACHE = "excon-phone-v5";
const SHELL = ["/observe", "/team", "/static/excon.css", "/static/js/phone.js", "/static/js/phone/entry_form.js",
  "/static/js/phone/my_log.js", "/static/js/phone/team_page.js", "/static/js/live.js",
  "/static/js/outbox.js", "/static/js/views.js", "/static/js/forget.js", "/rules.js", "/static/vendor/socket.io.min.js",
  "/static/favicon.svg"];

self.addEventListener("install", (event) => {
  // Best effort: a page the role may not open (403) is simply not cached.
  event.waitUntil(caches.open(CACHE).then((cache) => Promise.all(SHELL.map((url) => cache.add(url).catch(() => null)))));
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/socket.io")) return;
  event.respondWith(fetch(event.request).then((response) => {
    if (response.ok && !response.redirected) {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(event.request, copy));
    }
    return response;
  }).catch(() => caches.match(event.request, { ignoreSearch: url.pathname.startsWith("/static/") })
    .then((hit) => hit || new Response("Offline, and this page was never opened here before.", { status: 503 }))));
});
