// Issue 23, item 7: the tip form's anti-abuse check holds a token to our site and our form,
// and an outage of the check never loses a witness (the tip is kept, marked unverified).
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { api, as, expectOk, liveAlert, makeTeam, type Team } from "../test/helpers.ts";
import { verifyTurnstile } from "./turnstile.ts";

let t: Team;
beforeAll(async () => {
  t = await makeTeam();
});

// The stand-in's real-like key pair (e2e/lib/turnstile-standin.mjs): its token carries the
// hostname the widget ran on and the widget's action, which Siteverify returns.
const REAL_SECRET = "0x4AAAAAAAStandInSecretKey000000000";
const token = (hostname: string, action: string) => `standin.${btoa(JSON.stringify({ hostname, action })).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
const TURNSTILE = "https://turnstile.test";
const down = (status: number | null) => fetch(`${TURNSTILE}/__behaviour`, { method: "POST", body: JSON.stringify({ down: status }) });

describe("a token is held to our site and our form", () => {
  const real = { ...env, TURNSTILE_SECRET: REAL_SECRET };
  const ours = new URL(env.APP_ORIGIN).hostname;

  it("a token solved on another site that uses our site key is refused", async () => {
    expect(await verifyTurnstile(real, token("evil.example", "tip"), null)).toEqual({ ok: false, codes: ["hostname-mismatch"] });
  });

  it("a token solved for another form (another action) is refused", async () => {
    expect(await verifyTurnstile(real, token(ours, "login"), null)).toEqual({ ok: false, codes: ["action-mismatch"] });
    expect(await verifyTurnstile(real, token(ours, ""), null)).toEqual({ ok: false, codes: ["action-mismatch"] });
  });

  it("our page's token for the tip form passes", async () => {
    expect(await verifyTurnstile(real, token(ours, "tip"), null)).toEqual({ ok: true, checked: true });
  });
});

describe("a witness is never lost to the check", () => {
  it("Siteverify down: the tip is kept and the investigators see it marked unverified; when up, passed", async () => {
    const id = await liveAlert(t);
    const send = (text: string) =>
      api("POST", `/alerts/${id}/tips/web`, { text, seenWhere: "Namur", anonymous: true, turnstileToken: "XXXX.DUMMY.TOKEN.XXXX" }, { ip: `198.18.${Math.floor(Math.random() * 250)}.1` });
    await down(503);
    try {
      expectOk(await send("A girl in a red coat at the bus stop, unverified"), 201);
    } finally {
      await down(null);
    }
    expectOk(await send("A grey car on the E411, checked"), 201);
    const tips = expectOk(await api("GET", `/alerts/${id}/tips`, undefined, as(t.investigator))).body.tips as { text: string; challenge: string | null }[];
    expect(tips.find((x) => x.text.includes("unverified"))?.challenge).toBe("unverified");
    expect(tips.find((x) => x.text.includes("checked"))?.challenge).toBe("passed");
  });
});
