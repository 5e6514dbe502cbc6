// The running session, kept in this browser so a reload or a closed tab loses nothing.
//
// What is kept: the session's id, its timeline, where it stood (session seconds, the exercise
// under way), the results logged so far and the attempt count per exercise (so a resumed session
// logs with the same idempotency keys and never twice), the pain before, and the stage (still
// running, or ended and waiting for "how did it go"). It is dropped when the session is saved,
// or when it is older than the server keeps a session running (six hours idle: interrupted).
"use strict";

export const SESSION_KEY = "midback.session.v1";
export const RESUME_MAX_AGE_MS = 6 * 60 * 60 * 1000;
const STAGES = new Set(["run", "after"]);

/** Whether `saved` is a session this player can resume (shape checked, nothing trusted). */
export function resumable(saved, nowMs, version) {
  if (!saved || typeof saved !== "object") return false;
  if (!Number.isInteger(saved.id) || !STAGES.has(saved.stage)) return false;
  const timeline = saved.timeline;
  if (!timeline || timeline.version !== version || !Array.isArray(timeline.cues)
      || !Array.isArray(timeline.blocks) || timeline.cues.length === 0) return false;
  if (typeof saved.offset !== "number" || !(saved.offset >= 0)) return false;
  if (!Array.isArray(saved.results) || !Array.isArray(saved.attempts)) return false;
  return typeof saved.savedAt === "number" && nowMs - saved.savedAt <= RESUME_MAX_AGE_MS;
}

/** The saved session in `storage` (localStorage; null when blocked), read and written whole. */
export function createSessionStore(storage, { now = () => Date.now(), version = 1 } = {}) {
  return {
    /** The saved session if it can be resumed; anything else found is removed. */
    load() {
      let saved = null;
      try {
        const raw = storage ? storage.getItem(SESSION_KEY) : null;
        saved = raw === null ? null : JSON.parse(raw);
      } catch (_error) {
        saved = null;
      }
      if (saved !== null && !resumable(saved, now(), version)) {
        this.clear();
        return null;
      }
      return saved;
    },
    save(state) {
      try {
        if (storage) storage.setItem(SESSION_KEY, JSON.stringify({ ...state, savedAt: now() }));
        return true;
      } catch (_error) {
        return false; // storage full or blocked: the session still runs, it just cannot resume
      }
    },
    clear() {
      try {
        if (storage) storage.removeItem(SESSION_KEY);
      } catch (_error) {
        // nothing kept, nothing to clear
      }
    },
  };
}
