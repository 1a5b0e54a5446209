// E-mail beyond the contract: what a message carries (headers, both parts, the inline
// poster, the exercise marking, each language's own texts), the double opt-in against
// misuse, one-click unsubscribe, bounces and a relay that is down for a while.
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { api, as, DECISION, renderPosterSet, expectOk, liveAlert, makeContent, makeTeam, signOff, type Team } from "../../test/helpers.ts";
import { alertMail, withoutPoster } from "../../../templates/email/messages.ts";
import { confirmationToken, emailSubscriber, publicPost, smtp } from "../../test/standins/email.ts";

let t: Team;
beforeAll(async () => {
  t = await makeTeam();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const status = async (address: string) =>
  (await env.DB.prepare("SELECT status FROM email_subscribers WHERE address = ?").bind(address).first<{ status: string }>())?.status;
const page = (path: string, init?: RequestInit) => exports.default.fetch(new Request(`${env.APP_ORIGIN}${path}`, init));

async function renderPosters(alertId: string, versionId?: string) {
  versionId ??= expectOk(await api("GET", `/alerts/${alertId}`, undefined, as(t.cell))).body.currentVersionId;
  await renderPosterSet(alertId, versionId!);
}


/** The message of this event to this address, once it has arrived (whatever else arrived first); says what did arrive otherwise. */
async function mailOf(to: string, event: string) {
  for (let i = 0; i < 300; i++) {
    const m = (await smtp.messages(to)).find((x) => x.headers["x-child-alert"]?.includes(event));
    if (m) return m;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no "${event}" e-mail for ${to}; it got: ${(await smtp.messages(to)).map((x) => x.headers["x-child-alert"]).join(" | ")}`);
}

describe("double opt-in", () => {
  it("nothing is sent before confirmation; the link works once; a reused, forged or expired token is refused", async () => {
    const address = `${crypto.randomUUID()}@Example.ORG`;
    const normal = address.toLowerCase();
    expect((await publicPost("/email/subscriptions", { email: ` ${address} `, lang: "nl", regions: ["BE"], exercise: false })).status).toBe(202);
    const token = await confirmationToken(normal);
    const [confirmation] = await smtp.messages(normal);
    expect(confirmation!.subject).toBe("Bevestig uw Child Alert-e-mails");
    expect(await status(normal)).toBe("pending");

    // A live alert now: a pending subscriber gets nothing.
    const id = await liveAlert(t);
    await sleep(1500);
    expect((await smtp.messages(normal)).filter((m) => m.headers["x-child-alert"]?.includes(id))).toEqual([]);

    const forged = await publicPost("/email/confirm", { token: "A".repeat(43) });
    expect(forged.status).toBe(410); // forged
    expect(forged.body.code).toBe("E_TOKEN_INVALID"); // a problem from the one error catalogue
    const [first, second] = await Promise.all([publicPost("/email/confirm", { token }), publicPost("/email/confirm", { token })]);
    expect([first.status, second.status].sort()).toEqual([200, 410]); // single use, even in parallel
    expect(await status(normal)).toBe("active");
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));

    // Expired: a day later the link no longer works.
    const late = `${crypto.randomUUID()}@example.org`;
    await publicPost("/email/subscriptions", { email: late, lang: "fr", regions: ["BE"] });
    const old = await confirmationToken(late);
    await env.DB.prepare("UPDATE email_subscribers SET confirm_expires_at = ? WHERE address = ?").bind(new Date(Date.now() - 1000).toISOString(), late).run();
    expect((await publicPost("/email/confirm", { token: old })).status).toBe(410);
    expect(await status(late)).toBe("pending");
  });

  it("the same answer whoever subscribes; the confirmation page only confirms with its button; addresses are never listed", async () => {
    const address = await emailSubscriber();
    const again = await publicPost("/email/subscriptions", { email: address, lang: "fr", regions: ["BE"] });
    expect(again).toEqual({ status: 202, body: { status: "confirmation_sent" } });
    // Opening the link (as a mail scanner would) confirms nothing.
    const fresh = `${crypto.randomUUID()}@example.org`;
    await publicPost("/email/subscriptions", { email: fresh, lang: "de", regions: ["BE"] });
    const token = await confirmationToken(fresh);
    const get = await page(`/email/confirm?t=${token}&lang=de`);
    expect(get.status).toBe(200);
    expect(await get.text()).toContain("Mein Abonnement bestätigen");
    expect(await status(fresh)).toBe("pending");
    const post = await page(`/email/confirm?lang=de`, { method: "POST", body: new URLSearchParams({ t: token }) });
    expect(post.status).toBe(200);
    expect(await post.text()).toContain("Bestätigt");
    expect(await status(fresh)).toBe("active");
    // Bad input: a clear 400, nothing written.
    const bad = await publicPost("/email/subscriptions", { email: "not-an-address", lang: "fr", regions: ["BE"] });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("E_VALIDATION");
  });

  it("the sign-up page works without JavaScript, in each language", async () => {
    const form = await page("/subscribe/email?lang=nl");
    expect(await form.text()).toContain("Child Alerts per e-mail ontvangen");
    const address = `${crypto.randomUUID()}@example.org`;
    const body = new URLSearchParams({ email: address, lang: "nl" });
    body.append("region", "BE-VAN");
    body.append("exercise", "on"); // what a browser sends for the checked box
    const res = await page("/subscribe/email", { method: "POST", body, headers: { "CF-Connecting-IP": "203.0.113.99" } });
    expect(res.status).toBe(202);
    expect(await res.text()).toContain("we stuurden u een e-mail");
    const token = await confirmationToken(address);
    expect((await publicPost("/email/confirm", { token })).status).toBe(200);
    const row = await env.DB.prepare("SELECT lang, regions, exercise FROM email_subscribers WHERE address = ?").bind(address).first();
    expect(row).toEqual({ lang: "nl", regions: '["BE-VAN"]', exercise: 1 });
  });
});

describe("the messages", () => {
  it("a message sent before its poster exists drops the image row, not the rest", () => {
    const mail = alertMail({
      event: "alert",
      lang: "en",
      exercise: false,
      alertUrl: "https://alert.example.org/alert/1?lang=en",
      endsAt: null,
      text: { name: "Lina Exemple", age: 9, lastSeenAt: "2026-11-23T06:30:00Z", place: "Namur", description: "Brown hair.", showHotline: true },
    });
    expect(mail.html).toContain('src="cid:poster@child-alert"');
    const bare = withoutPoster(mail.html);
    expect(bare).not.toContain("cid:");
    expect(bare).not.toContain("<img");
    for (const kept of ["Lina Exemple", "Brown hair.", "116 000"]) expect(bare).toContain(kept);
  });

  it("alert, update and stop: headers, both parts, the inline poster, both numbers, each language's own texts", async () => {
    const [fr, nl] = [await emailSubscriber({ lang: "fr" }), await emailSubscriber({ lang: "nl" })];
    const content = makeContent({ targeting: { regions: ["BE"], languages: ["fr", "nl"] } });
    const id = await liveAlert(t, content);
    // The launch raced the render job: render now, then publish an update that carries the poster.
    await renderPosters(id);
    const [alertFr] = await smtp.waitFor(fr, 2);
    const alert = (await smtp.messages(fr)).find((m) => m.headers["x-child-alert"]?.includes(`${id}; event=alert`))!;
    expect(alertFr).toBeDefined();
    expect(alert.subject).toBe("CHILD ALERT: Lina Exemple, 9 ans");
    expect(alert.headers["content-language"]).toBe("fr");
    expect(alert.headers["list-unsubscribe-post"]).toBe("List-Unsubscribe=One-Click");
    expect(alert.headers["list-unsubscribe"]).toMatch(/^<http:\/\/localhost:8787\/email\/unsubscribe\?s=[0-9a-f-]{36}&t=[A-Za-z0-9_-]+>$/);
    expect(alert.messageId).toMatch(new RegExp(`^<${id}\\.alert\\.1\\.\\d+@localhost>$`));
    for (const part of [alert.text!, alert.html!]) {
      expect(part).toContain("116 000");
      expect(part).toContain("+32 2 475 44 99");
      expect(part).toContain("Imperméable rouge");
      expect(part).toContain(`/alert/${id}?lang=fr`);
      expect(part).not.toContain("%%UNSUBSCRIBE_URL%%");
    }
    expect(alert.html).toContain("<table");
    const dutch = (await smtp.waitFor(nl, 2)).find((m) => m.headers["x-child-alert"]?.includes(`${id}; event=alert`))!;
    expect(dutch.text).toContain("Rode regenjas");
    expect(dutch.text).not.toContain("Imperméable");

    const edit = expectOk(await api("PUT", `/alerts/${id}/content`, { content: { ...content, vehicle: { description: { fr: "SUV noir", nl: "Zwarte SUV" }, plate: "1-ABC-123" } } }, as(t.cell)));
    await renderPosters(id, edit.body.versionId); // the set of the update, before it is published
    expectOk(await signOff(t.magistrate, id, "authorisation", DECISION));
    const update = await mailOf(fr, `${id}; event=update`);
    expect(update.subject).toBe("MISE À JOUR: CHILD ALERT: Lina Exemple, 9 ans");
    expect(update.text).toContain("SUV noir");
    expect(update.attachments).toEqual([expect.objectContaining({ contentType: "image/png", cid: "poster@child-alert", disposition: "inline" })]);
    expect(update.html).toContain('src="cid:poster@child-alert"');

    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
    const stop = await mailOf(fr, `${id}; event=stop`);
    expect(stop.subject).toBe("CHILD ALERT: ENFANT RETROUVÉ");
    for (const part of [stop.text!, stop.html!]) {
      expect(part).not.toContain("Lina");
      expect(part).not.toContain("Imperméable");
    }
    expect(stop.attachments).toEqual([]);
  });

  it("the exercise variant says EXERCISE in the subject and body", async () => {
    const address = await emailSubscriber({ exercise: true, lang: "en" });
    const { authorisedAlert } = await import("../../test/helpers.ts");
    const id = await authorisedAlert(t, makeContent(), true);
    expectOk(await api("POST", `/alerts/${id}/launch`, undefined, as(t.cell)));
    const mail = (await smtp.waitFor(address, 2)).find((m) => m.headers["x-child-alert"]?.includes(id))!;
    expect(mail.subject).toMatch(/^EXERCISE — CHILD ALERT: /);
    expect(mail.text).toContain("This is an exercise, not a real alert");
    expect(mail.html).toContain("CHILD ALERT — EXERCISE");
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
  });
});

describe("unsubscribe, bounces, a relay that is down", () => {
  it("one click (RFC 8058 POST) unsubscribes; a forged link does not", async () => {
    const address = await emailSubscriber();
    const id = await liveAlert(t);
    const mail = (await smtp.waitFor(address, 2)).find((m) => m.headers["x-child-alert"]?.includes(id))!;
    const url = /^<(.+)>$/.exec(mail.headers["list-unsubscribe"]!)![1]!;
    const u = new URL(url);
    const forged = await page(`/email/unsubscribe?s=${u.searchParams.get("s")}&t=${"x".repeat(43)}`, { method: "POST", body: "List-Unsubscribe=One-Click", headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    expect(forged.status).toBe(403);
    expect(await status(address)).toBe("active");
    const res = await page(`${u.pathname}${u.search}`, { method: "POST", body: "List-Unsubscribe=One-Click", headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    expect(res.status).toBe(200);
    expect(await status(address)).toBe("unsubscribed");
    // Nothing more after leaving, not even the stop message.
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
    await sleep(1500);
    expect((await smtp.messages(address)).filter((m) => m.headers["x-child-alert"]?.includes(`${id}; event=stop`))).toEqual([]);
    // Re-subscribing works (a new opt-in) — but not a new confirmation e-mail every minute (no mail-bombing through us).
    const before = (await smtp.messages(address)).length;
    await publicPost("/email/subscriptions", { email: address, lang: "fr", regions: ["BE"] });
    await sleep(1000);
    expect((await smtp.messages(address)).length).toBe(before);
    await env.DB.prepare("UPDATE email_subscribers SET confirm_sent_at = ? WHERE address = ?").bind(new Date(Date.now() - 11 * 60_000).toISOString(), address).run();
    await publicPost("/email/subscriptions", { email: address, lang: "fr", regions: ["BE"] });
    expect((await publicPost("/email/confirm", { token: await confirmationToken(address, before + 1) })).status).toBe(200);
    expect(await status(address)).toBe("active");
  });

  it("a 5xx for one address marks it bounced; the others are unaffected", async () => {
    const [bad, good] = [await emailSubscriber(), await emailSubscriber()];
    await smtp.behave({ to: bad, code: 550, message: "5.1.1 user unknown" });
    const id = await liveAlert(t);
    await smtp.waitFor(good, 2);
    for (let i = 0; i < 50 && (await status(bad)) !== "bounced"; i++) await sleep(100);
    expect(await status(bad)).toBe("bounced");
    expect(await status(good)).toBe("active");
    await smtp.behave({ to: bad, times: 0 });
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
  });
});

describe("nothing lost", () => {
  it("the relay answers 4xx, then is down for seconds: every message delivered exactly once, in the end", { timeout: 90_000 }, async () => {
    const subscribers = await Promise.all(Array.from({ length: 6 }, () => emailSubscriber({ regions: ["BE-WNA"] })));
    await smtp.behave({ code: 451, message: "4.3.2 try later", times: 4 });
    await fetch("https://smtp.test/__down", { method: "POST", body: JSON.stringify({ ms: 3000 }) });
    const id = await liveAlert(t, makeContent({ targeting: { regions: ["BE-WNA"], languages: ["fr"] } }));
    const deadline = Date.now() + 60_000;
    const mine = async () => (await Promise.all(subscribers.map((a) => smtp.messages(a)))).map((ms) => ms.filter((m) => m.headers["x-child-alert"]?.includes(`${id}; event=alert`)).length);
    while ((await mine()).some((n) => n < 1)) {
      if (Date.now() > deadline) throw new Error(`not all delivered: ${await mine()}`);
      await sleep(250);
    }
    await sleep(1000);
    expect(await mine()).toEqual(subscribers.map(() => 1));
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
  });
});
