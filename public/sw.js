// Yanglao service worker: the app shell offline, never the API.
//
// - install: keep every file a resident needs (precache.json, written at build time with the
//   hashed names) in a cache named after the build. The page fetched them moments ago, and
//   hashed files are immutable, so these normal fetches are answered by the HTTP cache: a
//   first visit carries each byte once. The shell is kept once, as "/". When an earlier
//   build's cache held the full bundle (a staff member's phone), the new one is kept too, so
//   staff stay able to work offline after an update. Does not take over by itself: the page
//   shows "有新版本，点此更新" and posts {type: "skipWaiting"} when the person agrees.
// - activate: drop other builds' caches, control open pages.
// - fetch: /api/ is never touched (always the network, never cached); a navigation gets the
//   cached shell (the app routes on the client); other same-origin GETs are cache first, and
//   a hashed build file fetched from the network (the full bundle, the first time a staff
//   page opens) is kept.
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
      const files = list.files.slice();
      if (await hadFullBundle()) files.push(...list.full);
      await cache.addAll(files);
    })()
  );
});

// Whether an earlier build's cache holds a full bundle (this phone is used by staff).
async function hadFullBundle() {
  for (const name of await caches.keys()) {
    if (!name.startsWith("yanglao-") || name === CACHE) continue;
    const keys = await (await caches.open(name)).keys();
    if (keys.some((r) => new URL(r.url).pathname.startsWith("/yanglao-full-"))) return true;
  }
  return false;
}

// A build output named with its content hash (see scripts/build-app.sh): never changes.
const HASHED = /-[0-9a-f]{16}(_bg)?\.(js|wasm|css)$/;

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
  // The API answers for itself.
  if (url.pathname.startsWith("/api/")) return;

  if (request.mode === "navigate") {
    event.respondWith(
      (async () => {
        const cache = await caches.open(CACHE);
        const shell = await cache.match("/");
        if (shell) return shell;
        return fetch(request);
      })()
    );
    return;
  }
  event.respondWith(
    (async () => {
      const cached = await caches.match(request, { cacheName: CACHE });
      if (cached) return cached;
      const response = await fetch(request);
      if (response.ok && HASHED.test(url.pathname)) {
        const copy = response.clone();
        event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request, copy)));
      }
      return response;
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
