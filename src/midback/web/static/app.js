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
  // Offline support: the service worker caches the app shell, the catalogue and the figures.
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/sw.js").catch(function () { /* offline support is optional */ });
  }
})();
