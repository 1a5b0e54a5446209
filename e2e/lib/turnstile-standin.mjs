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
// Beyond the documented test keys, one pair that behaves like a real widget's: its token
// carries the page's hostname and the widget's data-action, which Siteverify returns, as
// Cloudflare does for real keys (so a server can be held to checking both).
export const REAL_SITE_KEY = "0x4AAAAAAAStandInSiteKey";
export const REAL_SECRET = "0x4AAAAAAAStandInSecretKey000000000";
/** The token the real-like widget yields on `hostname` for `action`. */
export const realToken = (hostname, action) => `standin.${Buffer.from(JSON.stringify({ hostname, action })).toString("base64url")}`;

const WIDGET = `(() => {
  for (const el of document.querySelectorAll(".cf-turnstile")) {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = "cf-turnstile-response";
    const key = el.dataset.sitekey || "";
    const b64 = btoa(JSON.stringify({ hostname: location.hostname, action: el.dataset.action || "" }));
    const real = "standin." + b64.split("+").join("-").split("/").join("_").split("=").join("");
    input.value = key.startsWith("1x") ? ${JSON.stringify(DUMMY_TOKEN)} : key === ${JSON.stringify(REAL_SITE_KEY)} ? real : "";
    el.textContent = "";
    el.setAttribute("data-standin", "turnstile");
    el.appendChild(input);
  }
})();`;

export class TurnstileStandIn {
  constructor() {
    this.verifications = 0;
    /** Siteverify answers this status (an outage), or null. */
    this.down = null;
  }

  async handle(request) {
    const url = new URL(request.url);
    if (url.pathname === "/turnstile/v0/api.js") return new Response(WIDGET, { headers: { "Content-Type": "text/javascript", "Cross-Origin-Resource-Policy": "cross-origin" } });
    if (url.pathname === "/__behaviour") {
      this.down = (await request.json()).down ?? null;
      return new Response(null, { status: 204 });
    }
    if (url.pathname !== "/turnstile/v0/siteverify" || request.method !== "POST") return new Response("not found", { status: 404 });
    if (this.down) return new Response("Service Unavailable", { status: this.down });
    this.verifications++;
    const type = request.headers.get("Content-Type") ?? "";
    const p = type.includes("application/json") ? await request.json() : Object.fromEntries(await request.formData());
    const fail = (codes) => Response.json({ success: false, "error-codes": codes, messages: [] });
    if (!p.secret) return fail(["missing-input-secret"]);
    if (!p.response) return fail(["missing-input-response"]);
    if (p.secret === FAIL_SECRET) return fail(["invalid-input-response"]);
    if (p.secret === SPENT_SECRET) return fail(["timeout-or-duplicate"]);
    if (p.secret === REAL_SECRET) {
      if (!String(p.response).startsWith("standin.")) return fail(["invalid-input-response"]);
      let claims;
      try {
        claims = JSON.parse(Buffer.from(String(p.response).slice(8), "base64url").toString());
      } catch {
        return fail(["invalid-input-response"]);
      }
      return Response.json({ success: true, "error-codes": [], challenge_ts: new Date().toISOString(), hostname: claims.hostname, action: claims.action, cdata: "", metadata: { interactive: false } });
    }
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
