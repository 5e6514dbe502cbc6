// midback's player engine: pure, clock injected, no DOM. A port of midback/domain/player.py.
//
// Session time is derived from a clock each time (offset = (clock() - origin) * speed - shift),
// so cues start on their deadlines however late a timer fires; a late tick fires every cue it
// passed, in order. The page (player.js) shows and speaks; this module only counts.
"use strict";

export const TIMELINE_VERSION = 1;
export const BACK_GRACE_S = 3;
export const WORK_KINDS = new Set(["rep", "move", "hold", "breathe-in", "breathe-out"]);

/**
 * Runs `timeline` on `clock` (seconds, monotonic) at `speed` times real time.
 * Every method that moves time returns the events it caused, in order:
 *   {type: "cue", index, late}, {type: "block", block, status, target, actual},
 *   {type: "end", quit}.
 */
export function createEngine(timeline, { clock, speed = 1 }) {
  if (!(speed > 0)) throw new RangeError("speed must be positive");
  const cues = timeline.cues;
  const blocks = timeline.blocks;
  const total = timeline.total_s;
  if (!Array.isArray(cues) || cues.length === 0) throw new Error("a timeline needs cues");
  let origin = null;
  let shift = 0;
  let pausedAt = null;
  let nextCue = 0;
  let currentBlock = null;
  let finished = false;
  const closed = new Set();
  const setEnds = new Map(); // block -> Map(set -> end second), built when first needed

  const reference = () => (pausedAt !== null ? pausedAt : clock());

  function offset() {
    if (origin === null) return 0;
    return (reference() - origin) * speed - shift;
  }

  /**
   * Start the session now, at session second `at` (0: the beginning; more: a session resumed
   * after a reload), with the blocks in `closed` already logged. A resumed start fires only the
   * cue running at `at`: the blocks before it were logged by the page that played them.
   */
  function start(at = 0, { closed: done = [] } = {}) {
    origin = clock();
    if (at > 0) {
      const position = Math.min(at, total);
      shift = -position;
      nextCue = cueAt(position);
      for (const block of done) closed.add(block);
    }
    return tick();
  }

  function currentCue() {
    return Math.max(0, nextCue - 1);
  }

  function remainingInCue() {
    const cue = cues[currentCue()];
    return Math.max(0, cue.start_s + cue.duration_s - offset());
  }

  function nextDeadline() {
    if (origin === null || pausedAt !== null || finished) return null;
    const at = nextCue < cues.length ? cues[nextCue].start_s : total;
    return origin + (at + shift) / speed;
  }

  function tick() {
    if (origin === null || finished) return [];
    const events = [];
    const now = offset();
    while (nextCue < cues.length && cues[nextCue].start_s <= now) {
      const cue = cues[nextCue];
      const block = cue.block ?? null;
      if (block !== currentBlock) {
        events.push(...closeCurrent("completed", cue.start_s));
        currentBlock = block;
      }
      events.push({ type: "cue", index: nextCue, late: Math.max(0, now - cue.start_s) });
      nextCue += 1;
    }
    if (nextCue >= cues.length && now >= total) {
      events.push(...closeCurrent("completed", total));
      finished = true;
      events.push({ type: "end", quit: false });
    }
    return events;
  }

  function pause() {
    if (pausedAt === null && origin !== null && !finished) pausedAt = clock();
  }

  function resume() {
    if (pausedAt !== null && origin !== null) {
      origin += clock() - pausedAt;
      pausedAt = null;
    }
    return tick();
  }

  function togglePause() {
    if (pausedAt !== null) return resume();
    pause();
    return [];
  }

  function skip() {
    const caughtUp = tick();
    return caughtUp.concat(leaveBlock("skipped"));
  }

  function itHurts() {
    const caughtUp = tick();
    return caughtUp.concat(leaveBlock("stopped_for_pain"));
  }

  function back() {
    const caughtUp = tick();
    const block = currentBlock;
    if (block === null || finished) return caughtUp;
    let target = block;
    if (offset() - blocks[block].start_s < BACK_GRACE_S && block > 0) target = block - 1;
    currentBlock = null; // the re-run is logged when it ends
    closed.delete(target);
    return caughtUp.concat(jump(blocks[target].start_s));
  }

  function quit() {
    const events = tick();
    if (finished) return events;
    events.push(...closeCurrent("skipped", offset()));
    finished = true;
    events.push({ type: "end", quit: true });
    return events;
  }

  function leaveBlock(status) {
    const block = currentBlock;
    if (block === null || finished) return [];
    const events = closeCurrent(status, offset());
    const following = block + 1;
    const target = following < blocks.length ? blocks[following].start_s : total;
    return events.concat(jump(target));
  }

  function jump(sessionS) {
    if (origin === null) return [];
    shift = (reference() - origin) * speed - sessionS;
    nextCue = cueAt(sessionS);
    if (cues[nextCue].start_s < sessionS) nextCue += 1;
    return tick();
  }

  function cueAt(offsetS) {
    let low = 0;
    let high = cues.length - 1;
    while (low < high) {
      const middle = Math.floor((low + high + 1) / 2);
      if (cues[middle].start_s <= offsetS) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  function closeCurrent(status, atS) {
    const block = currentBlock;
    if (block === null || closed.has(block)) return [];
    closed.add(block);
    const dose = blocks[block].dose;
    const actual = status === "completed" ? dose : doneSoFar(block, atS);
    return [{ type: "block", block, status, target: dose, actual }];
  }

  /** The sets of `block` finished by `atS` (null when no set was finished). */
  function doneSoFar(block, atS) {
    if (!setEnds.has(block)) {
      const ends = new Map();
      for (const cue of cues) {
        if (cue.block === block && WORK_KINDS.has(cue.kind) && cue.set != null) {
          ends.set(cue.set, cue.start_s + cue.duration_s);
        }
      }
      setEnds.set(block, ends);
    }
    let sets = 0;
    for (const [set, end] of setEnds.get(block)) {
      if (end <= atS && set > sets) sets = set;
    }
    return sets === 0 ? null : { ...blocks[block].dose, sets };
  }

  return {
    start, tick, pause, resume, togglePause, skip, itHurts, back, quit,
    offset, currentCue, remainingInCue, nextDeadline, cueAt,
    get started() { return origin !== null; },
    get paused() { return pausedAt !== null; },
    get finished() { return finished; },
    get currentBlock() { return currentBlock; },
  };
}

