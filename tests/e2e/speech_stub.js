// A stand-in for the browser's speech synthesis, added to every page of the browser tests.
// Headless Chromium has the API but no voices, so the player would stay silent. This one offers
// a single voice, says nothing, and records each text it is asked to speak in window.__spoken.
"use strict";
(() => {
  const events = new EventTarget();
  const voice = {
    name: "Test voice", lang: "en-GB", voiceURI: "test-voice", localService: true, default: true,
  };
  const spoken = [];
  const synth = {
    speaking: false,
    pending: false,
    paused: false,
    onvoiceschanged: null,
    getVoices: () => [voice],
    speak(utterance) {
      spoken.push(String(utterance && utterance.text));
    },
    cancel() {},
    pause() {},
    resume() {},
    addEventListener: (...args) => events.addEventListener(...args),
    removeEventListener: (...args) => events.removeEventListener(...args),
    dispatchEvent: (event) => events.dispatchEvent(event),
  };
  Object.defineProperty(window, "__spoken", { value: spoken, configurable: true });
  Object.defineProperty(window, "speechSynthesis", { value: synth, configurable: true });
  if (typeof window.SpeechSynthesisUtterance !== "function") {
    window.SpeechSynthesisUtterance = class {
      constructor(text = "") {
        this.text = text;
        this.lang = "";
        this.volume = 1;
      }
    };
  }
})();
