/* Inscrire's service worker, served at /sw.js by inscrire/pwa.py.
 *
 * It keeps the static shell and the offline page, and nothing else: pages
 * of the portal (they may name a child) and documents are always asked of
 * the network and never stored, so a shared phone keeps none of them; only
 * when the network is gone does a navigation get the offline page. A new
 * deployment changes CONFIG.version, so this file, so browsers install the
 * new worker, which deletes the previous cache.
 *
 * It also shows the portal's push notifications (notifications/push.py):
 * the payload, decrypted by the browser, is {title, body, url, tag}.
 */
"use strict";

const CONFIG = {{ config|tojson }};
const MATCH = { ignoreVary: true, ignoreSearch: false };

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CONFIG.cache)
      // Without cookies: the offline page is the one anybody gets, with no name in it.
      .then((cache) => cache.addAll(CONFIG.shell.map((url) => new Request(url, { credentials: "omit", cache: "reload" }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names.filter((name) => name.startsWith(CONFIG.prefix) && name !== CONFIG.cache).map((name) => caches.delete(name))
        )
      )
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    if (CONFIG.bypass.some((prefix) => url.pathname.startsWith(prefix))) return;
    // Always the network; the offline page only when there is none.
    event.respondWith(
      fetch(request).catch(() =>
        caches.open(CONFIG.cache).then((cache) => cache.match(CONFIG.offline, MATCH)).then((page) => page || Response.error())
      )
    );
    return;
  }
  if (url.search === "" && CONFIG.shell.includes(url.pathname)) {
    event.respondWith(
      caches.open(CONFIG.cache).then((cache) => cache.match(url.pathname, MATCH)).then((hit) => hit || fetch(request))
    );
  }
});

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = { body: event.data ? event.data.text() : "" };
  }
  event.waitUntil(
    self.registration.showNotification(data.title || CONFIG.name, {
      body: data.body || "",
      icon: CONFIG.icon,
      badge: CONFIG.badge,
      tag: data.tag || undefined,
      lang: "fr",
      data: { url: data.url || "/" },
    })
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  let target = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin);
  if (target.origin !== self.location.origin) target = new URL("/", self.location.origin);
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((client) => client.url === target.href && "focus" in client);
      return open ? open.focus() : self.clients.openWindow(target.href);
    })
  );
});
