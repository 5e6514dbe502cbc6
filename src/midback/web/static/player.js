// midback's guided player in the browser: the page (DOM, voice, keys). Plain ES modules, no
// frameworks, no inline code (CSP), no build step.
//
// player-engine.js counts (pure, clock injected), outbox.js sends what must reach the server
// (kept in localStorage until it does, sent from every page by app.js too), player-session.js
// keeps the running session in this browser so a reload or a closed tab resumes it where it
// stood. This module only shows, speaks and listens; it re-exports the pure parts for tests.
"use strict";

import { TIMELINE_VERSION, WORK_KINDS, createEngine } from "./player-engine.js";
import { OUTBOX_KEY, askBackgroundSync, createListStore, createOutbox, localStore } from "./outbox.js";
import { createSessionStore } from "./player-session.js";
import { createSound, createVoice, createWakeLock } from "./player-sound.js";

export { TIMELINE_VERSION, createEngine, createListStore, createOutbox };

const ANNOUNCED_KINDS = new Set(["get-ready", "intro", "switch-sides", "rest"]);

if (typeof document !== "undefined" && document.getElementById("player-data")) main();

function main() {
  const $ = (id) => document.getElementById(id);
  const data = JSON.parse($("player-data").textContent);
  const speed = data.speed > 0 ? data.speed : 1;
  const api = data.api || "/api/v1";
  const clock = () => performance.now() / 1000;
  const FRAME_MS = 250;
  const RETRY_MS = 15000;
  const STAGES = ["pain", "resume", "starting", "error", "blocked", "gentle", "run", "after", "done"];
  const SAVE_EVERY_S = 2;
  const EFFORT_WORDS = { easy: "too easy", right: "about right", hard: "too hard" };

  // What happened in this session: the results that resume and the outbox use, and what was
  // shown, spoken and sent (read by the tests and the timer benchmark through window).
  const journal = {
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
  let attempts = new Map();
  let pending = null; // a completed exercise's log, waiting for the tap on how it felt
  let noteBlock = null; // the exercise the "Stopped" note was shown for
  let lastSave = -Infinity;
  let retryReloads = false; // the page is a stand-in served offline: Try again reloads it
  const sessions = createSessionStore(localStore(), { version: TIMELINE_VERSION });

  function record(event) {
    journal.events.push({ ...event, at: engine ? Math.round(engine.offset() * 1000) / 1000 : 0 });
  }

  // -- stages ------------------------------------------------------------------------------
  function setStage(name) {
    stage = name;
    for (const other of STAGES) {
      const section = $(`stage-${other}`);
      if (section) section.hidden = other !== name;
    }
    document.body.classList.toggle("player-running", name === "run");
    if (name !== "run") $("effort-ask").hidden = true;
    record({ type: "stage", stage: name });
    renderOutbox();
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
    journal.announced.push({ text, assertive });
  }

  // -- voice, beeps and the wake lock (player-sound.js) -----------------------------------
  const voice = createVoice({ $, spoken: journal.spoken, record });
  const sound = createSound({ record });
  const wake = createWakeLock({
    wanted: () => stage === "run" && engine !== null && !engine.paused && !engine.finished,
    record,
  });
  const speak = voice.speak;
  const hush = voice.hush;
  const holdWake = wake.hold;
  const releaseWake = wake.release;

  /** Browsers only let speech and sound start from a tap; prime both while we have one. */
  function unlockAudio() {
    sound.unlock();
    voice.prime();
  }

  // -- outbox ------------------------------------------------------------------------------
  const outbox = createOutbox({
    store: createListStore(localStore(), OUTBOX_KEY),
    fetchImpl: (url, init) => window.fetch(url, init),
    onChange(what, item, result) {
      if (what === "sent") {
        journal.sent.push(item.key);
        record({ type: "sent", key: item.key });
      } else if (what === "dropped") {
        journal.dropped.push({ key: item.key, status: result.status, detail: result.data });
        record({ type: "dropped", key: item.key, status: result.status });
      } else if (what === "retry") {
        record({ type: "queued", key: item.key, error: result.error || result.status });
        askBackgroundSync();
      }
      renderOutbox();
    },
  });

  function renderOutbox() {
    const waiting = outbox.waiting();
    const offline = navigator.onLine === false;
    const words = waiting === 1 ? "1 result waiting to be sent" : `${waiting} results waiting to be sent`;
    // While a session runs, a small badge in its head line (never a banner that pushes the
    // instruction down); on the other stages, the line above them.
    const box = $("outbox");
    box.hidden = waiting === 0 || stage === "run";
    $("outbox-text").textContent = words;
    const badge = $("run-outbox");
    const show = stage === "run" && (waiting > 0 || offline);
    badge.hidden = !show;
    badge.classList.toggle("offline", offline);
    $("run-outbox-text").textContent = offline
      ? (waiting > 0 ? `Offline · ${waiting} waiting` : "Offline")
      : `${waiting} waiting`;
    badge.title = offline
      ? "No network: results are kept on this device and sent when it is back."
      : words;
  }

  // -- starting ----------------------------------------------------------------------------
  async function startSession(pain) {
    unlockAudio();
    painBefore = pain;
    setStage("starting");
    const body = { ...data.start };
    if (pain !== null) body.pain_before = pain;
    const sealKey = `midback.plan.${data.query || ""}`;
    let sealed = null;
    try {
      sealed = window.sessionStorage.getItem(sealKey);
    } catch (_error) {
      sealed = null;
    }
    if (sealed && !body.plan_token) body.plan_token = sealed; // the plan the page showed
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
      if (navigator.onLine === false) {
        showError("You are offline: this session cannot start",
          ["A new session is planned by midback's server, so it cannot start without a network."
            + " Connect and press Try again.",
          "A session already under way goes on offline, and its results are sent later."]);
      } else {
        showError("midback cannot reach its server",
          ["Planning a session needs the server. Check your connection and try again."]);
      }
      return;
    }
    const stale = response.status === 409 && payload && payload.error === "stale_plan";
    if (sealed && (response.status !== 409 || stale)) {
      try {
        window.sessionStorage.removeItem(sealKey); // used or expired: a later start plans afresh
      } catch (_error) {
        // nothing kept
      }
    }
    if (stale && sealed) {
      announce("The plan you were shown has expired: planning it again.");
      startSession(pain);
      return;
    }
    if (response.status === 201 && payload && payload.timeline && payload.gentle_note) {
      showGentle(payload);
    } else if (response.status === 201 && payload && payload.timeline) {
      begin(payload);
    } else if (response.status === 403 && payload && payload.error === "screen") {
      showBlocked(payload);
    } else if ((response.status === 422 || response.status === 409) && payload) {
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

  function begin(payload, resumeAt = null) {
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
    fitRun(); // with the site's menu folded away for the run
    focusHeading("run-title");
    record({ type: "session", id: sessionId, blocks: timeline.blocks.length, resumed: resumeAt });
    if (resumeAt === null) {
      step(engine.start());
    } else {
      const closed = [...new Set(journal.results.map((result) => result.block))]
        .filter((block) => block !== resumeAt.block);
      step(engine.start(resumeAt.offset, { closed }));
    }
    saveSession();
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
    if (stage === "run" && clock() - lastSave >= SAVE_EVERY_S) saveSession();
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
    else if (events.some((event) => event.type === "block")) saveSession();
  }

  function logBlock(event) {
    sendPending(); // an earlier exercise still waiting for its tap goes as it is
    const attempt = (attempts.get(event.block) || 0) + 1;
    attempts.set(event.block, attempt);
    const key = `s${sessionId}-b${event.block}-a${attempt}`;
    const body = { position: event.block, status: event.status, idempotency_key: key };
    if (event.status !== "completed") body.actual = event.actual;
    journal.results.push({ block: event.block, status: event.status, key, actual: event.actual });
    const item = { key, url: `${api}/sessions/${sessionId}/logs`, body, kind: "log" };
    if (event.status === "completed") {
      // One tap on how it felt, asked while the next exercise is introduced; the log waits
      // for it (kept with the saved session) and goes without it when the next work starts.
      pending = item;
      askEffort(timeline.blocks[event.block].name);
    } else {
      outbox.add(item);
    }
  }

  function askEffort(name) {
    $("effort-question").textContent = `How was ${name}?`;
    $("effort-ask").hidden = false;
    record({ type: "effort-ask", name });
  }

  function sendPending(effort = null) {
    $("effort-ask").hidden = true;
    if (!pending) return;
    const item = pending;
    pending = null;
    if (effort) item.body = { ...item.body, effort };
    const result = journal.results.find((r) => r.key === item.key);
    if (result && effort) result.effort = effort;
    outbox.add(item);
  }

  function tapEffort(effort) {
    if (!pending) return;
    record({ type: "effort", effort });
    announce(`Saved: ${EFFORT_WORDS[effort]}.`);
    sendPending(effort);
    saveSession();
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
    $("run-detail").textContent = detailText(cue, block);
    $("run-next").textContent = nextText(index);
    $("run-now").classList.toggle("intro", cue.kind === "intro" || cue.kind === "get-ready");
    nextThumb(index);
    // Notes belong to one exercise: the "Stopped" note shows through the next one's intro, and
    // the tap on how an exercise felt waits only until the next one's work starts.
    if (noteBlock !== null && (cue.block !== noteBlock || cue.kind !== "intro")) {
      $("run-hurt-note").hidden = true;
      noteBlock = null;
    }
    if (WORK_KINDS.has(cue.kind) || cue.kind === "rest" || cue.kind === "switch-sides") {
      sendPending();
    }
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

  function detailText(cue, block) {
    if (typeof cue.detail === "string" && cue.detail) return cue.detail;
    if (cue.kind === "get-ready") return "Stop any exercise that hurts.";
    return block ? block.key_cue : "";
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
    // A long step (a walk) counts down in minutes and seconds, not "598".
    const countText = seconds >= 60 ? clockText(seconds) : String(Math.max(0, seconds));
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
    noteBlock = following ? following.index : null;
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
    // The last exercise's tap is asked on the end form, with how the session went.
    const last = pending ? journal.results.find((r) => r.key === pending.key) : null;
    $("after-last").hidden = !last;
    if (last) {
      $("after-last-legend").textContent = `How was ${timeline.blocks[last.block].name}?`;
    }
    $("run-hurt-note").hidden = true;
    noteBlock = null;
    quitEnd = quit;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    releaseWake();
    document.body.classList.remove("player-paused");
    const logged = journal.results;
    const done = logged.filter((r) => r.status === "completed").length;
    $("after-title").textContent = quit ? "Session ended" : "Well done";
    $("after-lead").textContent = quit
      ? `You did ${done} of ${timeline.blocks.length} exercises. How did it go? Everything here is optional.`
      : "Session complete. How did it go? Everything here is optional.";
    setStage("after");
    saveSession();
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
    const last = form.querySelector('input[name="last_effort"]:checked');
    sendPending(last ? last.value : null); // the last exercise's log goes before the finish
    const key = `s${sessionId}-finish`;
    finishSaved = { key, body };
    sessions.clear(); // from here the outbox holds everything still to send
    showSummary(painAfter);
    $("done-lead").textContent = "Saving…";
    await outbox.add({ key, url: `${api}/sessions/${sessionId}/finish`, body, kind: "finish" });
    const waiting = outbox.items().some((item) => item.key.startsWith(`s${sessionId}-`));
    $("done-lead").textContent = waiting
      ? "Saved on this device. It will be sent when you are back online."
      : "Saved.";
    record({ type: "finished", pending: waiting });
  }

  const STATUS_WORDS = {
    completed: "done",
    skipped: "skipped",
    stopped_for_pain: "stopped: it hurt",
  };

  function showSummary(painAfter) {
    const latest = new Map();
    for (const result of journal.results) latest.set(result.block, result);
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

  // -- the session kept in this browser ------------------------------------------------------
  function saveSession() {
    if (!timeline || sessionId === null || (stage !== "run" && stage !== "after")) return;
    lastSave = clock();
    sessions.save({
      id: sessionId,
      stage,
      timeline,
      start: data.start,
      page: window.location.pathname + window.location.search,
      offset: engine ? Math.max(0, engine.offset()) : 0,
      block: engine ? engine.currentBlock : null,
      results: journal.results,
      attempts: [...attempts],
      pending,
      painBefore,
      quit: quitEnd,
    });
  }

  /** A session saved by an earlier page: offer to go on with it, where it stood. */
  function offerResume(saved) {
    const count = saved.timeline.blocks.length;
    const block = Number.isInteger(saved.block) ? saved.timeline.blocks[saved.block] : null;
    const done = new Set(saved.results.map((result) => result.block)).size;
    if (saved.stage === "after") {
      $("resume-title").textContent = "Your session has ended: say how it went?";
      $("resume-lead").textContent = `${done} of ${count} exercises are saved. `
        + "Finish it to see it in your history.";
      $("resume-go").textContent = "Finish the session";
    } else {
      const number = block ? block.index + 1 : 1;
      $("resume-title").textContent = `Continue exercise ${number} of ${count}?`;
      $("resume-lead").textContent = block
        ? `${block.name}, where you left it. The ${done} exercise${done === 1 ? "" : "s"} before are kept.`
        : "From the start: nothing was done yet.";
      $("resume-go").textContent = `Continue exercise ${number} of ${count}`;
    }
    $("resume-go").onclick = () => resume(saved);
    $("resume-end").onclick = () => endSaved(saved);
    setStage("resume");
    focusHeading("resume-title");
  }

  function restore(saved) {
    timeline = saved.timeline;
    sessionId = saved.id;
    painBefore = Number.isInteger(saved.painBefore) ? saved.painBefore : null;
    journal.results.push(...saved.results);
    attempts = new Map(saved.attempts);
    quitEnd = saved.quit === true;
    if (saved.pending && typeof saved.pending.key === "string") {
      pending = saved.pending;
      sendPending(); // the tap was not given before the page went
    }
  }

  function resume(saved) {
    unlockAudio();
    restore(saved);
    record({ type: "resume", id: saved.id, offset: saved.offset, block: saved.block });
    if (saved.stage === "after") {
      endRun(quitEnd);
      return;
    }
    // Back to the start of the step under way, so the person sees it from its beginning.
    const cue = timeline.cues[Math.min(timeline.cues.length - 1, cueIndexAt(saved.offset))];
    const at = cue.kind === "breathe-out" || cue.kind === "breathe-in" ? cue.start_s : saved.offset;
    begin({ timeline: saved.timeline, session: { id: saved.id } },
      { offset: at, block: Number.isInteger(saved.block) ? saved.block : null });
  }

  /** "End it": the session ends as quit, with the exercises already saved, then how it went. */
  function endSaved(saved) {
    restore(saved);
    quitEnd = true;
    record({ type: "resume-end", id: saved.id });
    endRun(true);
  }

  function cueIndexAt(offset) {
    let found = 0;
    timeline.cues.forEach((cue, index) => {
      if (cue.start_s <= offset) found = index;
    });
    return found;
  }

  /** The running stage fills the screen below the site's header: nothing scrolls, nothing hides. */
  function fitRun() {
    const run = $("stage-run");
    const wasHidden = run.hidden;
    run.hidden = false;
    const top = run.getBoundingClientRect().top + window.scrollY;
    run.hidden = wasHidden;
    document.documentElement.style.setProperty("--run-top", `${Math.round(top)}px`);
  }

  // -- wiring ------------------------------------------------------------------------------
  for (const button of document.querySelectorAll("#effort-ask [data-effort]")) {
    button.addEventListener("click", () => tapEffort(button.dataset.effort));
  }
  window.addEventListener("pagehide", saveSession);
  window.addEventListener("resize", () => {
    if (stage === "run") fitRun();
  });
  window.addEventListener("offline", renderOutbox);
  for (const button of document.querySelectorAll("#stage-pain [data-pain]")) {
    button.addEventListener("click", () => startSession(Number(button.dataset.pain)));
  }
  $("start-unrated").addEventListener("click", () => startSession(null));
  $("error-retry").addEventListener("click", () => {
    if (retryReloads) window.location.reload();
    else startSession(painBefore);
  });
  $("btn-pause").addEventListener("click", togglePause);
  $("btn-skip").addEventListener("click", skip);
  $("btn-back").addEventListener("click", back);
  $("btn-hurt").addEventListener("click", itHurts);
  $("btn-quit").addEventListener("click", askQuit);
  $("btn-voice").addEventListener("click", () => {
    voice.toggle();
  });
  $("after-form").addEventListener("submit", saveFinish);
  $("outbox-retry").addEventListener("click", () => outbox.flush());
  document.addEventListener("keydown", onKey);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") saveSession();
    if (document.visibilityState === "visible") {
      if (engine && stage === "run") loop(); // catch up at once after the background
      holdWake();
    }
  });
  window.addEventListener("online", () => {
    renderOutbox();
    outbox.flush();
  });
  window.addEventListener("storage", (event) => {
    if (event.key === OUTBOX_KEY) renderOutbox();
  });
  setInterval(() => {
    if (outbox.size() > 0) outbox.flush();
  }, RETRY_MS);
  voice.watch();
  renderOutbox();
  outbox.flush(); // what an earlier visit left behind
  const saved = sessions.load();
  if (saved) {
    offerResume(saved);
  } else if (typeof data.query === "string" && data.query !== window.location.search.slice(1)) {
    // Offline, the service worker answered with the page saved for another address: its
    // session is not the one asked for, so say so rather than play that one.
    showError("You are offline: this session cannot start",
      ["The session you asked for is planned by midback's server, and this device has no"
        + " network now. Connect and press Try again."], false);
    retryReloads = true;
    $("error-retry").hidden = false;
  }

  window.midbackPlayer = {
    events: journal.events,
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
        results: journal.results.slice(),
        sent: journal.sent.slice(),
        dropped: journal.dropped.slice(),
        spoken: journal.spoken.slice(),
        announced: journal.announced.map((a) => a.text),
        voice: { ...voice },
        wakeLock: wake.held(),
        finish: finishSaved,
        error: lastError,
        effortAsked: !$("effort-ask").hidden,
        pending: pending ? pending.key : null,
        saved: sessions.load() !== null,
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
}
