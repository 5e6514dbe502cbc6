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
  // Offline support: the service worker caches the app shell, the catalogue and the figures.
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/sw.js").catch(function () { /* offline support is optional */ });
  }
})();
