// midback: what every page needs, the player's too. No inline scripts (the CSP forbids them).
// The other pages load pages.js as well; the current page is marked in the menu by base.html.
"use strict";
// Offline support: the service worker caches the app shell, the catalogue and the figures.
if ("serviceWorker" in navigator && window.isSecureContext) {
  navigator.serviceWorker.register("/sw.js").catch(function () { /* offline support is optional */ });
}
