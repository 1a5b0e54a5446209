// Child Alert service worker: shows alerts pushed by the platform.
// - tag = alert id: an update or a duplicate replaces the notification, never stacks;
// - a stop message replaces it with "found — thank you" (or "ended") and closes the alert;
// - actions: call 116 000, "I have information"; a click opens the alert page;
// - never an older version over a newer one, and no content after the stop: a delayed
//   retry of version 1 must not replace version 2 (the newest seen is kept per alert,
//   even after the notification was dismissed).
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let p;
  try {
    p = event.data.json();
  } catch {
    return;
  }
  if (!p || p.v !== 1 || !p.tag) return;
  event.waitUntil(show(p));
});

const SEEN = "child-alert-seen";
const seenKey = (tag) => `/__seen/${encodeURIComponent(tag)}`;

/** The newest message seen for this alert: { type, version }, or null. */
async function seen(tag) {
  const res = await (await caches.open(SEEN)).match(seenKey(tag));
  return res ? res.json() : null;
}

async function remember(p) {
  await (await caches.open(SEEN)).put(seenKey(p.tag), new Response(JSON.stringify({ type: p.type, version: p.version ?? 0 })));
}

async function show(p) {
  const last = await seen(p.tag);
  if (last && p.type !== "stop" && (last.type === "stop" || last.version > (p.version ?? 0))) return;
  await remember(p);
  if (p.type === "stop") {
    // Same tag: the thank-you replaces (closes) the alert's notification in one step.
    await self.registration.showNotification(p.title, {
      body: p.body,
      tag: p.tag,
      renotify: false,
      requireInteraction: false,
      data: { url: p.url, type: "stop" },
    });
    return;
  }
  await self.registration.showNotification(p.title, {
    body: p.body,
    tag: p.tag,
    renotify: true,
    requireInteraction: true,
    ...(p.image ? { image: p.image } : {}),
    data: { url: p.url, call: p.call, type: p.type, exercise: p.exercise, version: p.version },
    actions: (p.actions || []).map((a) => ({ action: a.action, title: a.title })),
  });
}

self.addEventListener("notificationclick", (event) => {
  const n = event.notification;
  const data = n.data || {};
  n.close();
  let url = data.url || "/";
  if (event.action === "call" && data.call) url = data.call;
  else if (event.action === "tip") url = `${data.url}#tip`;
  event.waitUntil(self.clients.openWindow(url));
});
