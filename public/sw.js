// Yanglao service worker: the app shell offline, never the API.
//
// - install: precache every file of this build (precache.json, written at build time with the
//   hashed names) into a cache named after the build. Does not take over by itself: the page
//   shows "有新版本，点此更新" and posts {type: "skipWaiting"} when the person agrees.
// - activate: drop other builds' caches, control open pages.
// - fetch: /api/ is never touched (always the network, never cached); a navigation gets the
//   cached index.html (the app routes on the client); other same-origin GETs are cache first.
// - sync (Background Sync): ask an open page to send its outbox (the page owns the session
//   and the sync logic).
const BUILD = "__BUILD_ID__";
const CACHE = "yanglao-" + BUILD;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const response = await fetch("/precache.json", { cache: "no-store" });
      const list = await response.json();
      const cache = await caches.open(CACHE);
      await cache.addAll(list.files.map((f) => new Request(f, { cache: "reload" })));
    })()
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names.filter((n) => n.startsWith("yanglao-") && n !== CACHE).map((n) => caches.delete(n))
      );
      await self.clients.claim();
    })()
  );
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "skipWaiting") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // The API answers for itself; Trunk's dev reload socket is not ours either.
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/.well-known/trunk")) return;

  if (request.mode === "navigate") {
    event.respondWith(
      (async () => {
        const cache = await caches.open(CACHE);
        const shell = await cache.match("/index.html");
        if (shell) return shell;
        return fetch(request);
      })()
    );
    return;
  }
  event.respondWith(
    (async () => {
      const cached = await caches.match(request, { cacheName: CACHE });
      return cached || fetch(request);
    })()
  );
});

self.addEventListener("sync", (event) => {
  if (event.tag !== "yanglao-outbox") return;
  event.waitUntil(
    (async () => {
      const pages = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      for (const page of pages) page.postMessage({ type: "sync" });
    })()
  );
});
