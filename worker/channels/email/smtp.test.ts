// The relay transport, proven inside workerd against real SMTP servers in the test
// process: plain (local catcher), implicit TLS (465 style) and STARTTLS (587 style) with
// a certificate from a local CA, authentication, and the configuration's guard rails.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { email } from "./channel.ts";
import { smtpConfig, smtpTransport } from "./smtp.ts";

const e = env as unknown as Record<string, string>;
const tls = () => JSON.parse(e.TEST_SMTP_TLS!) as { trusted: boolean; implicitPort: number; startTlsPort: number };
const received = async (control: string, to: string) => (await (await fetch(`${control}/__messages?to=${to}`)).json()) as { subject: string; secure: boolean; user: string | null }[];
const base = { MAIL_FROM: "Child Alert <alerts@child-alert.test>", SMTP_USER: "relay", SMTP_PASS: "secret" };

describe("SMTP from inside workerd (nodemailer over node:net / node:tls)", () => {
  it("plain SMTP to a relay on this machine", async () => {
    const c = smtpConfig({ SMTP_HOST: e.SMTP_HOST, SMTP_PORT: e.SMTP_PORT, SMTP_SECURITY: "none", MAIL_FROM: base.MAIL_FROM })!;
    const t = smtpTransport(c, 1);
    const info = await t.sendMail({ from: c.from, to: "plain@example.org", subject: "plain", text: "body" });
    t.close();
    expect(info.accepted).toEqual(["plain@example.org"]);
    expect((await received("https://smtp.test", "plain@example.org"))[0]!.subject).toBe("plain");
  });

  const TLS_MODES = [
    { name: "implicit TLS (port 465 style) with authentication, trusting a local CA", security: "tls", port: () => tls().implicitPort, control: "https://smtp-tls.test", to: "tls@example.org" },
    { name: "STARTTLS (port 587 style): the plain socket is upgraded before authentication", security: "starttls", port: () => tls().startTlsPort, control: "https://smtp-starttls.test", to: "starttls@example.org" },
  ] as const;
  for (const mode of TLS_MODES) {
    it(mode.name, async () => {
      expect(tls().trusted, "run through `npm test` or `npm run test:worker`: they make the test CA that workerd trusts").toBe(true);
      const c = smtpConfig({ ...base, SMTP_HOST: "127.0.0.1", SMTP_PORT: String(mode.port()), SMTP_SECURITY: mode.security })!;
      const t = smtpTransport(c, 1);
      const info = await t.sendMail({ from: c.from, to: mode.to, subject: mode.security, text: "body" });
      t.close();
      expect(info.accepted).toEqual([mode.to]);
      expect(await received(mode.control, mode.to)).toMatchObject([{ subject: mode.security, secure: true, user: "relay" }]);
    });
  }

  it("DKIM: messages, built or raw as the channel sends them, are signed for the domain; an independent verifier (mailauth) passes them and fails a tampered copy", async () => {
    const key = JSON.parse(e.TEST_DKIM!) as { domain: string; selector: string; privateKey: string };
    const c = smtpConfig({ SMTP_HOST: e.SMTP_HOST, SMTP_PORT: e.SMTP_PORT, SMTP_SECURITY: "none", MAIL_FROM: base.MAIL_FROM, DKIM_DOMAIN: key.domain, DKIM_SELECTOR: key.selector, DKIM_PRIVATE_KEY: key.privateKey })!;
    const t = smtpTransport(c, 1);
    await t.sendMail({ from: c.from, to: "dkim-built@example.org", subject: "Alerte enlèvement", text: "Appelez le 116 000.", html: "<p>Appelez le 116 000.</p>" });
    const raw = "From: Child Alert <alerts@child-alert.test>\r\nTo: dkim-raw@example.org\r\nSubject: raw\r\nMessage-ID: <raw.1@child-alert.test>\r\n\r\nCall 116 000.\r\n";
    await t.send({ from: "alerts@child-alert.test", to: ["dkim-raw@example.org"] }, raw);
    t.close();
    type Verdict = { raw: string; results: { result: string; comment: string | null; domain: string; selector: string }[] };
    for (const to of ["dkim-built@example.org", "dkim-raw@example.org"]) {
      const v = (await (await fetch(`https://dkim.test/verify?to=${to}`)).json()) as Verdict;
      expect(v.results).toMatchObject([{ result: "pass", domain: key.domain, selector: key.selector }]);
    }
    const signed = ((await (await fetch("https://dkim.test/verify?to=dkim-raw@example.org")).json()) as Verdict).raw;
    const tampered = (await (await fetch("https://dkim.test/verify", { method: "POST", body: signed.replace("Call 116 000.", "Call 0800 00 000.") })).json()) as Verdict;
    // RFC 6376: a body that no longer matches its hash is not a valid signature (mailauth says "neutral", naming the body hash).
    expect(tampered.results[0]).toMatchObject({ result: "neutral", comment: expect.stringMatching(/body hash/) });
  });

  it("a relay that hangs on a message: the send fails after the pool's timeout, its connection is dropped, the next message goes through", async () => {
    const c = smtpConfig({ SMTP_HOST: e.SMTP_HOST, SMTP_PORT: e.SMTP_PORT, SMTP_SECURITY: "none", MAIL_FROM: base.MAIL_FROM })!;
    const behave = (b: object) => fetch("https://smtp.test/__behaviour", { method: "POST", body: JSON.stringify(b) });
    await behave({ to: "hangs@example.org", delayMs: 5_000 });
    const t = smtpTransport(c, 1, 600);
    try {
      const t0 = Date.now();
      await expect(t.sendMail({ from: c.from, to: "hangs@example.org", subject: "slow", text: "x" })).rejects.toMatchObject({ code: "ETIMEDOUT" });
      expect(Date.now() - t0).toBeLessThan(3_000);
      // A pool of one connection: the next message can only go on a new one.
      const info = await t.sendMail({ from: c.from, to: "after-hang@example.org", subject: "next", text: "x" });
      expect(info.accepted).toEqual(["after-hang@example.org"]);
    } finally {
      t.close();
      await behave({ to: "hangs@example.org", delayMs: 0 });
    }
    expect(await received("https://smtp.test", "after-hang@example.org")).toMatchObject([{ subject: "next" }]);
  });

  it("a wrong password is refused by the relay, not silently dropped", async () => {
    const c = smtpConfig({ ...base, SMTP_PASS: "wrong", SMTP_HOST: "127.0.0.1", SMTP_PORT: String(tls().implicitPort), SMTP_SECURITY: "tls" })!;
    const t = smtpTransport(c, 1);
    await expect(t.sendMail({ from: c.from, to: "x@example.org", subject: "x", text: "x" })).rejects.toMatchObject({ responseCode: 535 });
    t.close();
  });

  it("refuses plain SMTP across a network and port 25; no host means e-mail is off", () => {
    expect(() => smtpConfig({ ...base, SMTP_HOST: "smtp.example.org", SMTP_PORT: "587", SMTP_SECURITY: "none" })).toThrow(/only for a relay on this machine/);
    expect(() => smtpConfig({ ...base, SMTP_HOST: "smtp.example.org", SMTP_PORT: "25", SMTP_SECURITY: "starttls" })).toThrow(/port 25/);
    expect(() => smtpConfig({ ...base, SMTP_HOST: "smtp.example.org", SMTP_PORT: "587", SMTP_SECURITY: "ssl" })).toThrow(/misconfigured/);
    expect(smtpConfig({ SMTP_HOST: "" })).toBeNull();
  });
  it("the channel counts as configured only with a valid relay (else it is skipped like a switched-off one)", () => {
    expect(email.configured(env)).toBe(true);
    expect(email.configured({ ...env, SMTP_HOST: "" } as Env)).toBe(false);
    expect(email.configured({ ...env, SMTP_HOST: "smtp.example.org", SMTP_SECURITY: "none" } as Env)).toBe(false); // refused, and logged
  });
});
