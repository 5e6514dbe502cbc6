// midback's service worker: the app shell offline, fresh pages and data when online.
//
// Served at /sw.js (scope /) with its version mark replaced by a digest of the static files
// and the mode, so a change to any of them installs a new cache and drops the old one. Pages
// and API reads go to the network first and fall back to the cache; /static and /figures come
// from the cache first. Writes (POST and the rest) are never touched: the pages keep an outbox
// (static/outbox.js) in localStorage, mirrored in Cache Storage for this worker, which sends it
// on a Background Sync (where the browser has it) even when no midback page is open. Items are
// sent with their own idempotency keys, so a page sending them again stores nothing twice.
//
// In server mode several people may use one browser, one after the other: only what is the
// same for everybody is kept (PUBLIC, the same list as web/security.py's PUBLIC_PREFIXES), and
// nothing the server marks no-store, so a person's pages and data never outlive their sign-out
// (which also answers Clear-Site-Data). In local mode the one person's pages are kept too, to
// work offline.
"use strict";

const VERSION = "__MIDBACK_SW_VERSION__";
const MODE = "__MIDBACK_SW_MODE__";
const PREFIX = "midback-";
const CACHE = `${PREFIX}${VERSION}`;
const OUTBOX_CACHE = "midback.outbox"; // outbox.js's MIRROR_CACHE; not PREFIX-named: kept
const OUTBOX_URL = "/__midback_outbox__";
const PUBLIC = [
  "/static/", "/figures/", "/exercises", "/programs", "/guide", "/about",
  "/api/v1/exercises", "/api/v1/programs", "/manifest.webmanifest",
];
const SHELL = [
  ...(MODE === "server" ? [] : ["/"]),
  "/player",
  "/breaks",
  "/static/app.css",
  "/static/pages.css",
  "/static/app.js",
  "/static/pages.js",
  "/static/player.css",
  "/static/player.js",
  "/static/player-engine.js",
  "/static/player-session.js",
  "/static/player-sound.js",
  "/static/outbox.js",
  "/static/figure.js",
  "/static/breaks.js",
  "/static/icon.svg",
  "/manifest.webmanifest",
  "/api/v1/exercises",
  "/api/v1/programs",
];

/** Whether a response to `url` may be kept: never a personal one in server mode. */
function mayKeep(url, response) {
  // A redirect (the player sending a new person to the safety screen) is never kept under the
  // address asked for: offline, that page would be another one, and browsers refuse
  // redirected answers to page loads.
  if (!response.ok || response.type !== "basic" || response.redirected) return false;
  const control = response.headers.get("Cache-Control") || "";
  if (/no-store|private/.test(control)) return false;
  return MODE !== "server" || PUBLIC.some((prefix) => url.pathname.startsWith(prefix));
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // One by one, so a page that fails to load does not keep the rest from being cached.
    await Promise.all(SHELL.map(async (url) => {
      try {
        const response = await fetch(url, { cache: "no-cache", credentials: "same-origin" });
        if (mayKeep(new URL(url, self.location.origin), response)) await cache.put(url, response);
      } catch (_error) {
        // offline while installing: the next visit fills the cache
      }
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names
      .filter((name) => name.startsWith(PREFIX) && name !== CACHE)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return; // never cache writes
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === "/sw.js") return;
  if (url.pathname.startsWith("/static/") || url.pathname.startsWith("/figures/")) {
    event.respondWith(cacheFirst(request));
  } else if (url.pathname.startsWith("/api/")) {
    event.respondWith(networkFirst(request, { store: true }));
  } else if (request.mode === "navigate" || acceptsHtml(request)
      || url.pathname === "/manifest.webmanifest") {
    // Pages with a query (a plan's options) are not stored, but fall back to the bare page.
    event.respondWith(networkFirst(request, { store: url.search === "", page: true }));
  }
});

self.addEventListener("sync", (event) => {
  if (event.tag === "midback-outbox") event.waitUntil(sendOutbox());
});

/** Send the mirrored outbox in order; what fails stays, and the browser syncs again later. */
async function sendOutbox() {
  const cache = await caches.open(OUTBOX_CACHE);
  const stored = await cache.match(OUTBOX_URL);
  if (!stored) return;
  const list = await stored.json().catch(() => []);
  const left = [];
  let down = false;
  for (const item of Array.isArray(list) ? list : []) {
    if (down) {
      left.push(item);
      continue;
    }
    try {
      const response = await fetch(item.url, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(item.body),
        credentials: "same-origin",
        cache: "no-store",
      });
      const status = response.status;
      // As outbox.js: 401, 408, 425, 429 and 5xx wait for later; other 4xx cannot be delivered.
      if (status >= 500 || [401, 408, 425, 429].includes(status)) {
        down = true;
        left.push(item);
      }
    } catch (_error) {
      down = true;
      left.push(item);
    }
  }
  if (left.length > 0) {
    await cache.put(OUTBOX_URL, new Response(JSON.stringify(left),
      { headers: { "Content-Type": "application/json" } }));
  } else {
    await cache.delete(OUTBOX_URL);
  }
  const pages = await self.clients.matchAll({ type: "window" });
  for (const page of pages) page.postMessage({ type: "midback-outbox-sent", left: left.length });
  if (down) throw new Error("the outbox waits for the network");
}

function acceptsHtml(request) {
  return (request.headers.get("Accept") || "").includes("text/html");
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (mayKeep(new URL(request.url), response)) await cache.put(request, response.clone());
  return response;
}

async function networkFirst(request, { store, page = false }) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (store && mayKeep(new URL(request.url), response)) {
      await cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    const cached = (await cache.match(request))
      || (await cache.match(request, { ignoreSearch: true }));
    if (cached) return cached;
    if (page) {
      const home = MODE === "server" ? null : await cache.match("/");
      if (home) return home;
      return new Response(
        "<!doctype html><title>Offline</title><p>midback is offline and this page is not saved.",
        { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } },
      );
    }
    throw error;
  }
}
