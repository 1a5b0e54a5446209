// The public "Is this alert genuine?" page's script (issue 28), built by Vite as /verify.js
// and loaded by the Worker's server-rendered page (worker/routes/verify.ts): a pasted link
// or text, or a poster's QR code read from a photo, a screenshot or the camera (jsQR, in
// the browser: the image never leaves the device), checked with POST /api/v1/verify.
import jsQR from "jsqr";

type Words = { live: string; outdated: string; ended: string; notOurs: string; official: string; noQr: string; busy: string };
type Answer = { verdict: "genuine_live" | "genuine_ended" | "genuine_outdated" | "not_ours"; official: { url: string } | null };

const result = document.getElementById("verify-result")!;
const words = JSON.parse(result.dataset.words!) as Words;
const text = document.getElementById("verify-text") as HTMLTextAreaElement;

function show(message: string, kind: string, link?: string) {
  result.className = `verdict ${kind}`;
  result.dataset.verdict = kind;
  result.replaceChildren();
  const p = document.createElement("p");
  p.textContent = message;
  result.append(p);
  if (link) {
    const a = document.createElement("a");
    a.href = link;
    a.textContent = words.official;
    result.append(a);
  }
}

async function check(value: string) {
  show(words.busy, "busy");
  const res = await fetch("/api/v1/verify", { method: "POST", headers: { "Content-Type": "application/json", "X-Requested-With": "child-alert" }, body: JSON.stringify({ text: value }) });
  if (!res.ok) return show((await res.json().catch(() => ({})))?.title ?? String(res.status), "error");
  const a = (await res.json()) as Answer;
  const say = { genuine_live: words.live, genuine_outdated: words.outdated, genuine_ended: words.ended, not_ours: words.notOurs }[a.verdict];
  show(say, a.verdict, a.official?.url);
}

/** The QR code in an image's pixels, if any. */
function readQr(source: CanvasImageSource, width: number, height: number): string | null {
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
  ctx.drawImage(source, 0, 0, width, height);
  return jsQR(ctx.getImageData(0, 0, width, height).data, width, height)?.data ?? null;
}

document.getElementById("verify-form")!.addEventListener("submit", (e) => {
  e.preventDefault();
  if (text.value.trim()) void check(text.value.trim());
});

(document.getElementById("verify-image") as HTMLInputElement).addEventListener("change", async (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (!file) return;
  const bitmap = await createImageBitmap(file);
  const found = readQr(bitmap, bitmap.width, bitmap.height);
  if (!found) return show(words.noQr, "no-qr");
  text.value = found;
  await check(found);
});

document.getElementById("verify-camera")!.addEventListener("click", async () => {
  const video = document.getElementById("verify-video") as HTMLVideoElement;
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
  video.srcObject = stream;
  video.hidden = false;
  await video.play();
  const scan = () => {
    const found = video.videoWidth ? readQr(video, video.videoWidth, video.videoHeight) : null;
    if (!found) return void requestAnimationFrame(scan);
    for (const t of stream.getTracks()) t.stop();
    video.hidden = true;
    text.value = found;
    void check(found);
  };
  requestAnimationFrame(scan);
});

// Arrived from a poster's QR code: check at once.
if (result.dataset.auto && text.value) void check(text.value);
