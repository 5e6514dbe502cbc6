// midback's player: what it says and sounds, and keeping the screen awake. Plain ES module.
// The page (player.js) owns the DOM and the session; this module owns speech, beeps and the
// wake lock, each with no state of the page but what it is handed.
"use strict";

/** Speech: cues read aloud where the browser has a voice, the person's on/off kept. */
export function createVoice({ $, spoken, record }) {
  const synth = "speechSynthesis" in window && typeof window.SpeechSynthesisUtterance === "function"
    ? window.speechSynthesis : null;
  const state = {
    supported: synth !== null,
    available: false,
    on: readPreference("midback.voice", "on") !== "off",
  };

  function render() {
    const button = $("btn-voice");
    const speaks = state.supported && state.available;
    // Pressed only when it will really speak: with no voice installed it never looks on.
    button.setAttribute("aria-pressed", String(state.on && speaks));
    button.disabled = !state.supported;
    // The name stays "Voice" (aria-pressed tells on or off); the word after it is for the eye.
    $("btn-voice-state").textContent = speaks ? (state.on ? "on" : "off") : "none";
    const note = $("voice-note");
    if (!state.supported) {
      note.textContent = "This browser cannot speak; follow the screen and the beeps.";
    } else if (!state.available) {
      note.textContent = "No voices are installed for speech, so the cues are silent.";
    } else {
      note.textContent = "";
    }
    note.hidden = note.textContent === "";
  }

  function check() {
    if (!synth) return;
    try {
      state.available = synth.getVoices().length > 0;
    } catch (_error) {
      state.available = false;
    }
    render();
  }

  function speak(text, { interrupt = true } = {}) {
    if (!synth || !state.on || !state.available || !text) return false;
    try {
      if (!interrupt && (synth.speaking || synth.pending)) return false;
      if (synth.speaking || synth.pending) synth.cancel();
      const utterance = new window.SpeechSynthesisUtterance(text);
      utterance.lang = document.documentElement.lang || "en";
      synth.speak(utterance);
      spoken.push(text);
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

  /** Speech only starts from a tap in some browsers: prime it while there is one. */
  function prime() {
    if (!synth || !state.on) return;
    try {
      const primer = new window.SpeechSynthesisUtterance("");
      primer.volume = 0;
      synth.speak(primer);
    } catch (_error) {
      // speech stays silent
    }
  }

  function toggle() {
    state.on = !state.on;
    writePreference("midback.voice", state.on ? "on" : "off");
    if (!state.on) hush();
    render();
    record({ type: "voice", on: state.on });
  }

  /** Follow the browser's list of voices, which some load after the page. */
  function watch() {
    if (synth) {
      if (typeof synth.addEventListener === "function") {
        synth.addEventListener("voiceschanged", check);
      } else {
        synth.onvoiceschanged = check;
      }
    }
    check();
    render();
  }

  return { state, speak, hush, prime, toggle, watch };
}

/** Beeps: the WebAudio tones that mark a block's start and a hold's last seconds. */
export function createSound({ record }) {
  return {
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
}

/** The screen kept awake while a session runs (``wanted`` says when), released otherwise. */
export function createWakeLock({ wanted, record }) {
  let lock = null;
  let request = null;

  async function hold() {
    if (!("wakeLock" in navigator) || lock || request || !wanted()) return;
    if (document.visibilityState !== "visible") return;
    try {
      request = navigator.wakeLock.request("screen");
      const held = await request;
      lock = held;
      held.addEventListener("release", () => {
        if (lock === held) lock = null;
      });
      record({ type: "wake", held: true });
      if (!wanted()) release();
    } catch (_error) {
      lock = null; // denied (battery saver, not visible): the screen may dim
    } finally {
      request = null;
    }
  }

  function release() {
    const held = lock;
    lock = null;
    if (held) {
      held.release().catch(() => {});
      record({ type: "wake", held: false });
    }
  }

  return { hold, release, held: () => lock !== null };
}

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
