// Child Alert service worker: shows alerts pushed by the platform.
// - tag = alert id: an update or a duplicate replaces the notification, never stacks;
// - a stop message replaces it with "found — thank you" (or "ended") and closes the alert;
// - actions: call 116 000, "I have information"; a click opens the alert page;
// - the text shows at once; the poster follows in place once it has loaded;
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
  event.waitUntil(p.type === "staff" ? showStaff(p) : show(p));
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
  if (last && p.type !== "stop" && (last.type === "stop" || last.version > (p.version ?? 0))) return log(p, "ignored (a newer version or the end was shown)");
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
    return log(p, "shown");
  }
  const options = {
    body: p.body,
    tag: p.tag,
    requireInteraction: true,
    data: { url: p.url, call: p.call, type: p.type, exercise: p.exercise, version: p.version },
    actions: (p.actions || []).map((a) => ({ action: a.action, title: a.title })),
  };
  // Text first: the browser holds a notification until its image has loaded, and an alert
  // must not wait for a poster on a slow network (or one still being rendered).
  await self.registration.showNotification(p.title, { ...options, renotify: true });
  if (!p.image) return log(p, "shown");
  const image = await imageAsDataUrl(p.image);
  if (!image) return log(p, "shown, without its poster (not loaded)");
  // Then the poster, silently in place, unless something newer came meanwhile or the
  // person already dismissed the alert.
  const now = await seen(p.tag);
  if (!now || now.type !== p.type || now.version !== (p.version ?? 0)) return log(p, "shown; poster dropped (newer message)");
  if (!(await self.registration.getNotifications({ tag: p.tag })).length) return log(p, "shown; poster dropped (dismissed)");
  await self.registration.showNotification(p.title, { ...options, renotify: false, image });
  log(p, "shown with its poster");
}

/** One line per message handled (the alert id, never its content): what the browser's console shows when asked why. */
function log(p, outcome) {
  console.debug(`child-alert push ${p.tag} ${p.type} v${p.version ?? 0}: ${outcome}`);
}

/** A staff device woken by a new tip: where to read it (never the tip itself). */
async function showStaff(p) {
  await self.registration.showNotification(p.title, { body: p.body, tag: p.tag, requireInteraction: true, data: { url: p.url, type: "staff" } });
  log(p, "shown");
}

const IMAGE_TIMEOUT_MS = 20_000;
const IMAGE_MAX_BYTES = 2_000_000;

/** The poster as a data: URL (shown at once, no second download), or null if it cannot be had in time. */
async function imageAsDataUrl(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(IMAGE_TIMEOUT_MS) });
    const type = res.headers.get("Content-Type") || "";
    if (!res.ok || !type.startsWith("image/")) return null;
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.length > IMAGE_MAX_BYTES) return null;
    let bin = "";
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return `data:${type};base64,${btoa(bin)}`;
  } catch {
    return null;
  }
}

self.addEventListener("notificationclick", (event) => {
  const n = event.notification;
  const data = n.data || {};
  n.close();
  let url = data.url || "/";
  if (event.action === "call" && data.call) url = data.call;
  else if (event.action === "tip") url = `${data.url}#tip`;
  else if (data.type === "staff") url = data.url;
  event.waitUntil(self.clients.openWindow(url));
});
