/* The portal as an installable app (inscrire/pwa.py), on every public page:
 * registers the service worker, and runs the « Installer l'application »
 * help blocks (cms/blocks.py): the browser's install prompt on Android and
 * Chromium, the « Partager → Sur l'écran d'accueil » steps on iOS.
 * Without JavaScript the block shows the instructions for every phone. */
(function () {
  "use strict";

  var script = document.currentScript;
  if ("serviceWorker" in navigator && script && script.dataset.serviceWorker) {
    navigator.serviceWorker.register(script.dataset.serviceWorker, { scope: "/" }).catch(function () {
      /* No worker (private browsing, an old browser): the site works as before. */
    });
  }

  function ready(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }

  ready(function () {
    var blocks = Array.prototype.slice.call(document.querySelectorAll("[data-install-app]"));
    if (!blocks.length) return;
    var deferredPrompt = null;
    var standalone = window.matchMedia("(display-mode: standalone)").matches || window.navigator.standalone === true;
    var ios = /iPhone|iPad|iPod/.test(navigator.userAgent) ||
      (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);

    function show(state) {
      blocks.forEach(function (block) {
        block.setAttribute("data-install-shown", state);
        Array.prototype.forEach.call(block.querySelectorAll("[data-install-state]"), function (part) {
          part.hidden = part.getAttribute("data-install-state") !== state;
        });
      });
    }

    show(standalone ? "installed" : ios ? "ios" : "other");

    // Chromium offers installation: keep its prompt for the block's button.
    window.addEventListener("beforeinstallprompt", function (event) {
      event.preventDefault();
      deferredPrompt = event;
      show("prompt");
    });
    window.addEventListener("appinstalled", function () {
      deferredPrompt = null;
      show("installed");
    });

    blocks.forEach(function (block) {
      Array.prototype.forEach.call(block.querySelectorAll("[data-install-button]"), function (button) {
        button.addEventListener("click", function () {
          if (!deferredPrompt) return;
          var prompt = deferredPrompt;
          deferredPrompt = null;
          prompt.prompt();
          prompt.userChoice.then(function (choice) {
            show(choice.outcome === "accepted" ? "installed" : "other");
          });
        });
      });
    });
  });
})();
