// Service worker for the phone pages (only where the browser allows one: HTTPS or localhost).
// Network first; when the network is gone, the last copy of the page, its scripts and the
// scenario, so that the page opens and keeps logging into its outbox.  It never caches the
// Socket.IO traffic and never answers a write.

// SHELL holds every file the phone pages load (tests/test_service_worker.py reads the pages and compares):
// one missing, and a page reloaded offline stays dead.
// The pages and the scenario are cached once per language (`?lang=`, which the EN/RU switch links
// to), so that switching language works offline too; the page registers this worker with
// `?languages=en,ru`.
const CACHE = "excon-phone-v8";
const SHELL = ["/observe", "/team", "/static/excon.css", "/bundle/phone.js", "/static/vendor/socket.io.min.js",
  "/static/favicon.svg"]; // the phone pages' scripts come as one file (control/web/bundle.py)
const IN_EACH_LANGUAGE = ["/observe", "/team", "/api/scenario"];
const LANGUAGES = (new URL(self.location.href).searchParams.get("languages") || "").split(",").filter((l) => /^[a-z]{2,3}$/.test(l));

self.addEventListener("install", (event) => {
  // Best effort: a page the role may not open (403) is simply not cached.
  const urls = [...SHELL, ...LANGUAGES.flatMap((lang) => IN_EACH_LANGUAGE.map((path) => `${path}?lang=${lang}`))];
  event.waitUntil(caches.open(CACHE).then((cache) => Promise.all(urls.map((url) => cache.add(url).catch(() => null)))));
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
    // A page in another language than the one cached (only the pages: an /api/… answer for another
    // query is another answer, not a translation of it)
    .then((hit) => hit || (IN_EACH_LANGUAGE.includes(url.pathname) ? caches.match(event.request, { ignoreSearch: true }) : null))
    // The worker has no page to take a language from: this one answer says it in both.
    .then((hit) => hit || new Response("Offline, and this page was never opened here before. / Нет сети, а эта страница здесь ещё не открывалась.",
      { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } }))));
});
