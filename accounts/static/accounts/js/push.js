/* « Mon compte » › Notifications sur le téléphone: turns Web Push on and off
 * for this device. The browser subscribes with the portal's public VAPID
 * key (data-public-key), and the subscription (endpoint and keys) is posted
 * to accounts:push_subscribe with the form's CSRF token. Every text shown is
 * in the page already (gettext, French); this only shows the right one. */
(function () {
  "use strict";

  var section = document.querySelector("[data-push]");
  if (!section) return;
  var onForm = section.querySelector('[data-push-form="on"]');
  var offForm = section.querySelector('[data-push-form="off"]');
  var failure = section.querySelector("[data-push-error]");

  function show(state) {
    Array.prototype.forEach.call(section.querySelectorAll("[data-push-state]"), function (part) {
      part.hidden = part.getAttribute("data-push-state") !== state;
    });
  }

  function fail(message) {
    if (message) failure.textContent = message;
    failure.hidden = false;
  }

  function keyBytes(base64url) {
    var base64 = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function sameKey(buffer, bytes) {
    if (!buffer) return false;
    var view = new Uint8Array(buffer);
    if (view.length !== bytes.length) return false;
    for (var i = 0; i < view.length; i += 1) if (view[i] !== bytes[i]) return false;
    return true;
  }

  function post(form, fields) {
    var data = new FormData(form);
    Object.keys(fields).forEach(function (name) {
      data.append(name, fields[name]);
    });
    return fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
  }

  if (!("serviceWorker" in navigator && "PushManager" in window && "Notification" in window)) {
    show("unsupported");
    return;
  }
  if (Notification.permission === "denied") {
    show("denied");
    return;
  }

  var applicationServerKey = keyBytes(section.getAttribute("data-public-key"));
  var devices = section.querySelectorAll("[data-endpoint]");

  function registration() {
    return navigator.serviceWorker.ready;
  }

  registration()
    .then(function (reg) {
      return reg.pushManager.getSubscription();
    })
    .then(function (subscription) {
      var mine = subscription && Array.prototype.filter.call(devices, function (item) {
        return item.getAttribute("data-endpoint") === subscription.endpoint;
      })[0];
      if (mine) {
        mine.querySelector("[data-this-device]").hidden = false;
        show("on");
      } else {
        show("off");
      }
    })
    .catch(function () {
      show("off");
    });

  onForm.addEventListener("submit", function (event) {
    event.preventDefault();
    failure.hidden = true;
    Notification.requestPermission()
      .then(function (permission) {
        if (permission !== "granted") {
          show(permission === "denied" ? "denied" : "off");
          return null;
        }
        return registration().then(function (reg) {
          return reg.pushManager.getSubscription().then(function (existing) {
            // A subscription made with another key (the portal changed its keys) cannot serve.
            if (existing && sameKey(existing.options.applicationServerKey, applicationServerKey)) return existing;
            return (existing ? existing.unsubscribe() : Promise.resolve()).then(function () {
              return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: applicationServerKey });
            });
          });
        });
      })
      .then(function (subscription) {
        if (!subscription) return;
        var json = subscription.toJSON();
        return post(onForm, { endpoint: json.endpoint, p256dh: json.keys.p256dh, auth: json.keys.auth }).then(
          function (response) {
            if (response.ok) {
              window.location.reload();
              return;
            }
            return response.json().then(function (answer) {
              fail(answer && answer.error);
            });
          }
        );
      })
      .catch(function () {
        fail();
      });
  });

  offForm.addEventListener("submit", function (event) {
    event.preventDefault();
    registration()
      .then(function (reg) {
        return reg.pushManager.getSubscription();
      })
      .then(function (subscription) {
        if (!subscription) return null;
        return post(offForm, { endpoint: subscription.endpoint }).then(function () {
          return subscription.unsubscribe();
        });
      })
      .then(function () {
        window.location.reload();
      })
      .catch(function () {
        window.location.reload();
      });
  });
})();
