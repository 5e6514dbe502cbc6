// midback: helpers for every page but the player (which runs its own outbox and has no figure
// slot, Start link or sign-out form): base.html loads it after app.js. No inline scripts (the
// CSP forbids them).
"use strict";
(function () {
  // Exercise figures: swap the text slot for the drawing once the server has one; a missing
  // figure (404) leaves the slot and its caption as they are.
  document.querySelectorAll(".figure-slot[data-figure]").forEach(function (slot) {
    var img = new Image();
    img.addEventListener("load", function () {
      img.alt = slot.getAttribute("aria-label") || "";
      img.className = "figure-img";
      slot.replaceWith(img);
    });
    img.src = slot.getAttribute("data-figure");
  });
  // A Start link carries the seal of the plan the page showed (data-plan-token): it is kept
  // for the player of that address (sessionStorage, this tab), which starts exactly that plan.
  document.querySelectorAll("a[data-plan-token]").forEach(function (link) {
    link.addEventListener("click", function () {
      try {
        var query = new URL(link.href, window.location.href).search.replace(/^\?/, "");
        window.sessionStorage.setItem("midback.plan." + query, link.getAttribute("data-plan-token"));
      } catch (_error) {
        // No storage (private mode): the player plans the same options again.
      }
    });
  });
  // The outbox (static/outbox.js): finished exercises and sessions not yet saved by the
  // server. Every page sends it, on load and when the network comes back, not only the player
  // (which runs its own); a page marked data-outbox-refresh (history) reloads once something
  // was sent, so it shows the session as the server now has it.
  var OUTBOX_KEY = "midback.outbox.v1";
  var outboxReady = null;
  var sentHere = 0;
  function queued() {
    try {
      var list = JSON.parse(window.localStorage.getItem(OUTBOX_KEY) || "[]");
      return Array.isArray(list) ? list : [];
    } catch (_error) {
      return [];
    }
  }
  function loadOutbox() {
    if (outboxReady === null) {
      outboxReady = import("/static/outbox.js").then(function (module) {
        return module.createOutbox({
          store: module.createListStore(module.localStore(), module.OUTBOX_KEY),
          fetchImpl: function (url, init) { return window.fetch(url, init); },
          onChange: function (what) {
            if (what === "sent") sentHere += 1;
          },
        });
      });
    }
    return outboxReady;
  }
  /** Send what is queued; resolves to how many items are left. */
  function sendQueued() {
    if (queued().length === 0) return Promise.resolve(0);
    var before = sentHere;
    return loadOutbox().then(function (outbox) {
      return outbox.flush();
    }).then(function (left) {
      if (sentHere > before && document.querySelector("[data-outbox-refresh]")) {
        window.location.reload();
      }
      return left;
    }, function () {
      return queued().length;
    });
  }
  window.midbackOutbox = {
    send: sendQueued,
    state: function () { return { queued: queued().length, sent: sentHere }; },
  };
  sendQueued();
  window.addEventListener("online", sendQueued);

  // Signing out and deleting the account clear this browser's storage (the server answers
  // Clear-Site-Data), which holds the outbox. Send it first; if some cannot be sent, say so
  // and let the person choose.
  document.querySelectorAll("form[data-clears-storage]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.checked === "yes" || queued().length === 0) return;
      event.preventDefault();
      sendQueued().then(function (left) {
        var go = left === 0 || window.confirm(
          left + (left === 1 ? " finished exercise has" : " finished exercises have") +
          " not reached the server yet and will be lost from this browser. Continue anyway?");
        if (go) {
          form.dataset.checked = "yes";
          form.submit();
        }
      });
    });
  });

  // The service worker (registered by app.js) sends what is queued on a Background Sync.
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.ready.then(function (registration) {
      // Background Sync, where the browser has it: the worker sends the queue (mirrored in
      // Cache Storage by outbox.js) when the network is back, even with no midback page open.
      if (queued().length > 0 && registration.sync) {
        return registration.sync.register("midback-outbox");
      }
      return null;
    }).catch(function () { /* offline support is optional */ });
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "midback-outbox-sent") sendQueued();
    });
  }
})();
