// The provider's webhook signature, cross-checked against the official `twilio` package
// (its getExpectedTwilioSignature and validateRequest run in Node, in vitest.config.ts,
// at https://twilio.test): the same signature for the same request, and ours refuses
// what Twilio refuses.
import { describe, expect, it } from "vitest";
import { signedPayload, twilioSignature, validTwilioSignature } from "./twiml-signature.ts";

const TOKEN = "12345678901234567890123456789012";
const URL_ = "https://alert.example.org/api/v1/intake/voice?alert=0b6d1f1e-3c1a-4f55-9a39-3a1e9c7d2b10&lang=nl";
const PARAMS = { CallSid: "CA1234567890ABCDE", Caller: "+3225551234", Digits: "2", From: "+3225551234", To: "+3225550000", CallStatus: "ringing", "Zeta&Ünicode": "é=1&x" };

const twilio = async (path: string, body: unknown) => (await (await fetch(`https://twilio.test${path}`, { method: "POST", body: JSON.stringify(body) })).json()) as { signature?: string; valid?: boolean };

describe("X-Twilio-Signature", () => {
  it("signs as the official library does, for many requests", async () => {
    for (let i = 0; i < 20; i++) {
      const params = Object.fromEntries(Object.entries(PARAMS).map(([k, v]) => [k, `${v}${i}`]).slice(0, 1 + (i % 7)));
      const url = `${URL_}&n=${i}`;
      const theirs = (await twilio("/sign", { authToken: TOKEN, url, params })).signature;
      expect(await twilioSignature(TOKEN, url, params)).toBe(theirs);
      expect(await validTwilioSignature(TOKEN, theirs, url, params)).toBe(true);
    }
  });

  it("refuses what Twilio refuses: another parameter value, another URL, another token, no signature", async () => {
    const good = await twilioSignature(TOKEN, URL_, PARAMS);
    const cases: [string, string, Record<string, string>, string | null][] = [
      ["a changed digit", URL_, { ...PARAMS, Digits: "3" }, good],
      ["an added parameter", URL_, { ...PARAMS, Extra: "1" }, good],
      ["another URL", URL_.replace("lang=nl", "lang=fr"), PARAMS, good],
      ["another token's signature", URL_, PARAMS, await twilioSignature("x".repeat(32), URL_, PARAMS)],
      ["no signature", URL_, PARAMS, null],
    ];
    for (const [what, url, params, sig] of cases) {
      expect(await validTwilioSignature(TOKEN, sig, url, params), what).toBe(false);
      expect((await twilio("/validate", { authToken: TOKEN, signature: sig ?? "", url, params })).valid, what).toBe(false);
    }
    expect((await twilio("/validate", { authToken: TOKEN, signature: good, url: URL_, params: PARAMS })).valid).toBe(true);
  });

  it("the signed string is the URL then each name and value, names sorted", () => {
    expect(signedPayload("https://x.test/v", { b: "2", a: "1" })).toBe("https://x.test/va1b2");
  });
});
