// Browser test (issue 13): a partner's page on another origin, hostile on purpose (global
// CSS that restyles everything, a strict Content-Security-Policy that allows only the
// documented sources and no inline style or script), embeds the widget with one script
// tag. Chromium shows the banner after the launch in the page's language, and nothing
// within 10 s of the stop. The page's own content keeps working throughout.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { checkA11y } from "./lib/a11y.mjs";
import { ARTIFACTS, authorisedExercise, openBrowser, signInByInvitation, startStack } from "./lib/browser.mjs";

const HOSTILE_CSS = `* { color: #0f0 !important; font-family: serif !important; letter-spacing: 4px !important; }
div { display: inline !important; border: 2px dashed magenta; }
img { display: none !important; }
a { text-decoration: line-through !important; }`;

describe("the widget on a hostile partner page", () => {
  let stack;
  let browser;
  let partner;
  let origin;
  let other;
  let ctx;
  const errors = [];
  before(async () => {
    stack = await startStack();
    browser = await openBrowser();
    const worker = stack.origin;
    // The widget is issued to a registered partner for its declared site (*.localhost is the loopback in Chromium).
    ctx = await authorisedExercise(stack, "widget", ["fr", "nl"]);
    const { data: reg } = await ctx.call("POST", "/admin/partners", { name: "Het Nieuws", domains: ["news.localhost"], country: "BE", languages: ["nl"], regions: ["BE"], exercise: true }, ctx.staff.operator.cookie);
    const partnerId = reg.partner.id;
    partner = createServer((req, res) => {
      if (req.url === "/hostile.css") return res.writeHead(200, { "Content-Type": "text/css" }).end(HOSTILE_CSS);
      res.writeHead(200, {
        "Content-Type": "text/html; charset=utf-8",
        // The documented sources only: the widget's origin for script, data and images; styles from the partner's own files.
        "Content-Security-Policy": `default-src 'none'; script-src ${worker}; connect-src ${worker}; img-src ${worker}; style-src 'self'`,
      });
      res.end(`<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Het Nieuws</title><link rel="stylesheet" href="/hostile.css"></head>
<body><h1 id="title">Het Nieuws</h1>
<script async src="${worker}/widget.js" data-partner="${partnerId}"></script>
<p id="article">Vandaag in het nieuws: de gemeenteraad vergaderde.</p></body></html>`);
    });
    await new Promise((r) => partner.listen(0, "127.0.0.1", r));
    origin = `http://news.localhost:${partner.address().port}`;
    // The same page on a site the partner did not declare: the widget must show nothing there.
    other = `http://copycat.localhost:${partner.address().port}`;
    browser.page.on("pageerror", (e) => errors.push(String(e)));
    browser.page.on("console", (m) => m.type() === "error" && !/Failed to load resource/.test(m.text()) && errors.push(m.text()));
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
    await new Promise((r) => partner?.close(r));
  });

  const banner = () => browser.page.locator("[data-child-alert]");

  it("shows nothing while no alert is live, and does not touch the page", async () => {
    await browser.page.goto(`${origin}/`);
    await banner().waitFor({ state: "attached" });
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await banner().boundingBox())?.height ?? 0, 0);
    assert.equal(await browser.page.textContent("#article"), "Vandaag in het nieuws: de gemeenteraad vergaderde.");
    assert.deepEqual(await browser.page.context().cookies(stack.origin), []);
  });

  it("after the launch the banner appears in the page's language, styled as ours despite the page's CSS; gone within 10 s of the stop", async () => {
    const { call, staff, alertId } = ctx;
    await call("POST", `/alerts/${alertId}/launch`, undefined, staff.cell.cookie);
    const page = browser.page;
    await page.waitForFunction(() => (document.querySelector("[data-child-alert]")?.getBoundingClientRect().height ?? 0) > 80, null, { timeout: 15_000 });
    const box = await banner().boundingBox();
    assert.ok(box.height > 80 && box.width > 300, JSON.stringify(box));
    // What the reader sees: the name, the Dutch link, the hotline — styled by the widget, not by the page.
    const seen = await banner().evaluate((el) => {
      const r = el.shadowRoot;
      const h = r.querySelector(".h");
      return { text: r.textContent, nameColor: getComputedStyle(h).color, nameFont: getComputedStyle(h).fontFamily, img: r.querySelector("img")?.getAttribute("src"), imgShown: getComputedStyle(r.querySelector("img")).display };
    });
    assert.match(seen.text, /CHILD ALERT — OEFENING/); // an exercise says so
    assert.match(seen.text, /Noa/);
    assert.match(seen.text, /Bekijk de alert/);
    assert.match(seen.text, /116 000/);
    assert.match(seen.img, /\/poster\/landscape-nl\.png$/);
    assert.equal(seen.imgShown, "block");
    assert.notEqual(seen.nameColor, "rgb(0, 255, 0)");
    assert.doesNotMatch(seen.nameFont, /^serif$/);
    // The page's CSS still applies to the page itself.
    const shot = await banner().screenshot({ path: join(ARTIFACTS, "widget-hostile-page.png") });
    assert.ok(shot.length > 5000);
    await page.screenshot({ path: join(ARTIFACTS, "widget-partner-page.png") });
    assert.equal(await page.locator("#title").evaluate((el) => getComputedStyle(el).color), "rgb(0, 255, 0)");
    assert.deepEqual(errors, []);

    // The attacker's copy: the partner's snippet on a site it did not declare shows nothing (the server refuses that site).
    const copy = await browser.context.newPage();
    await copy.goto(`${other}/`);
    await copy.locator("[data-child-alert]").waitFor({ state: "attached" });
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal((await copy.locator("[data-child-alert]").boundingBox())?.height ?? 0, 0);
    await copy.close();

    const stopped = Date.now();
    await call("POST", `/alerts/${alertId}/stop`, { reason: "found_safe" }, staff.cell.cookie);
    await page.waitForFunction(() => (document.querySelector("[data-child-alert]")?.getBoundingClientRect().height ?? 1) === 0, null, { timeout: 10_000 });
    const took = Date.now() - stopped;
    assert.ok(took <= 10_000, `gone after ${took} ms`);
    assert.deepEqual(await browser.page.context().cookies(stack.origin), []);
  });

  it("the operator registers partners in the dashboard: the key is shown once, rule 13 is visible, a partner can be revoked", async () => {
    const page = browser.page;
    await signInByInvitation(page, stack, { email: "olga.operator@partners.e2e", displayName: "Olga Operator", role: "operator" });
    await page.getByRole("link", { name: "Partners" }).click();
    await page.getByRole("heading", { name: "Partner sites" }).waitFor();
    for (const [name, country, host] of [["De Krant", "BE", "dekrant.be"], ["Jornal do Brasil", "BR", "jornal.com.br"]]) {
      await page.getByLabel("Name", { exact: true }).fill(name);
      await page.getByLabel("Web domains (comma-separated)").fill(`www.${host}`);
      await page.getByLabel("Country", { exact: true }).fill(country);
      await page.getByLabel("NL", { exact: true }).check();
      await page.getByLabel("Webhook URL (https, optional)").fill(`https://hooks.${host}/child-alert`);
      await page.getByRole("button", { name: "Register", exact: true }).click();
      await page.locator(`#partner-secret:has-text("${name}"), [role=alert]`).first().waitFor();
      assert.equal(await page.locator("main [role=alert]").count(), 0, await page.locator("main").innerText());
      assert.match(await page.locator("#partner-key").innerText(), /^cap_/);
      assert.match(await page.locator("#partner-webhook-secret").innerText(), /^whsec_/);
    }
    const br = page.locator("#partners tbody tr", { hasText: "Jornal do Brasil" });
    assert.match(await br.innerText(), /no child data \(rule 13\)/);
    assert.match(await page.locator("#partners tbody tr", { hasText: "De Krant" }).innerText(), /child's data allowed/);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-partners.png"), fullPage: true });
    await checkA11y(page, "partners screen");
    await br.getByRole("button", { name: "Revoke" }).click();
    await br.getByRole("button", { name: "Revoke for good" }).click();
    await page.locator("#partners tbody tr", { hasText: "Jornal do Brasil" }).filter({ hasText: "revoked" }).waitFor();
  });
});
