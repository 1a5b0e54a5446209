// Bench Worker: builds N push requests (encrypt + VAPID) with our WebCrypto encoder or
// with web-push's generateRequestDetails, inside workerd. Nothing is sent.
import webpush from "web-push";
import { pushRequestDetails, VapidSigner } from "../worker/channels/push/webpush.ts";

interface Body {
  n: number;
  subscription: { endpoint: string; keys: { p256dh: string; auth: string } };
  vapid: { publicKey: string; privateKey: string; subject: string };
  payload: string;
}

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/noop") return new Response("ok");
    const b = (await request.json()) as Body;
    const payload = new TextEncoder().encode(b.payload);
    let bytes = 0;
    if (url.pathname === "/ours") {
      const signer = new VapidSigner(b.vapid);
      for (let i = 0; i < b.n; i++) {
        const d = await pushRequestDetails(b.subscription.endpoint, b.subscription.keys, payload, signer, { ttl: 3600, topic: "bench" });
        bytes += d.body.length;
      }
    } else if (url.pathname === "/peer") {
      for (let i = 0; i < b.n; i++) {
        const details = webpush.generateRequestDetails(b.subscription, b.payload, { vapidDetails: b.vapid, TTL: 3600 });
        bytes += (details.body as Buffer).length;
      }
    } else return new Response("not found", { status: 404 });
    return Response.json({ n: b.n, bytes });
  },
};
