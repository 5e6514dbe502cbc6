// midback's outbox: writes that must reach the server, kept in localStorage until they do.
//
// Each item is POSTed with a deterministic idempotency key; what fails stays queued and is
// retried with the same key (on `online`, on every page's load, every 15 seconds on the player),
// so nothing is lost when the network is. Every page sends it (app.js), not only the player.
"use strict";

export const OUTBOX_KEY = "midback.outbox.v1";
/** Where the queue is mirrored for the service worker (which cannot read localStorage). */
export const MIRROR_CACHE = "midback.outbox";
export const MIRROR_URL = "/__midback_outbox__";
export const SYNC_TAG = "midback-outbox";

/** Copy `list` into Cache Storage, where sw.js reads it on a Background Sync. */
function mirror(list) {
  if (typeof caches === "undefined" || typeof Response === "undefined") return;
  caches.open(MIRROR_CACHE).then((cache) => (list.length === 0
    ? cache.delete(MIRROR_URL)
    : cache.put(MIRROR_URL, new Response(JSON.stringify(list), {
      headers: { "Content-Type": "application/json" },
    })))).catch(() => {});
}

/** Ask the service worker to send the queue when the network is back (where supported). */
export function askBackgroundSync() {
  if (typeof navigator === "undefined" || !navigator.serviceWorker) return;
  navigator.serviceWorker.getRegistration().then((registration) => {
    if (registration && registration.sync) return registration.sync.register(SYNC_TAG);
    return null;
  }).catch(() => {});
}

/** The page's localStorage when it can be read (a private window or blocked storage throws),
 *  else null: the stores below then keep their lists in memory. */
export function localStore() {
  try {
    const storage = window.localStorage;
    storage.getItem(OUTBOX_KEY);
    return storage;
  } catch (_error) {
    return null;
  }
}

/** A list kept in `storage` (localStorage) under `key`, or in memory when that fails. */
export function createListStore(storage, key) {
  let memory = [];
  return {
    read() {
      try {
        const raw = storage ? storage.getItem(key) : null;
        if (raw === null) return memory.slice();
        const list = JSON.parse(raw);
        return Array.isArray(list) ? list : [];
      } catch (_error) {
        return memory.slice();
      }
    },
    write(list) {
      memory = list.slice();
      try {
        if (storage) storage.setItem(key, JSON.stringify(list));
      } catch (_error) {
        // Storage full or blocked: keep it in memory for this page's life.
      }
      mirror(list);
    },
  };
}

/**
 * Items are {key, url, body, kind}; sent in order, one at a time, with their own key.
 * A network error, 408, 425, 429 or 5xx keeps the item (and everything after it) for a
 * retry; any other 4xx drops it as undeliverable. `onChange(what, item, detail)` hears of
 * each change.
 */
export function createOutbox({ store, fetchImpl, onChange = () => {}, timeoutMs = 15000 }) {
  let inFlight = null;
  let running = null;
  let again = false;

  function items() {
    return store.read();
  }

  function add(item) {
    const list = store.read();
    if (!list.some((queued) => queued.key === item.key)) {
      list.push({ ...item, tries: 0, added: Date.now() });
      store.write(list);
    }
    onChange("added", item);
    return flush();
  }

  function remove(key) {
    store.write(store.read().filter((queued) => queued.key !== key));
  }

  function bump(key, error) {
    store.write(store.read().map((queued) => (
      queued.key === key ? { ...queued, tries: (queued.tries || 0) + 1, error } : queued
    )));
  }

  async function send(item) {
    const controller = typeof AbortController === "function" ? new AbortController() : null;
    const timer = controller ? setTimeout(() => controller.abort(), timeoutMs) : null;
    try {
      const response = await fetchImpl(item.url, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(item.body),
        credentials: "same-origin",
        cache: "no-store",
        signal: controller ? controller.signal : undefined,
      });
      let data = null;
      try {
        data = await response.json();
      } catch (_error) {
        data = null;
      }
      if (response.ok) return { outcome: "sent", data };
      const status = response.status;
      // 401: signed out (or the session cookie expired) while results waited; they are kept
      // and sent again once the person signs back in, never dropped.
      const retry = status >= 500 || status === 401 || status === 408 || status === 425
        || status === 429;
      return { outcome: retry ? "retry" : "dropped", data, status };
    } catch (error) {
      return { outcome: "retry", error: String(error && error.message ? error.message : error) };
    } finally {
      if (timer !== null) clearTimeout(timer);
    }
  }

  async function drain() {
    do {
      again = false;
      for (;;) {
        const item = store.read()[0];
        if (!item) break;
        inFlight = item.key;
        onChange("sending", item);
        const result = await send(item);
        inFlight = null;
        if (result.outcome === "retry") {
          bump(item.key, result.error || `HTTP ${result.status}`);
          onChange("retry", item, result);
          return store.read().length; // keep the order: the rest waits for the next try
        }
        remove(item.key);
        onChange(result.outcome, item, result);
      }
    } while (again);
    return 0;
  }

  /** Send what is queued, in order; resolves to how many items are left. */
  function flush() {
    if (running) {
      again = true;
      return running;
    }
    again = false;
    const run = drain().finally(() => {
      inFlight = null;
      if (running === run) running = null;
      onChange("idle");
      if (again) flush(); // added after the last look at the queue
    });
    running = run;
    return run;
  }

  return {
    add,
    flush,
    items,
    size: () => store.read().length,
    /** Items not confirmed and not on their first attempt right now. */
    waiting: () => store.read().filter((item) => item.tries > 0 || item.key !== inFlight).length,
    get busy() { return running !== null; },
  };
}

