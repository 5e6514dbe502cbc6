/* midback desk breaks: remind every N minutes during work hours, play a short desk routine and
   record it as a session (start, a log per exercise, finish) so history counts it.

   Plain script, no build step. Settings live in localStorage ("midback.breaks"); the routine
   comes from the server's session API, which applies the safety screen and the person's limits.
   Time is read through Date.now(), so a test's fake clock (Playwright's page.clock) drives it. */
(function () {
  "use strict";

  const STORE = "midback.breaks";
  const TICK_MS = 1000;
  const AWAY_RESETS_AFTER_MS = 2 * 60 * 1000; // away at least a break's length: a natural break

  const dataNode = document.getElementById("breaks-data");
  if (!dataNode) return;
  const data = JSON.parse(dataNode.textContent);
  const $ = (id) => document.getElementById(id);
  // What the page did (breaks fired, beeps, notifications, breaks logged), read by the tests.
  const journal = (window.__breaks = { fired: 0, beeps: 0, notified: 0, logged: [] });

  // -- settings ----------------------------------------------------------------------------

  function defaults() {
    return { every: data.every, start: data.work.start, end: data.work.end, weekends: false };
  }

  function loadSettings() {
    try {
      const saved = JSON.parse(localStorage.getItem(STORE) || "null");
      if (saved && typeof saved === "object") return Object.assign(defaults(), saved);
    } catch (error) {
      /* unreadable settings: the defaults */
    }
    return defaults();
  }

  let settings = loadSettings();

  function minutesOf(text) {
    const match = /^(\d{1,2}):(\d{2})$/.exec(text || "");
    return match ? Number(match[1]) * 60 + Number(match[2]) : null;
  }

  function atWork(now) {
    const day = now.getDay();
    const days = settings.weekends ? [0, 1, 2, 3, 4, 5, 6] : data.work.days;
    if (!days.includes(day)) return false;
    const minute = now.getHours() * 60 + now.getMinutes();
    return minute >= minutesOf(settings.start) && minute < minutesOf(settings.end);
  }

  // -- state -------------------------------------------------------------------------------

  const intervalMs = () => settings.every * 60 * 1000;
  let nextAt = Date.now() + intervalMs();
  let paused = false;
  let due = false;
  let running = false;

  function clock(ms) {
    const seconds = Math.max(0, Math.ceil(ms / 1000));
    return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  }

  function hhmm(date) {
    return `${String(date.getHours()).padStart(2, "0")}:${String(date.getMinutes()).padStart(2, "0")}`;
  }

  function say(text) {
    $("breaks-status").textContent = text;
  }

  function render() {
    const now = new Date(Date.now());
    $("breaks-pause").textContent = paused ? "Resume reminders" : "Pause reminders";
    if (running) {
      say("Desk break in progress.");
      $("breaks-countdown").textContent = "";
    } else if (paused) {
      say("Reminders paused.");
      $("breaks-countdown").textContent = "–";
    } else if (due) {
      say("A desk break is due.");
      $("breaks-countdown").textContent = "0:00";
    } else if (!atWork(now)) {
      say(`Outside your work hours (${settings.start} to ${settings.end}): no reminders.`);
      $("breaks-countdown").textContent = "–";
    } else {
      say(`Next desk break at ${hhmm(new Date(nextAt))}.`);
      $("breaks-countdown").textContent = clock(nextAt - now.getTime());
    }
  }

  function tick() {
    const now = Date.now();
    if (!paused && !due && !running) {
      if (!atWork(new Date(now))) {
        nextAt = now + intervalMs(); // the timer only runs during work hours
      } else if (now >= nextAt) {
        fire();
      }
    }
    render();
    if (running) runTick();
  }

  // -- the reminder ------------------------------------------------------------------------

  let audio = null;

  function ensureAudio() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) {
      try {
        audio = new Context();
      } catch (error) {
        audio = null;
      }
    }
    if (audio && audio.state === "suspended") audio.resume().catch(() => {});
  }

  function beep() {
    journal.beeps += 1;
    if (!audio) return;
    try {
      const start = audio.currentTime;
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.type = "sine";
      tone.frequency.setValueAtTime(660, start);
      tone.frequency.setValueAtTime(880, start + 0.18);
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.2, start + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.4);
      tone.connect(gain).connect(audio.destination);
      tone.start(start);
      tone.stop(start + 0.45);
    } catch (error) {
      /* no sound: the page and the notification still say it */
    }
  }

  function notify() {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    try {
      const note = new Notification("Time for a desk break", {
        body: `${data.start.minutes} minutes of gentle moves for your back.`,
        tag: "midback-break",
        icon: "/static/icon.svg",
      });
      note.onclick = () => {
        window.focus();
        note.close();
      };
      journal.notified += 1;
    } catch (error) {
      /* some browsers allow notifications only from a service worker: the page still shows it */
    }
  }

  function fire() {
    due = true;
    journal.fired += 1;
    $("break-due").hidden = false;
    document.title = "Break due · midback";
    beep();
    notify();
  }

  function clearDue() {
    due = false;
    $("break-due").hidden = true;
    document.title = "Desk breaks · midback";
  }

  function postpone(minutes) {
    clearDue();
    nextAt = Date.now() + minutes * 60 * 1000;
    message(`Postponed: the next reminder is at ${hhmm(new Date(nextAt))}.`);
    render();
  }

  function skip() {
    clearDue();
    nextAt = Date.now() + intervalMs();
    message(`Skipped. The next reminder is at ${hhmm(new Date(nextAt))}.`);
    render();
  }

  function message(text) {
    $("break-message").textContent = text;
  }

  // -- the break itself: a short session through the session API -------------------------

  let session = null; // {id, blocks, position, endsAt}
  let stepDone = null;

  async function api(path, body) {
    const response = await window.fetch(`${data.api}${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
    let payload = null;
    try {
      payload = await response.json();
    } catch (error) {
      payload = null;
    }
    return { ok: response.ok, status: response.status, data: payload };
  }

  function refusal(result) {
    const detail = result.data && (result.data.detail || result.data.message || result.data.error);
    if (result.status === 403) {
      return "Your safety screen does not allow exercise on your own now: no break was started. Open the safety screen or the plan page to see why.";
    }
    return `The break could not start (${result.status}${detail ? `: ${typeof detail === "string" ? detail : JSON.stringify(detail)}` : ""}).`;
  }

  function key(prefix) {
    const random = Math.random().toString(36).slice(2, 10);
    return `${prefix}-${Date.now()}-${random}`;
  }

  async function takeBreak() {
    if (running) return;
    clearDue();
    running = true;
    $("breaks-now").disabled = true;
    $("break-run").hidden = false;
    $("break-exercise").textContent = "Starting…";
    $("break-detail").textContent = "";
    message("");
    render();
    const body = Object.assign({}, data.start, {
      seed: journal.fired + journal.logged.length,
      idempotency_key: key("break"),
    });
    let started;
    try {
      started = await api("/sessions", body);
    } catch (error) {
      started = { ok: false, status: 0, data: null };
    }
    if (!started.ok) {
      endRun(
        started.status === 0
          ? "midback could not be reached, so no break was started or recorded. Stand up and stretch anyway."
          : refusal(started),
      );
      return;
    }
    session = { id: started.data.session.id, blocks: started.data.plan.blocks, position: -1 };
    session.startedAt = Date.now();
    nextStep();
  }

  function nextStep() {
    session.position += 1;
    const block = session.blocks[session.position];
    if (!block) {
      finish("completed");
      return;
    }
    $("break-step").textContent = `Exercise ${session.position + 1} of ${session.blocks.length}`;
    $("break-exercise").textContent = block.name;
    $("break-detail").textContent = [block.describe, (block.cues || [])[0]].filter(Boolean).join(". ");
    $("break-next").textContent = session.position + 1 < session.blocks.length ? "Next" : "Done";
    session.endsAt = Date.now() + block.seconds * 1000;
    stepDone = false;
    runTick();
  }

  function runTick() {
    if (!session || stepDone) return;
    const left = session.endsAt - Date.now();
    $("break-left").textContent = clock(left);
    if (left <= 0) completeStep("completed");
  }

  async function completeStep(status) {
    if (!session || stepDone) return;
    stepDone = true;
    const position = session.position;
    const result = await api(`/sessions/${session.id}/logs`, {
      position,
      status,
      idempotency_key: `brk-${session.id}-${position}-${status === "completed" ? "c" : "p"}`,
    }).catch(() => ({ ok: false, status: 0 }));
    if (!result.ok) {
      endRun("This exercise could not be recorded; the break stops here.");
      return;
    }
    if (status === "completed") nextStep();
    else finish("quit");
  }

  async function finish(status) {
    const id = session.id;
    const count = session.blocks.length;
    const took = Date.now() - session.startedAt;
    const note = status === "completed" ? data.note : `${data.note}: stopped, it hurt`;
    const result = await api(`/sessions/${id}/finish`, { status, note }).catch(() => ({ ok: false }));
    if (!result.ok) {
      endRun("The break could not be saved.");
      return;
    }
    journal.logged.push(id);
    const list = $("breaks-log");
    if (journal.logged.length === 1) list.textContent = "";
    const item = document.createElement("li");
    const at = hhmm(new Date(Date.now()));
    item.textContent =
      status === "completed"
        ? `${at}: ${count} exercises, ${clock(took)}, saved`
        : `${at}: stopped because it hurt, saved`;
    list.appendChild(item);
    nextAt = Date.now() + intervalMs();
    endRun(
      status === "completed"
        ? `Break saved. The next reminder is at ${hhmm(new Date(nextAt))}.`
        : "Stopped and saved. If the pain stays or spreads, read “When to see a doctor” in the guide.",
    );
  }

  function endRun(text) {
    running = false;
    session = null;
    stepDone = null;
    $("break-run").hidden = true;
    $("breaks-now").disabled = false;
    message(text);
    render();
  }

  // -- idle detection (where the browser offers it) ------------------------------------------

  function setUpIdle() {
    const text = $("breaks-idle");
    if (!("IdleDetector" in window)) {
      text.textContent =
        "This browser cannot tell when you are away from the computer, so time away still counts: pause the reminders when you leave.";
      return;
    }
    text.textContent =
      "This browser can tell when you are away. With your permission, time away from the computer resets the timer, as a break would.";
    const button = $("breaks-idle-on");
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        const answer = await window.IdleDetector.requestPermission();
        if (answer !== "granted") {
          text.textContent = "Idle detection was not allowed: pause the reminders when you leave.";
          return;
        }
        const detector = new window.IdleDetector();
        let awaySince = null;
        detector.addEventListener("change", () => {
          const away = detector.userState === "idle" || detector.screenState === "locked";
          if (away && awaySince === null) awaySince = Date.now();
          if (!away && awaySince !== null) {
            if (Date.now() - awaySince >= AWAY_RESETS_AFTER_MS && !running) {
              clearDue();
              nextAt = Date.now() + intervalMs();
              message("Welcome back: time away counts as a break, so the timer starts again.");
            }
            awaySince = null;
          }
        });
        await detector.start({ threshold: 60000 });
        button.hidden = true;
        text.textContent = "Time away from the computer now resets the timer.";
      } catch (error) {
        text.textContent = "Idle detection could not start: pause the reminders when you leave.";
      }
    });
  }

  // -- wiring ----------------------------------------------------------------------------

  function notifyState() {
    const state = $("breaks-notify-state");
    const button = $("breaks-notify");
    if (!("Notification" in window)) {
      button.hidden = true;
      state.textContent = "This browser does not show notifications: the sound and this page remind you.";
    } else if (Notification.permission === "granted") {
      button.hidden = true;
      state.textContent = "Notifications are on.";
    } else if (Notification.permission === "denied") {
      button.hidden = true;
      state.textContent = "Notifications are blocked for this site (change it in the browser's site settings).";
    } else {
      state.textContent = "";
    }
  }

  function fillSettings() {
    $("breaks-every").value = settings.every;
    $("breaks-start").value = settings.start;
    $("breaks-end").value = settings.end;
    $("breaks-weekends").checked = Boolean(settings.weekends);
  }

  document.addEventListener("click", ensureAudio, { capture: true });
  document.addEventListener("keydown", ensureAudio, { capture: true });
  $("breaks-pause").addEventListener("click", () => {
    paused = !paused;
    if (!paused) nextAt = Date.now() + intervalMs();
    clearDue();
    render();
  });
  $("breaks-now").addEventListener("click", takeBreak);
  $("break-take").addEventListener("click", takeBreak);
  $("break-postpone-5").addEventListener("click", () => postpone(5));
  $("break-postpone-10").addEventListener("click", () => postpone(10));
  $("break-skip").addEventListener("click", skip);
  $("break-next").addEventListener("click", () => completeStep("completed"));
  $("break-hurts").addEventListener("click", () => completeStep("stopped_for_pain"));
  $("breaks-notify").addEventListener("click", async () => {
    try {
      await Notification.requestPermission();
    } catch (error) {
      /* older browsers: the callback form; the state line says what happened */
    }
    notifyState();
  });
  $("breaks-settings").addEventListener("submit", (event) => {
    event.preventDefault();
    const every = Number($("breaks-every").value);
    const start = $("breaks-start").value;
    const end = $("breaks-end").value;
    const error = $("breaks-settings-error");
    let problem = "";
    if (!Number.isInteger(every) || every < 5 || every > 180) {
      problem = "Every (minutes): enter a whole number from 5 to 180.";
    } else if (minutesOf(start) === null || minutesOf(end) === null) {
      problem = "Work hours: enter a start and an end time, such as 09:00 and 17:30.";
    } else if (minutesOf(end) <= minutesOf(start)) {
      problem = "Work hours: the end must come after the start.";
    }
    error.hidden = !problem;
    error.textContent = problem;
    if (problem) return;
    settings = { every, start, end, weekends: $("breaks-weekends").checked };
    localStorage.setItem(STORE, JSON.stringify(settings));
    nextAt = Date.now() + intervalMs();
    $("breaks-saved").textContent = "Saved.";
    render();
  });

  fillSettings();
  notifyState();
  setUpIdle();
  render();
  window.setInterval(tick, TICK_MS);
})();
