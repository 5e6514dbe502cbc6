// midback's moving figure: the body in the player does what the voice says.
//
// The server draws each exercise's key poses, and the frames between each pair of them, from
// a 3D skeleton (/figures/ID.json); this file only picks frames and tweens between them. Each
// cue moves the figure through the poses its kind names (a rep goes out and back, cat-cow
// follows the breath, a hold holds), spread over the cue's own time as the player's clock
// tells it: pausing the session freezes the figure, skipping jumps it. The second side of an
// exercise shows the mirror image. With prefers-reduced-motion the figure steps from key pose
// to key pose without tweening. Plain ES2020, no inline code (CSP).
"use strict";

(function (root) {
  const SVG_NS = "http://www.w3.org/2000/svg";
  const HOLD_MOVE_S = 1.5; // a hold moves into its pose over at most this long, then holds

  // ---------------------------------------------------------------------------------------
  // Pure helpers: which poses a cue moves through, and the frame at a point of the move.
  // ---------------------------------------------------------------------------------------

  /** The side whose frames to show for cue `index` (a switch shows the side coming next). */
  function sideFor(cues, index, drawnSide) {
    for (let i = index; i < cues.length && i <= index + 1; i += 1) {
      if (cues[i].side) return cues[i].side;
      if (cues[i].kind !== "switch-sides") break;
    }
    return drawnSide;
  }

  /**
   * Where the figure is `elapsed` seconds into a cue of `kind` lasting `duration`, having
   * started at pose `start`: {from, to, t} (t from 0 to 1, not yet eased).
   */
  function placeInCue(figure, kind, elapsed, duration, start) {
    const targets = (figure.cues && figure.cues[kind]) || [figure.poses[0]];
    const cycle = figure.cycle_s;
    if (cycle && targets.length > 1 && (kind === "hold" || kind === "rep")) {
      const phase = (Math.max(0, elapsed) % cycle) / cycle * targets.length;
      const index = Math.min(targets.length - 1, Math.floor(phase));
      const from = targets[(index + targets.length - 1) % targets.length];
      return { from, to: targets[index], t: phase - index };
    }
    let progress = duration > 0 ? Math.min(1, Math.max(0, elapsed / duration)) : 1;
    if (kind === "hold" && targets.length === 1) {
      const moveS = Math.min(HOLD_MOVE_S, duration * 0.3);
      progress = moveS > 0 ? Math.min(1, Math.max(0, elapsed / moveS)) : 1;
    }
    const scaled = progress * targets.length;
    const index = Math.min(targets.length - 1, Math.floor(scaled));
    const from = index === 0 ? start : targets[index - 1];
    return { from, to: targets[index], t: Math.min(1, scaled - index) };
  }

  /** Smooth start and stop. */
  function ease(t) {
    return t * t * (3 - 2 * t);
  }

  /** The frames from pose `from` to pose `to` of one side, both key poses included. */
  function sequence(side, from, to) {
    if (from === to || !side.poses[from]) return [side.poses[to]];
    const forward = side.tweens[`${from}|${to}`];
    if (forward) return [side.poses[from], ...forward, side.poses[to]];
    const backward = side.tweens[`${to}|${from}`];
    if (backward) return [side.poses[from], ...backward.slice().reverse(), side.poses[to]];
    return [side.poses[to]];
  }

  /** The frame a fraction `t` of the way along `frames`, item by item. */
  function frameAt(frames, t) {
    if (frames.length === 1) return frames[0];
    const at = Math.min(1, Math.max(0, t)) * (frames.length - 1);
    const index = Math.min(frames.length - 2, Math.floor(at));
    const u = at - index;
    const a = frames[index];
    const b = frames[index + 1];
    const byName = new Map(b.map((item) => [item.n, item]));
    const order = u < 0.5 ? a : b;
    const fromA = new Map(a.map((item) => [item.n, item]));
    return order.map((item) => {
      const first = fromA.get(item.n) || item;
      const second = byName.get(item.n) || item;
      const points = first.p.length === second.p.length
        ? first.p.map((value, i) => value + (second.p[i] - value) * u)
        : item.p;
      const out = { n: item.n, s: item.s, c: item.c, p: points };
      if (item.s === "circle") out.r = first.r + ((second.r || first.r) - first.r) * u;
      return out;
    });
  }

  const exported = { sideFor, placeInCue, ease, sequence, frameAt };
  if (typeof module === "object" && module && module.exports) module.exports = exported;
  if (typeof document === "undefined") return;
  const mount = document.getElementById("run-figure");
  if (!mount) return;

  // ---------------------------------------------------------------------------------------
  // The page: fetch figures, follow the player's clock, draw.
  // ---------------------------------------------------------------------------------------

  const reduceMotion = typeof root.matchMedia === "function"
    ? root.matchMedia("(prefers-reduced-motion: reduce)") : { matches: false };
  const figures = new Map(); // "id|variant" -> data, "loading" or "missing"
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 400 300");
  svg.setAttribute("class", "figure-live");
  svg.setAttribute("focusable", "false");
  mount.append(svg);
  const elements = new Map();
  let order = "";
  let shownKey = null;
  let cueIndex = null;
  let startPose = null;
  let current = null; // {key, side, from, to, t}
  let timer = null;
  let frameRequest = null;

  function keyOf(block) {
    return `${block.exercise_id}|${block.variant || ""}`;
  }

  function load(block) {
    const key = keyOf(block);
    if (figures.has(key)) return figures.get(key);
    figures.set(key, "loading");
    const query = block.variant ? `?variant=${encodeURIComponent(block.variant)}` : "";
    root.fetch(`/figures/${encodeURIComponent(block.exercise_id)}.json${query}`,
      { credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => figures.set(key, data || "missing"))
      .catch(() => figures.delete(key)); // offline: try again on a later cue
    return "loading";
  }

  function blockFor(timeline, index) {
    const cue = timeline.cues[index];
    if (cue.block !== null && cue.block !== undefined) return timeline.blocks[cue.block];
    return timeline.blocks[0] || null; // the get-ready countdown shows the first exercise
  }

  function show(visible) {
    if (mount.hidden === !visible) return;
    mount.hidden = !visible;
    mount.parentElement.classList.toggle("has-figure", visible);
  }

  function draw(frame) {
    const names = frame.map((item) => item.n).join(" ");
    for (const item of frame) {
      let element = elements.get(item.n);
      const tag = item.s === "circle" ? "circle" : item.s === "line" ? "polyline" : "polygon";
      if (!element || element.tagName !== tag) {
        if (element) element.remove();
        element = document.createElementNS(SVG_NS, tag);
        elements.set(item.n, element);
        svg.append(element);
      }
      if (element.getAttribute("class") !== item.c) element.setAttribute("class", item.c);
      if (tag === "circle") {
        element.setAttribute("cx", item.p[0].toFixed(1));
        element.setAttribute("cy", item.p[1].toFixed(1));
        element.setAttribute("r", item.r.toFixed(1));
      } else {
        let text = "";
        for (let i = 0; i < item.p.length; i += 2) {
          text += `${item.p[i].toFixed(1)},${item.p[i + 1].toFixed(1)} `;
        }
        element.setAttribute("points", text);
      }
    }
    if (names !== order) {
      const present = new Set(frame.map((item) => item.n));
      for (const [name, element] of elements) {
        if (!present.has(name)) {
          element.remove();
          elements.delete(name);
        }
      }
      for (const item of frame) svg.append(elements.get(item.n));
      order = names;
    }
  }

  function update() {
    const player = root.midbackPlayer;
    const now = player && typeof player.now === "function" ? player.now() : null;
    const timeline = player && typeof player.timeline === "function" ? player.timeline() : null;
    if (!now || !timeline || now.stage !== "run" || now.cue === null || now.finished) {
      show(false);
      cueIndex = null;
      return false;
    }
    const cue = timeline.cues[now.cue];
    const block = blockFor(timeline, now.cue);
    if (!block) {
      show(false);
      return false;
    }
    if (cueIndex === null) timeline.blocks.forEach(load); // fetch them all once, in order
    const figure = load(block);
    const next = now.cue + 1 < timeline.cues.length ? blockFor(timeline, now.cue + 1) : null;
    if (next && next !== block) load(next);
    if (typeof figure !== "object" || figure === null) {
      show(false);
      return !now.paused;
    }
    const key = keyOf(block);
    // A figure lying down comes on a lower canvas (400 x 200 to 400 x 300): the box follows.
    const box = `0 0 ${figure.width || 400} ${figure.height || 300}`;
    if (svg.getAttribute("viewBox") !== box) svg.setAttribute("viewBox", box);
    if (now.cue !== cueIndex || key !== shownKey) {
      // A new cue starts where the last one left the figure (or at the first pose).
      const sameFigure = key === shownKey && current;
      startPose = sameFigure ? (current.t >= 0.5 ? current.to : current.from) : figure.poses[0];
      cueIndex = now.cue;
      shownKey = key;
    }
    const side = sideFor(timeline.cues, now.cue, figure.drawn_side);
    const elapsed = now.offset - cue.start_s;
    const place = placeInCue(figure, cue.kind, elapsed, cue.duration_s, startPose);
    const t = reduceMotion.matches ? 1 : ease(place.t);
    const frames = sequence(figure.sides[side], place.from, place.to);
    draw(frameAt(frames, t));
    mount.setAttribute("data-pose", t >= 0.5 ? place.to : place.from);
    current = { key, side, from: place.from, to: place.to, t };
    show(true);
    return !now.paused;
  }

  function loop() {
    frameRequest = null;
    timer = null;
    const moving = update();
    if (moving && !reduceMotion.matches && document.visibilityState === "visible") {
      frameRequest = root.requestAnimationFrame(loop);
    } else {
      timer = root.setTimeout(loop, 250); // paused, hidden or stepping: look again soon
    }
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && frameRequest === null) {
      if (timer !== null) root.clearTimeout(timer);
      timer = null;
      loop();
    }
  });
  loop();

  root.midbackFigure = {
    state() {
      return {
        shown: !mount.hidden,
        figure: shownKey,
        side: current ? current.side : null,
        from: current ? current.from : null,
        to: current ? current.to : null,
        t: current ? current.t : null,
        pose: mount.getAttribute("data-pose"),
        reducedMotion: reduceMotion.matches,
      };
    },
  };
})(typeof window !== "undefined" ? window : globalThis);
