// midback: small helpers for every page. No inline scripts (the CSP forbids them).
"use strict";
(function () {
  // Mark the current page in the main navigation.
  var here = window.location.pathname;
  document.querySelectorAll(".site-header nav a").forEach(function (link) {
    var target = link.getAttribute("href");
    if (target === here || (target !== "/" && here.indexOf(target + "/") === 0)) {
      link.setAttribute("aria-current", "page");
    }
  });
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
  // Signing out and deleting the account clear this browser's storage (the server answers
  // Clear-Site-Data), which holds the player's outbox of exercises not yet saved. Send them
  // first; if some cannot be sent, say so and let the person choose.
  var OUTBOX_KEY = "midback.outbox.v1";
  function queued() {
    try {
      var list = JSON.parse(window.localStorage.getItem(OUTBOX_KEY) || "[]");
      return Array.isArray(list) ? list : [];
    } catch (_error) {
      return [];
    }
  }
  function sendQueued() {
    var list = queued();
    var left = list.slice();
    return list.reduce(function (previous, item) {
      return previous.then(function () {
        return fetch(item.url, {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: JSON.stringify(item.body),
          credentials: "same-origin",
          cache: "no-store",
        }).then(function (response) {
          if (response.ok || response.status === 409) {
            left = left.filter(function (other) { return other.key !== item.key; });
          }
        }).catch(function () { /* stays queued */ });
      });
    }, Promise.resolve()).then(function () {
      try { window.localStorage.setItem(OUTBOX_KEY, JSON.stringify(left)); } catch (_error) { /* */ }
      return left.length;
    });
  }
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

  // Offline support: the service worker caches the app shell, the catalogue and the figures.
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/sw.js").catch(function () { /* offline support is optional */ });
  }
})();
