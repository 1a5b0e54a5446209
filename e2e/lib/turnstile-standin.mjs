// A local stand-in for Cloudflare Turnstile (its servers cannot run here), following the
// documented testing behaviour (developers.cloudflare.com/turnstile/troubleshooting/testing):
//   site keys   1x00000000000000000000AA always passes · 2x00000000000000000000AB always blocks
//   secrets     1x0000000000000000000000000000000AA passes · 2x…AA fails · 3x…AA "token already spent"
//   the dummy token XXXX.DUMMY.TOKEN.XXXX is what the widget yields with a test site key.
//   GET  /turnstile/v0/api.js       the widget: fills the hidden cf-turnstile-response input of each .cf-turnstile
//   POST /turnstile/v0/siteverify   form or JSON {secret, response, remoteip} → {success, error-codes, hostname}
// Used by vitest (https://turnstile.test), `npm start` and the browser tests.
export const PASS_SITE_KEY = "1x00000000000000000000AA";
export const BLOCK_SITE_KEY = "2x00000000000000000000AB";
export const PASS_SECRET = "1x0000000000000000000000000000000AA";
export const FAIL_SECRET = "2x0000000000000000000000000000000AA";
export const SPENT_SECRET = "3x0000000000000000000000000000000AA";
export const DUMMY_TOKEN = "XXXX.DUMMY.TOKEN.XXXX";

const WIDGET = `(() => {
  for (const el of document.querySelectorAll(".cf-turnstile")) {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = "cf-turnstile-response";
    input.value = (el.dataset.sitekey || "").startsWith("1x") ? ${JSON.stringify(DUMMY_TOKEN)} : "";
    el.textContent = "";
    el.setAttribute("data-standin", "turnstile");
    el.appendChild(input);
  }
})();`;

export class TurnstileStandIn {
  constructor() {
    this.verifications = 0;
  }

  async handle(request) {
    const url = new URL(request.url);
    if (url.pathname === "/turnstile/v0/api.js") return new Response(WIDGET, { headers: { "Content-Type": "text/javascript", "Cross-Origin-Resource-Policy": "cross-origin" } });
    if (url.pathname !== "/turnstile/v0/siteverify" || request.method !== "POST") return new Response("not found", { status: 404 });
    this.verifications++;
    const type = request.headers.get("Content-Type") ?? "";
    const p = type.includes("application/json") ? await request.json() : Object.fromEntries(await request.formData());
    const fail = (codes) => Response.json({ success: false, "error-codes": codes, messages: [] });
    if (!p.secret) return fail(["missing-input-secret"]);
    if (!p.response) return fail(["missing-input-response"]);
    if (p.secret === FAIL_SECRET) return fail(["invalid-input-response"]);
    if (p.secret === SPENT_SECRET) return fail(["timeout-or-duplicate"]);
    if (p.secret !== PASS_SECRET) return fail(["invalid-input-secret"]);
    // Test secrets accept only the dummy token (a real token is refused by test secrets, and vice versa).
    if (p.response !== DUMMY_TOKEN) return fail(["invalid-input-response"]);
    return Response.json({ success: true, "error-codes": [], challenge_ts: new Date().toISOString(), hostname: "localhost", action: "", cdata: "", metadata: { interactive: false } });
  }
}

export async function startTurnstileStandIn(opts = {}) {
  const { serveStandIn } = await import("./serve-handler.mjs");
  return serveStandIn(new TurnstileStandIn(), opts);
}
