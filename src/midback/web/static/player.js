// midback's guided player in the browser. Plain ES2020, no frameworks, no inline code (CSP).
//
// The engine is a port of midback/domain/player.py: session time is derived from a clock each
// time (offset = (clock() - origin) * speed - shift), so cues start on their deadlines however
// late a timer fires; a late tick fires every cue it passed, in order. The page shows and speaks
// only the latest cue of a catch-up but logs every exercise that ended on the way.
//
// Each finished exercise is written to an outbox in localStorage first and then POSTed with a
// deterministic idempotency key; what fails stays in the outbox and is retried with the same key
// on `online`, on page load and every 15 seconds, so nothing is lost when the network is.
"use strict";

(function (root) {
  const TIMELINE_VERSION = 1;
  const BACK_GRACE_S = 3;
  const WORK_KINDS = new Set(["rep", "move", "hold", "breathe-in", "breathe-out"]);
  const ANNOUNCED_KINDS = new Set(["get-ready", "intro", "switch-sides", "rest"]);

  // ---------------------------------------------------------------------------------------
  // The engine: pure, clock injected, no DOM.
  // ---------------------------------------------------------------------------------------

  /**
   * Runs `timeline` on `clock` (seconds, monotonic) at `speed` times real time.
   * Every method that moves time returns the events it caused, in order:
   *   {type: "cue", index, late}, {type: "block", block, status, target, actual},
   *   {type: "end", quit}.
   */
  function createEngine(timeline, { clock, speed = 1 }) {
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

    function start() {
      origin = clock();
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

  // ---------------------------------------------------------------------------------------
  // The outbox: writes that must reach the server, kept until they do.
  // ---------------------------------------------------------------------------------------

  const OUTBOX_KEY = "midback.outbox.v1";

  /** A list kept in `storage` (localStorage) under `key`, or in memory when that fails. */
  function createListStore(storage, key) {
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
      },
    };
  }

  /**
   * Items are {key, url, body, kind}; sent in order, one at a time, with their own key.
   * A network error, 408, 425, 429 or 5xx keeps the item (and everything after it) for a
   * retry; any other 4xx drops it as undeliverable. `onChange(what, item, detail)` hears of
   * each change.
   */
  function createOutbox({ store, fetchImpl, onChange = () => {}, timeoutMs = 15000 }) {
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

  const exported = { createEngine, createOutbox, createListStore, TIMELINE_VERSION };
  if (typeof module === "object" && module && module.exports) module.exports = exported;
  if (typeof document === "undefined" || !document.getElementById("player-data")) return;

  // ---------------------------------------------------------------------------------------
  // The page.
  // ---------------------------------------------------------------------------------------

  const $ = (id) => document.getElementById(id);
  const data = JSON.parse($("player-data").textContent);
  const speed = data.speed > 0 ? data.speed : 1;
  const api = data.api || "/api/v1";
  const clock = () => performance.now() / 1000;
  const FRAME_MS = 250;
  const RETRY_MS = 15000;
  const STAGES = ["pain", "starting", "error", "blocked", "gentle", "run", "after", "done"];

  const hook = {
    events: [],
    spoken: [],
    announced: [],
    results: [],
    sent: [],
    dropped: [],
  };
  let stage = "pain";
  let timeline = null;
  let engine = null;
  let sessionId = null;
  let painBefore = null;
  let shownCue = -1;
  let lastBeepSecond = null;
  let timer = null;
  let quitEnd = false;
  let finishSaved = null;
  let lastError = null;
  const attempts = new Map();

  function record(event) {
    hook.events.push({ ...event, at: engine ? Math.round(engine.offset() * 1000) / 1000 : 0 });
  }

  // -- stages ------------------------------------------------------------------------------
  function setStage(name) {
    stage = name;
    for (const other of STAGES) {
      const section = $(`stage-${other}`);
      if (section) section.hidden = other !== name;
    }
    document.body.classList.toggle("player-running", name === "run");
    record({ type: "stage", stage: name });
  }

  function focusHeading(id) {
    const heading = $(id);
    if (!heading) return;
    if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: false });
  }

  // -- announcements -----------------------------------------------------------------------
  let flip = false;
  function announce(text, { assertive = false } = {}) {
    if (!text) return;
    flip = !flip;
    // A trailing no-break space makes a repeated text a change screen readers announce.
    $(assertive ? "live-assertive" : "live-polite").textContent = flip ? `${text}\u00a0` : text;
    hook.announced.push({ text, assertive });
  }

  // -- voice -------------------------------------------------------------------------------
  const synth = "speechSynthesis" in window && typeof window.SpeechSynthesisUtterance === "function"
    ? window.speechSynthesis : null;
  const voice = {
    supported: synth !== null,
    available: false,
    on: readPreference("midback.voice", "on") !== "off",
  };

  function readPreference(key, fallback) {
    try {
      return window.localStorage.getItem(key) ?? fallback;
    } catch (_error) {
      return fallback;
    }
  }

  function writePreference(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch (_error) {
      // Preferences are a convenience.
    }
  }

  function checkVoices() {
    if (!synth) return;
    try {
      voice.available = synth.getVoices().length > 0;
    } catch (_error) {
      voice.available = false;
    }
    renderVoice();
  }

  function renderVoice() {
    const button = $("btn-voice");
    button.setAttribute("aria-pressed", String(voice.on && voice.supported));
    button.disabled = !voice.supported;
    // The name stays "Voice" (aria-pressed tells on or off); the word after it is for the eye.
    $("btn-voice-state").textContent = voice.supported ? (voice.on ? "on" : "off") : "none";
    const note = $("voice-note");
    if (!voice.supported) {
      note.textContent = "This browser cannot speak; follow the screen and the beeps.";
    } else if (!voice.available) {
      note.textContent = "No voices are installed for speech, so the cues are silent.";
    } else {
      note.textContent = "";
    }
    note.hidden = note.textContent === "";
  }

  function speak(text, { interrupt = true } = {}) {
    if (!synth || !voice.on || !voice.available || !text) return false;
    try {
      if (!interrupt && (synth.speaking || synth.pending)) return false;
      if (synth.speaking || synth.pending) synth.cancel();
      const utterance = new window.SpeechSynthesisUtterance(text);
      utterance.lang = document.documentElement.lang || "en";
      synth.speak(utterance);
      hook.spoken.push(text);
      return true;
    } catch (_error) {
      return false;
    }
  }

  function hush() {
    if (!synth) return;
    try {
      synth.cancel();
    } catch (_error) {
      // nothing to stop
    }
  }

  /** Browsers only let speech and sound start from a tap; prime both while we have one. */
  function unlockAudio() {
    sound.unlock();
    if (synth && voice.on) {
      try {
        const primer = new window.SpeechSynthesisUtterance("");
        primer.volume = 0;
        synth.speak(primer);
      } catch (_error) {
        // speech stays silent
      }
    }
  }

  // -- beeps -------------------------------------------------------------------------------
  const sound = {
    context: null,
    unlock() {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return;
      try {
        if (!this.context) this.context = new Context();
        if (this.context.state === "suspended") this.context.resume().catch(() => {});
      } catch (_error) {
        this.context = null;
      }
    },
    beep(frequency, ms, delayS = 0) {
      const context = this.context;
      record({ type: "beep", frequency });
      if (!context || context.state !== "running") return;
      try {
        const oscillator = context.createOscillator();
        const gain = context.createGain();
        const start = context.currentTime + delayS;
        const stop = start + ms / 1000;
        oscillator.type = "sine";
        oscillator.frequency.value = frequency;
        gain.gain.setValueAtTime(0.0001, start);
        gain.gain.exponentialRampToValueAtTime(0.25, start + 0.015);
        gain.gain.exponentialRampToValueAtTime(0.0001, stop);
        oscillator.connect(gain);
        gain.connect(context.destination);
        oscillator.start(start);
        oscillator.stop(stop + 0.02);
      } catch (_error) {
        // a missed beep is harmless
      }
    },
  };

  // -- wake lock ---------------------------------------------------------------------------
  let wakeLock = null;
  let wakeRequest = null;

  function wantsWake() {
    return stage === "run" && engine !== null && !engine.paused && !engine.finished;
  }

  async function holdWake() {
    if (!("wakeLock" in navigator) || wakeLock || wakeRequest || !wantsWake()) return;
    if (document.visibilityState !== "visible") return;
    try {
      wakeRequest = navigator.wakeLock.request("screen");
      const lock = await wakeRequest;
      wakeLock = lock;
      lock.addEventListener("release", () => {
        if (wakeLock === lock) wakeLock = null;
      });
      record({ type: "wake", held: true });
      if (!wantsWake()) releaseWake();
    } catch (_error) {
      wakeLock = null; // denied (battery saver, not visible): the screen may dim
    } finally {
      wakeRequest = null;
    }
  }

  function releaseWake() {
    const lock = wakeLock;
    wakeLock = null;
    if (lock) {
      lock.release().catch(() => {});
      record({ type: "wake", held: false });
    }
  }

  // -- outbox ------------------------------------------------------------------------------
  const outbox = createOutbox({
    store: createListStore(safeStorage(), OUTBOX_KEY),
    fetchImpl: (url, init) => window.fetch(url, init),
    onChange(what, item, result) {
      if (what === "sent") {
        hook.sent.push(item.key);
        record({ type: "sent", key: item.key });
      } else if (what === "dropped") {
        hook.dropped.push({ key: item.key, status: result.status, detail: result.data });
        record({ type: "dropped", key: item.key, status: result.status });
      } else if (what === "retry") {
        record({ type: "queued", key: item.key, error: result.error || result.status });
      }
      renderOutbox();
    },
  });

  function safeStorage() {
    try {
      const storage = window.localStorage;
      storage.getItem(OUTBOX_KEY);
      return storage;
    } catch (_error) {
      return null;
    }
  }

  function renderOutbox() {
    const waiting = outbox.waiting();
    const box = $("outbox");
    box.hidden = waiting === 0;
    $("outbox-text").textContent = waiting === 1
      ? "1 result waiting to be sent"
      : `${waiting} results waiting to be sent`;
  }

  // -- starting ----------------------------------------------------------------------------
  async function startSession(pain) {
    unlockAudio();
    painBefore = pain;
    setStage("starting");
    const body = { ...data.start };
    if (pain !== null) body.pain_before = pain;
    let response;
    let payload = null;
    try {
      response = await window.fetch(`${api}/sessions`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
        credentials: "same-origin",
        cache: "no-store",
      });
      payload = await response.json().catch(() => null);
    } catch (_error) {
      showError("midback cannot reach its server",
        ["Planning a session needs the server. Check your connection and try again."]);
      return;
    }
    if (response.status === 201 && payload && payload.timeline && payload.gentle_note) {
      showGentle(payload);
    } else if (response.status === 201 && payload && payload.timeline) {
      begin(payload);
    } else if (response.status === 403 && payload && payload.error === "screen") {
      showBlocked(payload);
    } else if (response.status === 422 && payload) {
      showError("These options do not make a plan", describeDetail(payload.detail), false);
    } else {
      showError("The server could not start the session",
        [`It answered ${response.status}. Try again in a moment.`]);
    }
  }

  function describeDetail(detail) {
    if (typeof detail === "string") return [detail];
    if (!Array.isArray(detail)) return ["The request was refused."];
    return detail.map((problem) => {
      const where = Array.isArray(problem.loc)
        ? problem.loc.filter((part) => part !== "body").join(".") : "";
      return where ? `${where}: ${problem.msg}` : String(problem.msg);
    });
  }

  function showError(title, lines, retry = true) {
    lastError = { title, lines };
    $("error-title").textContent = title;
    const body = $("error-body");
    body.replaceChildren(...lines.map((line) => {
      const p = document.createElement("p");
      p.textContent = line;
      return p;
    }));
    $("error-retry").hidden = !retry;
    setStage("error");
    focusHeading("error-title");
  }

  // Pain of 6 or 7 before the session made it gentle: say so, and why, before it starts.
  function showGentle(payload) {
    $("gentle-why").textContent = payload.gentle_note;
    $("gentle-list").replaceChildren(...payload.plan.blocks.map((block) => {
      const li = document.createElement("li");
      li.textContent = block.name;
      return li;
    }));
    $("gentle-start").onclick = () => begin(payload);
    setStage("gentle");
    focusHeading("gentle-title");
    announce(payload.gentle_note);
  }

  const BLOCKED_LEADS = {
    emergency: "Your answers include a warning sign that needs help now, not exercise.",
    urgent: "Your safety screen says to contact a doctor today, before exercising on your own.",
    doctor: "Your safety screen says to see a doctor before exercising on your own.",
    pain_today: "Your pain is too high to exercise on your own today.",
    unscreened: "Answer the safety screen first: a few questions check that exercise is safe.",
    expired: "Your safety screen is more than 30 days old: please answer it again.",
  };

  function showBlocked(payload) {
    lastError = { title: "screen", verdict: payload.verdict, reasons: payload.reasons };
    const emergency = payload.verdict === "emergency";
    $("blocked-emergency").hidden = !emergency;
    $("blocked-lead").textContent = BLOCKED_LEADS[payload.verdict] || BLOCKED_LEADS.doctor;
    const again = $("blocked-screen");
    if (again) {
      const here = window.location.pathname + window.location.search;
      again.href = `/screen?next=${encodeURIComponent(here)}`;
    }
    $("blocked-reasons").replaceChildren(...(payload.reasons || []).map((reason) => {
      const li = document.createElement("li");
      li.textContent = reason.message;
      return li;
    }));
    setStage("blocked");
    focusHeading("blocked-title");
    announce(emergency ? "Call emergency services now." : "This session cannot start.",
      { assertive: true });
  }

  function begin(payload) {
    if (!payload.timeline || payload.timeline.version !== TIMELINE_VERSION) {
      showError("This page is out of date", ["Reload the page to get the current player."]);
      return;
    }
    timeline = payload.timeline;
    sessionId = payload.session.id;
    engine = createEngine(timeline, { clock, speed });
    $("run-total").textContent = clockText(timeline.total_s);
    if (speed !== 1) {
      $("speed-note").hidden = false;
      $("speed-note").textContent = `· demo speed ×${speed}`;
    }
    setStage("run");
    focusHeading("run-title");
    record({ type: "session", id: sessionId, blocks: timeline.blocks.length });
    step(engine.start());
    holdWake();
  }

  // -- the loop ----------------------------------------------------------------------------
  function schedule() {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (!engine || engine.finished || engine.paused) return;
    let delay = FRAME_MS;
    const deadline = engine.nextDeadline();
    if (deadline !== null) delay = Math.min(delay, (deadline - clock()) * 1000);
    // Wake at the next whole second of the countdown too, so the digits change on time.
    const remaining = engine.remainingInCue();
    const toSecond = ((remaining % 1) || 1) / speed * 1000;
    delay = Math.min(delay, toSecond + 1);
    timer = setTimeout(loop, Math.max(0, delay));
  }

  function loop() {
    timer = null;
    if (engine) step(engine.tick());
  }

  function step(events) {
    handle(events);
    render();
    schedule();
  }

  function handle(events) {
    let latest = null;
    let end = null;
    for (const event of events) {
      record(event);
      if (event.type === "block") logBlock(event);
      else if (event.type === "cue") latest = event;
      else if (event.type === "end") end = event;
    }
    if (latest && !end) showCue(latest.index, latest.late);
    if (end) endRun(end.quit);
  }

  function logBlock(event) {
    const attempt = (attempts.get(event.block) || 0) + 1;
    attempts.set(event.block, attempt);
    const key = `s${sessionId}-b${event.block}-a${attempt}`;
    const body = { position: event.block, status: event.status, idempotency_key: key };
    if (event.status !== "completed") body.actual = event.actual;
    hook.results.push({ block: event.block, status: event.status, key, actual: event.actual });
    outbox.add({ key, url: `${api}/sessions/${sessionId}/logs`, body, kind: "log" });
  }

  // -- showing a cue -----------------------------------------------------------------------
  function showCue(index, lateS) {
    const cue = timeline.cues[index];
    const onTime = lateS / speed < 1;
    shownCue = index;
    lastBeepSecond = null;
    const block = cue.block !== null && cue.block !== undefined ? timeline.blocks[cue.block] : null;
    const count = timeline.blocks.length;
    $("run-where").textContent = block
      ? `Exercise ${block.index + 1} of ${count}: ${block.name}`
      : `Get ready · ${count} ${count === 1 ? "exercise" : "exercises"}`;
    $("run-set").textContent = setText(cue);
    $("run-text").textContent = cue.text;
    $("run-detail").textContent = block ? block.key_cue : "Stop any exercise that hurts.";
    $("run-next").textContent = nextText(index);
    nextThumb(index);
    if (cue.kind !== "intro") $("run-hurt-note").hidden = true; // shown through one intro
    announce(cue.text);
    speak(cue.say, { interrupt: importantCue(index) });
    if (cue.kind === "intro" && onTime) {
      sound.beep(660, 120);
      sound.beep(880, 160, 0.16);
    }
  }

  function importantCue(index) {
    const cue = timeline.cues[index];
    if (ANNOUNCED_KINDS.has(cue.kind)) return true;
    const before = timeline.cues[index - 1];
    return !(before && WORK_KINDS.has(before.kind) && before.block === cue.block
      && before.set === cue.set && before.side === cue.side);
  }

  function setText(cue) {
    const parts = [];
    if (cue.sets && cue.sets > 1 && cue.set) parts.push(`Set ${cue.set} of ${cue.sets}`);
    if (cue.side) parts.push(`${cue.side} side`);
    return parts.join(" · ");
  }

  // The next exercise's thumbnail beside "Next exercise: ..." (hidden otherwise).
  function nextThumb(index) {
    const img = $("run-next-thumb");
    const cue = timeline.cues[index];
    const next = timeline.cues[index + 1];
    const block = next && next.block !== cue.block && next.block !== null
      ? timeline.blocks[next.block] : null;
    if (!img || !block || !block.exercise_id) {
      if (img) img.hidden = true;
      return;
    }
    const variant = block.variant ? `&variant=${encodeURIComponent(block.variant)}` : "";
    const src = `/figures/${encodeURIComponent(block.exercise_id)}.svg?size=thumb${variant}`;
    if (img.getAttribute("src") !== src) img.setAttribute("src", src);
    img.hidden = false;
  }

  function nextText(index) {
    const cue = timeline.cues[index];
    const next = timeline.cues[index + 1];
    if (!next) return "Then: finish";
    if (next.block !== cue.block && next.block !== null) {
      return `Next exercise: ${timeline.blocks[next.block].name}`;
    }
    return `Then: ${next.text}`;
  }

  function render() {
    if (stage !== "run" || !engine) return;
    const cue = timeline.cues[engine.currentCue()];
    const remaining = engine.remainingInCue();
    const seconds = Math.ceil(remaining - 1e-6);
    const countText = String(Math.max(0, seconds));
    const counter = $("run-count");
    if (counter.textContent !== countText) counter.textContent = countText;
    counter.classList.toggle("long", countText.length > 2);
    const offset = Math.min(timeline.total_s, Math.max(0, engine.offset()));
    const progress = $("run-progress");
    progress.value = timeline.total_s > 0 ? offset / timeline.total_s : 1;
    progress.setAttribute("aria-valuetext",
      `${clockText(offset)} of ${clockText(timeline.total_s)}`);
    $("run-elapsed").textContent = clockText(offset);
    $("run-paused").hidden = !engine.paused;
    document.body.classList.toggle("player-paused", engine.paused);
    $("btn-pause-label").textContent = engine.paused ? "Resume" : "Pause";
    if (cue.kind === "hold" && !engine.paused && seconds >= 1 && seconds <= 3
        && seconds !== lastBeepSecond && engine.currentCue() === shownCue) {
      lastBeepSecond = seconds;
      sound.beep(seconds === 1 ? 990 : 770, 90);
    }
  }

  function clockText(totalSeconds) {
    const whole = Math.max(0, Math.floor(totalSeconds));
    const minutes = Math.floor(whole / 60);
    const seconds = whole % 60;
    return `${minutes}:${String(seconds).padStart(2, "0")}`;
  }

  // -- controls ----------------------------------------------------------------------------

  function running() {
    return stage === "run" && engine !== null && !engine.finished;
  }

  function togglePause() {
    if (!running()) return;
    const events = engine.togglePause();
    if (engine.paused) {
      hush();
      releaseWake();
      announce("Paused. Press Space or Resume to go on.");
    } else {
      announce("Resumed.");
      holdWake();
    }
    record({ type: engine.paused ? "pause" : "resume" });
    step(events);
  }

  function skip() {
    if (!running()) return;
    const block = engine.currentBlock;
    record({ type: "skip", block });
    hush();
    step(engine.skip());
  }

  function back() {
    if (!running()) return;
    record({ type: "back", block: engine.currentBlock });
    hush();
    step(engine.back());
  }

  function itHurts() {
    if (!running()) return;
    const block = engine.currentBlock;
    record({ type: "hurt", block });
    hush();
    if (block === null) {
      announce("Nothing has started yet. If something hurts, quit and rest.", { assertive: true });
      return;
    }
    const name = timeline.blocks[block].name;
    step(engine.itHurts());
    const following = timeline.blocks[block + 1];
    $("run-hurt-title").textContent = `Stopped ${name}.`;
    $("run-hurt-note").hidden = stage !== "run";
    const then = following ? `Moving on to ${following.name}.` : "That was the last exercise.";
    announce(`Stopped ${name} because it hurts. Saved. ${then}`, { assertive: true });
  }

  const dialog = $("quit-dialog");
  let pausedForDialog = false;

  function askQuit() {
    if (!running() || dialog.open) return;
    pausedForDialog = !engine.paused;
    if (pausedForDialog) {
      engine.pause();
      hush();
      releaseWake();
      render();
      schedule();
    }
    if (typeof dialog.showModal === "function") {
      dialog.returnValue = "";
      dialog.showModal();
      record({ type: "dialog", open: true });
    } else {
      closeQuit(window.confirm("Quit this session?") ? "quit" : "stay");
    }
  }

  function closeQuit(answer) {
    record({ type: "dialog", open: false, answer });
    if (answer === "quit") {
      hush();
      step(engine.quit());
      return;
    }
    if (pausedForDialog && running()) {
      pausedForDialog = false;
      step(engine.resume());
      holdWake();
    }
    $("btn-quit").focus();
  }

  dialog.addEventListener("close", () => closeQuit(dialog.returnValue));

  function endRun(quit) {
    quitEnd = quit;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    releaseWake();
    document.body.classList.remove("player-paused");
    const logged = hook.results;
    const done = logged.filter((r) => r.status === "completed").length;
    $("after-title").textContent = quit ? "Session ended" : "Well done";
    $("after-lead").textContent = quit
      ? `You did ${done} of ${timeline.blocks.length} exercises. How did it go? Everything here is optional.`
      : "Session complete. How did it go? Everything here is optional.";
    setStage("after");
    focusHeading("after-title");
    if (quit) hush();
    else speak("Well done. Session complete.");
    announce(quit ? "Session ended." : "Session complete.");
  }

  function choice(form, name) {
    const picked = form.querySelector(`input[name="${name}"]:checked`);
    return picked ? Number(picked.value) : null;
  }

  async function saveFinish(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const body = { status: quitEnd ? "quit" : "completed" };
    const painAfter = choice(form, "pain_after");
    const effort = choice(form, "effort");
    const note = $("after-note").value.trim();
    if (painAfter !== null) body.pain_after = painAfter;
    if (effort !== null) body.effort = effort;
    if (note) body.note = note.slice(0, 2000);
    $("after-save").disabled = true;
    const key = `s${sessionId}-finish`;
    finishSaved = { key, body };
    showSummary(painAfter);
    $("done-lead").textContent = "Saving…";
    await outbox.add({ key, url: `${api}/sessions/${sessionId}/finish`, body, kind: "finish" });
    const pending = outbox.items().some((item) => item.key.startsWith(`s${sessionId}-`));
    $("done-lead").textContent = pending
      ? "Saved on this device. It will be sent when you are back online."
      : "Saved.";
    record({ type: "finished", pending });
  }

  const STATUS_WORDS = {
    completed: "done",
    skipped: "skipped",
    stopped_for_pain: "stopped: it hurt",
  };

  function showSummary(painAfter) {
    const latest = new Map();
    for (const result of hook.results) latest.set(result.block, result);
    $("done-summary").replaceChildren(...timeline.blocks.map((block) => {
      const li = document.createElement("li");
      const result = latest.get(block.index);
      const status = result ? STATUS_WORDS[result.status] || result.status : "not reached";
      li.textContent = `${block.name}: ${status}`;
      li.className = result ? `status-${result.status}` : "status-none";
      return li;
    }));
    $("done-title").textContent = quitEnd ? "Session ended" : "Session saved";
    if (painBefore !== null && painAfter !== null) {
      const li = document.createElement("li");
      li.textContent = `Pain: ${painBefore} before, ${painAfter} after`;
      $("done-summary").append(li);
    }
    setStage("done");
    focusHeading("done-title");
  }

  // -- keys --------------------------------------------------------------------------------
  function onKey(event) {
    if (stage !== "run" || dialog.open) return;
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target;
    if (target instanceof Element && target.closest("input, textarea, select, [contenteditable]")) {
      return;
    }
    switch (event.key) {
      case " ":
      case "Spacebar":
        // Space always pauses, whichever control has focus (say, "It hurts" after a tap);
        // Enter still presses the focused control.
        event.preventDefault();
        if (!event.repeat) togglePause();
        break;
      case "ArrowRight":
        event.preventDefault();
        skip();
        break;
      case "ArrowLeft":
        event.preventDefault();
        back();
        break;
      case "h":
      case "H":
        event.preventDefault();
        itHurts();
        break;
      case "Escape":
      case "q":
      case "Q":
        event.preventDefault();
        askQuit();
        break;
      default:
        break;
    }
  }

  // -- wiring ------------------------------------------------------------------------------
  for (const button of document.querySelectorAll("#stage-pain [data-pain]")) {
    button.addEventListener("click", () => startSession(Number(button.dataset.pain)));
  }
  $("start-unrated").addEventListener("click", () => startSession(null));
  $("error-retry").addEventListener("click", () => startSession(painBefore));
  $("btn-pause").addEventListener("click", togglePause);
  $("btn-skip").addEventListener("click", skip);
  $("btn-back").addEventListener("click", back);
  $("btn-hurt").addEventListener("click", itHurts);
  $("btn-quit").addEventListener("click", askQuit);
  $("btn-voice").addEventListener("click", () => {
    voice.on = !voice.on;
    writePreference("midback.voice", voice.on ? "on" : "off");
    if (!voice.on) hush();
    renderVoice();
    record({ type: "voice", on: voice.on });
  });
  $("after-form").addEventListener("submit", saveFinish);
  $("outbox-retry").addEventListener("click", () => outbox.flush());
  document.addEventListener("keydown", onKey);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") {
      if (engine && stage === "run") loop(); // catch up at once after the background
      holdWake();
    }
  });
  window.addEventListener("online", () => outbox.flush());
  window.addEventListener("storage", (event) => {
    if (event.key === OUTBOX_KEY) renderOutbox();
  });
  setInterval(() => {
    if (outbox.size() > 0) outbox.flush();
  }, RETRY_MS);
  if (synth) {
    if (typeof synth.addEventListener === "function") {
      synth.addEventListener("voiceschanged", checkVoices);
    } else {
      synth.onvoiceschanged = checkVoices;
    }
  }
  checkVoices();
  renderVoice();
  renderOutbox();
  outbox.flush(); // what an earlier visit left behind

  root.midbackPlayer = {
    events: hook.events,
    state() {
      const cue = engine && timeline ? timeline.cues[engine.currentCue()] : null;
      return {
        stage,
        sessionId,
        speed,
        started: engine !== null && engine.started,
        cue: engine ? engine.currentCue() : null,
        cueKind: cue ? cue.kind : null,
        cueText: cue ? cue.text : null,
        block: engine ? engine.currentBlock : null,
        blocks: timeline ? timeline.blocks.length : 0,
        offset: engine ? engine.offset() : 0,
        totalSeconds: timeline ? timeline.total_s : null,
        remaining: engine ? engine.remainingInCue() : null,
        paused: engine ? engine.paused : false,
        finished: engine ? engine.finished : false,
        quit: quitEnd,
        painBefore,
        queued: outbox.size(),
        waiting: outbox.waiting(),
        sending: outbox.busy,
        results: hook.results.slice(),
        sent: hook.sent.slice(),
        dropped: hook.dropped.slice(),
        spoken: hook.spoken.slice(),
        announced: hook.announced.map((a) => a.text),
        voice: { ...voice },
        wakeLock: wakeLock !== null,
        finish: finishSaved,
        error: lastError,
      };
    },
    flush: () => outbox.flush(),
    /** The session's timeline (null before it starts); figure.js reads its cues and blocks. */
    timeline: () => timeline,
    /** Where the session is, cheaply, for code that asks every animation frame (figure.js). */
    now() {
      return {
        stage,
        cue: engine && engine.started ? engine.currentCue() : null,
        offset: engine ? engine.offset() : 0,
        paused: engine ? engine.paused : false,
        finished: engine ? engine.finished : false,
      };
    },
  };
})(typeof window !== "undefined" ? window : globalThis);
