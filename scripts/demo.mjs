// `npm run demo` (with `npm start` running): drives the demo alert through the whole
// lifecycle over the public API — demo staff sign off with software passkeys, the
// magistrate authorises, the cell launches, publishes an update, then stops — printing
// each step's timing and, at the end, every broadcast's outcome per channel (audit trail).
import { apiClient, concert, DECISION, scorecardLines, signOff, staffFor } from "./lib/drill.mjs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { DEFAULT_PORT, parseArgs, PUSH_STANDIN_PORT, readDevVars, ROOT, SMTP_CATCHER_WEB_PORT, SOCIAL_STANDIN_PORT, TELEPHONY_API_STANDIN_PORT, WEBHOOK_RECEIVER_PORT } from "./lib/local.mjs";
import { telephonyProvider } from "./lib/telephony.mjs";
import { peerKeys, signedPeerCap } from "./lib/peer-cap.mjs";
import { DEMO_ALERT_ID, DEMO_CONTENT, DEMO_MAILBOXES, DEMO_SOCIAL, DEMO_STAFF, demoEmail, demoSocialStandIn, DEMO_FILE } from "./seed.mjs";

const a = parseArgs(process.argv.slice(2));
const origin = `http://localhost:${a.port ?? DEFAULT_PORT}`;
const base = `http://127.0.0.1:${a.port ?? DEFAULT_PORT}/api/v1`;
const t0 = performance.now();
let last = t0;

function step(label, detail = "") {
  const now = performance.now();
  console.log(`  ${((now - t0) / 1000).toFixed(2).padStart(6)} s  +${String(Math.round(now - last)).padStart(4)} ms  ${label}${detail ? `  \x1b[2m${detail}\x1b[0m` : ""}`);
  last = now;
}

const call = apiClient(origin, `http://127.0.0.1:${a.port ?? DEFAULT_PORT}`);

try {
  await fetch(`${base}/health`);
} catch {
  console.error(`No Child Alert server on ${origin}. Start it first: npm start`);
  process.exit(1);
}

console.log(`Child Alert demo against ${origin}\n`);
const roles = ["cell", "investigator", "operator", "counsellor", "magistrate", "calltaker", "admin"];
const staff = await staffFor(origin, roles.map((role) => ({ email: demoEmail(role), displayName: DEMO_STAFF[role], role })));
step(`${roles.length} staff registered software passkeys and signed in`, roles.join(", "));

// Four eyes on every seat (issue 23): a second admin, bootstrapped from the command line as
// the first; an admin's invitation for a magistrate works only once the other approved it.
const admin2 = (await staffFor(origin, [{ email: "admin2@demo.child-alert.local", displayName: "Admin Bart Demo", role: "admin" }])).admin;
const { data: seat } = await call("POST", "/admin/invitations", { email: `magistrate.${Date.now()}@demo.child-alert.local`, displayName: "Deputy Magistrate Demo", role: "magistrate" }, staff.admin.cookie);
const refused = await fetch(`${base}/auth/invitations/lookup`, { method: "POST", headers: { "Content-Type": "application/json", Origin: origin }, body: JSON.stringify({ token: seat.link.split("#")[1] }) });
if (seat.needsApproval !== true || refused.status !== 409) throw new Error(`a magistrate's invitation by one admin must wait for a second (got ${refused.status})`);
await call("POST", `/admin/invitations/${seat.id}/approve`, undefined, admin2.cookie);
const approved = await fetch(`${base}/auth/invitations/lookup`, { method: "POST", headers: { "Content-Type": "application/json", Origin: origin }, body: JSON.stringify({ token: seat.link.split("#")[1] }) });
if (approved.status !== 200) throw new Error(`the approved invitation should open (got ${approved.status})`);
await call("POST", `/admin/invitations/${seat.id}/revoke`, undefined, staff.admin.cookie);
step("four eyes: a magistrate's invitation waited for the second admin, opened once approved", "then revoked (a demo seat)");
const tDrill = performance.now();

// Use the seeded demo alert while it is still a draft; otherwise draft a new exercise alert.
let alertId = DEMO_ALERT_ID;
const current = await call("GET", `/alerts/${DEMO_ALERT_ID}`, undefined, staff.cell.cookie).catch(() => null);
if (current?.data.state !== "draft") {
  const { data } = await call("POST", "/alerts", { exercise: true, content: DEMO_CONTENT, file: DEMO_FILE }, staff.cell.cookie);
  alertId = data.alertId;
  step("cell drafted a new exercise alert", alertId);
} else step("using the seeded demo draft", alertId);

// Three citizens subscribe (to the local push-service stand-in, which decrypts what it gets).
const pushBase = `http://localhost:${PUSH_STANDIN_PORT}`;
const citizens = [];
for (const lang of ["fr", "nl", "de"]) {
  const sub = await (await fetch(`${pushBase}/__subscribe`, { method: "POST" })).json();
  await call("POST", "/push/subscriptions", { subscription: { endpoint: sub.endpoint, keys: sub.keys }, lang, regions: ["BE"], exercise: true });
  citizens.push(sub);
}
step("three citizens subscribed to web push (exercise opt-in)", "fr, nl, de");

// Two people subscribe by e-mail and confirm with the link they received (double opt-in);
// the local SMTP catcher of `npm start` holds their mailboxes.
const mailBase = `http://localhost:${SMTP_CATCHER_WEB_PORT}`;
const mailbox = async (to) => (await (await fetch(`${mailBase}/__messages?to=${encodeURIComponent(to)}`)).json());
async function mailFor(to, pick, what) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const m = (await mailbox(to)).find(pick);
    if (m) return m;
    if (Date.now() > deadline) throw new Error(`e-mail (${what}) for ${to}: not caught within 30 s — is \`npm start\` running?`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const readers = [];
for (const lang of ["fr", "nl"]) {
  const email = `demo-${lang}-${Date.now()}@example.org`;
  await call("POST", "/email/subscriptions", { email, lang, regions: ["BE"], exercise: true });
  const confirm = await mailFor(email, (m) => m.headers["x-child-alert"] === "confirmation", "confirmation");
  const token = /\/email\/confirm\?t=([A-Za-z0-9_-]+)/.exec(confirm.text)[1];
  await call("POST", "/email/confirm", { token });
  readers.push(email);
}
step("two people subscribed by e-mail and confirmed the link they got", readers.join(", "));
// Partners with webhooks (the operator registers them): one in Belgium, one where rule 13 forbids the child's data.
const hooksBase = `http://127.0.0.1:${WEBHOOK_RECEIVER_PORT}`;
const partners = {};
const partnerIds = {};
const partnerKeys = {};
for (const [key, name, country] of [["be", "Le Journal (BE)", "BE"], ["far", "Far News (BR)", "BR"]]) {
  const hook = crypto.randomUUID();
  const { data } = await call("POST", "/admin/partners", { name, domains: [`${key}.news.example`], country, languages: ["fr"], exercise: true, webhookUrl: `http://localhost:${WEBHOOK_RECEIVER_PORT}/hook/${hook}` }, staff.operator.cookie);
  await fetch(`${hooksBase}/__register`, { method: "POST", body: JSON.stringify({ id: hook, secret: data.webhookSecret }) });
  partners[key] = hook;
  partnerIds[key] = data.partner.id;
  partnerKeys[key] = data.apiKey;
}
step("two partners registered with signed webhooks", "one in Belgium, one in Brazil (rule 13: no child data there)");

// The official social accounts (issue 15): the admin adds one French account per network
// (once; later runs reuse them); `npm start`'s stand-in plays each network's API.
const socialBase = `http://localhost:${SOCIAL_STANDIN_PORT}`;
const { data: socialList } = await call("GET", "/admin/social-accounts", undefined, staff.admin.cookie);
const socialIds = {};
for (const [network, demo] of Object.entries(DEMO_SOCIAL)) {
  let id = socialList.accounts.find((x) => x.name === demo.name && !x.disabledAt)?.id;
  if (!id) {
    const { data } = await call("POST", "/admin/social-accounts", { network, name: demo.name, lang: "fr", regions: ["BE"], exercise: true, target: demo.target(socialBase), credentials: demo.credentials }, staff.admin.cookie);
    id = data.account.id;
  }
  await fetch(`${socialBase}/__register`, { method: "POST", body: JSON.stringify([demoSocialStandIn(id, network, socialBase)]) });
  socialIds[network] = id;
}
step("the admin set up the official social accounts (credentials sealed)", Object.keys(socialIds).join(", "));
const socialPosts = async () => (await (await fetch(`${socialBase}/__posts?alert=${alertId}`)).json()).filter((p) => Object.values(socialIds).includes(p.owner));
async function waitSocial(what, ok) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const posts = await socialPosts();
    if (ok(posts)) return posts;
    if (Date.now() > deadline) throw new Error(`social networks (${what}): not done within 30 s — ${JSON.stringify(posts.map((p) => [p.network, p.type, p.live]))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const hookMessages = async (hook) => (await (await fetch(`${hooksBase}/__messages?alert=${alertId}`)).json()).filter((m) => m.id === hook);
async function waitHook(hook, event) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const m = (await hookMessages(hook)).find((x) => x.event === event);
    if (m) return m;
    if (Date.now() > deadline) throw new Error(`webhook ${event}: not delivered within 30 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const pushStats = async () => (await (await fetch(`${pushBase}/__stats?tag=${alertId}`)).json()).byType;
async function waitFor(type, n) {
  const deadline = Date.now() + 30_000;
  while (((await pushStats())[type] ?? 0) < n) {
    if (Date.now() > deadline) throw new Error(`push ${type}: not delivered within 30 s`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

await concert(origin, staff, alertId, step, { closeFile: true });
const launch = await call("POST", `/alerts/${alertId}/launch`, undefined, staff.cell.cookie);
step("cell launched the alert", `state ${launch.data.state}, ends ${launch.data.endsAt}`);
await waitFor("alert", citizens.length);
const [first] = await (await fetch(`${pushBase}/__received?id=${citizens[0].id}`)).json();
step("web push delivered, decrypted by the push service", `${citizens.length} of ${citizens.length}: "${first.payload.title}"`);
const [dutch] = await (await fetch(`${pushBase}/__received?id=${citizens[1].id}`)).json();
if (!/regenjas/.test(dutch.payload.body)) throw new Error(`the Dutch citizen did not get the Dutch text: ${dutch.payload.body}`);
step("each citizen reads the alert in their own language", `nl: "${dutch.payload.body.slice(0, 70)}…"`);
for (const to of readers) {
  const m = await mailFor(to, (x) => x.headers["x-child-alert"]?.includes(`${alertId}; event=alert`), "alert");
  step("alert e-mail delivered", `${to}: "${m.subject}" (${m.attachments.length} inline poster${m.attachments.length === 1 ? "" : "s"})`);
}
const beHook = await waitHook(partners.be, "alert.launched");
const farHook = await waitHook(partners.far, "alert.launched");
step("partners' webhooks delivered, signatures verified (Standard Webhooks)", `BE: "${beHook.data.texts.fr.headline}"; BR: "${farHook.data.message}"`);
const onSocial = await waitSocial("alert", (ps) => Object.keys(socialIds).every((n) => ps.some((p) => p.network === n && p.type === "alert" && p.live)));
step("posted on the official accounts, poster and alt text", onSocial.map((p) => p.network).join(", "));
// Partners' pull surfaces (issues 13, 24): a drill is never on the keyless feeds; the partners who opted into exercises see it on their own.
const keyless = await (await fetch(`${origin}/api/v1/feeds/alerts.json`)).json();
if (keyless.alerts.some((a) => a.id === alertId)) throw new Error("a drill is on the keyless JSON feed");
const own = await (await fetch(`${origin}/api/v1/feeds/partner.json`, { headers: { Authorization: `Bearer ${partnerKeys.be}` } })).json();
if (!own.alerts.some((a) => a.id === alertId)) throw new Error("the launched drill is not on the Belgian partner's own feed");
const capAlert = await (await fetch(`${origin}/api/v1/feeds/cap/${alertId}.1.xml`, { headers: { Authorization: `Bearer ${partnerKeys.be}` } })).text();
if (!capAlert.includes("<msgType>Alert</msgType>") || !capAlert.includes("<status>Exercise</status>")) throw new Error("no CAP Alert (Exercise) message for the partner");
step("partners' feeds: not on the keyless ones (a drill), on the opted-in partner's own", `partner.json and CAP 1.2 Alert (status Exercise) with its key; ${origin}/api/v1/feeds/alerts.json lists real alerts only`);
// Issue 28: what is published is signed; anyone can check a statement, a link or a poster's QR code.
if (!capAlert.includes('<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">')) throw new Error("the CAP message is not signed");
const signed = await (await fetch(`${origin}/alert/${alertId}/signed.json`)).json();
const genuine = (await call("POST", "/verify", { statement: signed.statement, jws: signed.jws })).data;
const hoax = (await call("POST", "/verify", { statement: { ...signed.statement, hotline: "0800 12345" }, jws: signed.jws })).data;
if (genuine.verdict !== "genuine_live" || hoax.verdict !== "not_ours") throw new Error(`verification: ${genuine.verdict}, doctored ${hoax.verdict}`);
step("the published version is signed (CAP XML signature, JWS on the page, feeds and webhooks); the check says genuine, a doctored copy not ours", `${origin}/verify/${alertId}?v=${signed.statement.version} · keys ${origin}/.well-known/child-alert-keys.json`);
// Issue 28, inbound: a peer system abroad sends its own alert, signed; the cell sees a request to relay — nothing is published —
// and relays it into a draft that must go through the whole concertation. A forged copy is refused.
{
  const peerKey = peerKeys();
  const { data: reg } = await call("POST", "/admin/peers", { name: "AMBER Alert Nederland (demo)", country: "NL", capEndpoint: "https://amber.nl.example/cap", publicKey: peerKey.publicPem }, staff.operator.cookie);
  const cap = (key, identifier) => signedPeerCap(key, { identifier, sender: "amber@politie.nl.example", sent: new Date().toISOString().replace(/\.\d+Z$/, "+00:00"), infos: [{ language: "nl-NL", headline: "AMBER Alert: Sanne (7) vermist", description: "Sanne, 7 jaar, rode jas.", areaDesc: "Maastricht" }] });
  const send = (xml) => fetch(reg.peer.inbound.replace("localhost", "127.0.0.1"), { method: "POST", headers: { "Content-Type": "application/cap+xml" }, body: xml });
  const taken = await send(cap(peerKey.privateKey, `nl-demo-${Date.now()}`));
  const forged = await send(cap(peerKeys().privateKey, `nl-forged-${Date.now()}`));
  if (taken.status !== 202 || forged.status !== 403) throw new Error(`the peer's CAP: ${taken.status}, forged ${forged.status}`);
  const { data: reqs } = await call("GET", "/peer-requests", undefined, staff.cell.cookie);
  const req = reqs.requests.find((r) => r.peer.id === reg.peer.id && r.state === "open");
  const { data: relayed } = await call("POST", `/peer-requests/${req.id}/relay`, { firstName: "Sanne", age: 7, purposeAttestation: true }, staff.cell.cookie);
  const { data: draft } = await call("GET", `/alerts/${relayed.alertId}`, undefined, staff.cell.cookie);
  if (draft.state !== "draft") throw new Error(`a relayed peer alert is ${draft.state}`);
  step("a peer abroad sent its signed alert (a forged copy: 403); the cell relayed it into a draft, which needs the whole concertation", `${origin}/abroad · draft ${origin}/alerts/${relayed.alertId}`);
}
// Issue 29: the foundation's everyday search notice on the same platform — same concertation, the magistrate's written
// evaluation (not the four Child Alert criteria), posters and the public list, never the mass push or e-mail; then escalated.
{
  const { data: n } = await call("POST", "/alerts", { exercise: false, content: { ...DEMO_CONTENT, targeting: { regions: ["BE-WLG"], languages: DEMO_CONTENT.targeting.languages } }, file: DEMO_FILE, kind: "search_notice", initiative: "parents" }, staff.operator.cookie);
  await concert(origin, staff, n.alertId, () => {}, { authorise: false });
  await signOff(origin, staff, "magistrate", n.alertId, "authorisation", { riskAssessment: "A public search campaign is opportune; no sign that publicity would endanger the child." });
  await call("POST", `/alerts/${n.alertId}/launch`, undefined, staff.operator.cookie);
  const listed = await (await fetch(`${origin.replace("localhost", "127.0.0.1")}/notices?lang=fr&region=BE-WLG`)).text();
  if (!listed.includes(n.alertId)) throw new Error("the published search notice is not on the public list");
  let noticeFanouts = [];
  for (let i = 0; i < 100 && !noticeFanouts.some((f) => f.channel === "email" && f.status === "done"); i++) {
    ({ data: { fanouts: noticeFanouts } } = await call("GET", `/alerts/${n.alertId}/fanout`, undefined, staff.operator.cookie));
    await new Promise((r) => setTimeout(r, 100));
  }
  // The demo's e-mail readers subscribed to alerts, not to search notices: none of them gets it.
  if (noticeFanouts.find((f) => f.channel === "email")?.sent !== 0) throw new Error("a search notice went to e-mail subscribers who did not opt in to notices");
  step("a search notice (the parents' initiative) went through the same concertation and is published: posters, the public list, push and e-mail only to those who opted in — no mass push or e-mail", `${origin}/notices?region=BE-WLG`);
  const { data: up } = await call("POST", `/alerts/${n.alertId}/escalate`, undefined, staff.cell.cookie);
  step("the cell escalated it to a Child Alert draft with the agreed content; its own concertation (the four criteria) follows", `${origin}/alerts/${up.alertId}`);
  await call("POST", `/alerts/${n.alertId}/stop`, { reason: "found_safe" }, staff.operator.cookie);
  await call("POST", `/alerts/${up.alertId}/cancel`, undefined, staff.cell.cookie);
}
// The widget is issued to a partner for its declared sites, and follows its rule-13 decision.
const widgetFor = (key, site) => fetch(`${origin}/api/v1/widget/${partnerIds[key]}/alerts.json`, { headers: { Origin: `https://${site}` } });
const onBe = await (await widgetFor("be", "be.news.example")).json();
const onCopycat = (await widgetFor("be", "copycat.example")).status;
const onFar = (await (await widgetFor("far", "far.news.example")).json()).alerts.find((a) => a.id === alertId);
if (!onBe.alerts.some((a) => a.id === alertId) || onCopycat !== 403 || onFar?.personalData !== false) throw new Error("the widget does not follow the partners' registrations");
step("the partners' widgets: the Belgian one on its site, refused elsewhere; the Brazilian one shows only that an alert is in progress", `copycat site: ${onCopycat}; BR: "${onFar.message.fr}"`);
// The way back in (issue 14): a citizen's web tip and a 116 000 call reach the investigator, who acknowledges both.
const webTip = await call("POST", `/alerts/${alertId}/tips/web`, { text: "I saw a girl in a yellow raincoat with a man near Namur station, platform 3", seenWhere: "Namur station", seenAt: "a few minutes ago", anonymous: false, contact: { phone: "+32 470 00 11 22" }, turnstileToken: "XXXX.DUMMY.TOKEN.XXXX" });
step("a citizen sent a tip from the alert page (Turnstile checked)", `tip ${webTip.data.id}`);
const token = readDevVars().TELEPHONY_AUTH_TOKEN;
if (!token) throw new Error("no TELEPHONY_AUTH_TOKEN in .dev.vars: restart npm start (it adds it)");
const provider = telephonyProvider(origin, token, { recordingsApi: `http://localhost:${TELEPHONY_API_STANDIN_PORT}` });
const caller = await provider.call({ lang: "nl", from: "+32470998877", drill: true });
if (!caller.queued) throw new Error(`the simulated call was not queued: ${caller.heard}`);
step("a caller dialled the 116 000 line (signed TwiML webhooks), chose Dutch, accepted the recording", `queued: "${caller.heard}"`);
const taken = await call("POST", `/alerts/${alertId}/calls/next`, undefined, staff.calltaker.cookie);
await provider.left(caller, "bridged");
const callTip = await call("POST", `/alerts/${alertId}/tips`, { callSid: taken.data.call.sid, text: "The caller saw the white van on the E411 towards Namur, ten minutes ago", seenWhere: "E411, Wavre exit", urgent: true, recording: "given", anonymous: false, contact: { phone: taken.data.call.from } }, staff.calltaker.cookie);
step("the call-taker took the call and recorded an urgent tip", `tip ${callTip.data.tip.id}, forwarded ${callTip.data.tip.forwardedAt ? "at once" : "later"}`);
const tips = await call("GET", `/alerts/${alertId}/tips`, undefined, staff.investigator.cookie);
for (const tip of tips.data.tips) await call("POST", `/alerts/${alertId}/tips/${tip.id}/ack`, undefined, staff.investigator.cookie);
const intake = (await call("GET", `/alerts/${alertId}/intake`, undefined, staff.operator.cookie)).data.metrics;
step("the investigator read and acknowledged both tips", `${intake.tips.total} tips, ${intake.tips.acknowledged} acknowledged; forwarded in ${intake.toForwardMs.median} ms (median); ${intake.calls.calls} call, ${intake.calls.answered} answered`);
// Rule 9: the authorities are told by e-mail (no child data, a link to the dashboard).
const police = await mailFor(DEMO_MAILBOXES.federal_police, (x) => x.headers["x-child-alert"] === "notice; event=launched" && x.text.includes(alertId), "rule 9 launch notice");
step("the federal police and the cell were e-mailed the launch (rule 9)", `${DEMO_MAILBOXES.federal_police}: "${police.subject}"`);
// Protocol §2.3.3.4: a foreign organisation asks for the posters — granted only once the federal prosecutor's office and the cell are told.
const { data: asked } = await call("POST", `/alerts/${alertId}/foreign-requests`, { organisation: "Association Enfants Disparus (FR)", country: "FR" }, staff.operator.cookie);
const foreign = asked.requests.at(-1);
await mailFor(DEMO_MAILBOXES.federal_prosecutor, (x) => x.headers["x-child-alert"] === "notice; event=foreign_poster_request" && x.text.includes(alertId), "foreign poster request notice");
let granted;
for (const until = Date.now() + 30_000; ; ) {
  // The relay accepted the e-mail; its addresses are recorded a moment later: until then the grant is refused (E_NOT_INFORMED).
  granted = await call("POST", `/alerts/${alertId}/foreign-requests/${foreign.id}/grant`, undefined, staff.operator.cookie).catch((e) => (/E_NOT_INFORMED/.test(e.message) && Date.now() < until ? null : Promise.reject(e)));
  if (granted) break;
  await new Promise((r) => setTimeout(r, 200));
}
step("a French organisation's request for the posters was granted once the federal prosecutor's office and the cell were e-mailed (protocol §2.3.3.4)", `${granted.data.requests.at(-1).posters.length} posters`);
const { data: view } = await call("GET", `/alerts/${alertId}`, undefined, staff.cell.cookie);
const updated = view.versions.find((v) => v.id === view.currentVersionId).content;
const savedAt = Date.now();
const { data: saved } = await call("PUT", `/alerts/${alertId}/content`, {
  content: {
    ...updated,
    vehicle: {
      description: {
        fr: "Camionnette bleu foncé, vue sur l'E411 vers Namur",
        nl: "Donkerblauwe bestelwagen, gezien op de E411 richting Namen",
        de: "Dunkelblauer Lieferwagen, gesehen auf der E411 Richtung Namur",
        en: "Dark blue van, seen on the E411 towards Namur",
      },
      plate: updated.vehicle?.plate,
    },
  },
}, staff.cell.cookie);
// The new version's poster set: the first job decodes the photo once, then one job per poster.
for (let set; ; await new Promise((r) => setTimeout(r, 250))) {
  set = (await call("GET", `/alerts/${alertId}/posters`, undefined, staff.cell.cookie)).data;
  if (set.versionId === saved.versionId && set.status === "ready") {
    step("version 2's poster set rendered (photo decoded once, one job per poster)", `${set.posters.length} posters stored ${((Date.now() - savedAt) / 1000).toFixed(1)} s after the save`);
    break;
  }
  if (Date.now() - savedAt > 60_000) throw new Error(`version 2's posters: ${set.posters.length} of ${set.expected} after 60 s`);
}
await signOff(origin, staff, "magistrate", alertId, "authorisation", DECISION);
step("cell updated the vehicle; the magistrate authorised the update", "version 2 replaces version 1 everywhere");
await waitFor("update", citizens.length);
step("the update replaced the alert on every device", `${citizens.length} update messages, same tag, version 2`);
for (const to of readers) await mailFor(to, (x) => x.headers["x-child-alert"]?.includes(`${alertId}; event=update`), "update");
step("update e-mails delivered", `${readers.length} of ${readers.length}, with the new vehicle`);
const socialUpdated = await waitSocial("update", (ps) => Object.keys(socialIds).every((n) => ps.some((p) => p.network === n && p.live && p.version === 2)));
step("social posts updated: edited in place (Mastodon, Telegram) or re-posted with the old one deleted (Bluesky, X, Facebook)", `${socialUpdated.filter((p) => p.live).length} live, ${socialUpdated.filter((p) => !p.live).length} deleted`);
const stop = await call("POST", `/alerts/${alertId}/stop`, { reason: "found_safe" }, staff.magistrate.cookie);
step("magistrate stopped it: child found safe", `state ${stop.data.state}`);
await waitFor("stop", citizens.length);
step("\"found — thank you\" replaced the alert on every device", `${citizens.length} stop messages, same tag`);
// The drill's partner feeds (its CAP messages are for the opted-in partner's key only): the current message is the Cancel.
const withKey = { headers: { Authorization: `Bearer ${partnerKeys.be}` } };
const afterFeed = await (await fetch(`${origin}/api/v1/feeds/partner.json`, withKey)).json();
let cancelId = null;
let cancel = "";
for (let n = 1; n <= 20 && !cancelId; n++) {
  const res = await fetch(`${origin}/api/v1/feeds/cap/${alertId}.${n}.xml`, withKey);
  if (res.ok) [cancelId, cancel] = [`${alertId}.${n}`, await res.text()];
  else await res.body?.cancel();
}
if (afterFeed.alerts.some((a) => a.id === alertId) || !cancel.includes("<msgType>Cancel</msgType>")) throw new Error("the stop did not reach the feeds");
step("the feeds dropped it; CAP says Cancel (no name)", `${cancelId}`);
const ended = (await call("POST", "/verify", { text: `${origin}/verify/${alertId}?v=1` })).data;
if (ended.verdict !== "genuine_ended") throw new Error(`a stopped alert's poster QR checks as ${ended.verdict}`);
step("its posters' QR codes now say: genuine, but ended — please stop sharing it", ended.official.url);
const afterStop = await waitSocial("stop", (ps) => Object.keys(socialIds).every((n) => ps.some((p) => p.network === n && p.type === "stop" && p.live)) && !ps.some((p) => p.live && p.type !== "stop"));
step("every social post with the child's face deleted; 'found — thank you' posted", `${afterStop.filter((p) => !p.live).length} deleted, ${afterStop.filter((p) => p.live).length} stop posts · ${socialBase}/__posts?alert=${alertId}`);
for (const hook of Object.values(partners)) await waitHook(hook, "alert.stopped");
step("both partners' webhooks got alert.stopped", `${hooksBase}/__messages`);
for (const to of readers) {
  const m = await mailFor(to, (x) => x.headers["x-child-alert"]?.includes(`${alertId}; event=stop`), "stop");
  step("stop e-mail delivered (no name, no photo)", `${to}: "${m.subject}"`);
}
await mailFor(DEMO_MAILBOXES.cell, (x) => x.headers["x-child-alert"] === "notice; event=stopped" && x.text.includes(alertId), "rule 9 stop notice");
step("the cell was e-mailed the stop (rule 9)", DEMO_MAILBOXES.cell);
console.log(`           the e-mails, as their readers see them: ${mailBase}/`);
// Each broadcast's outcome per channel is appended to the audit trail when it finishes.
let trail;
for (let i = 0; i < 100; i++) {
  ({ data: trail } = await call("GET", `/alerts/${alertId}/audit`, undefined, staff.operator.cookie));
  if (trail.entries.filter((e) => e.action === "broadcast_completed").length >= 6) break;
  await new Promise((r) => setTimeout(r, 100));
}
step("audit trail read", `${trail.entries.length} entries for this alert, chain ${trail.chain.ok ? "intact" : "BROKEN"}`);
for (const e of trail.entries.filter((x) => x.action === "broadcast_completed")) {
  const d = JSON.parse(e.details);
  console.log(`           broadcast ${d.event.padEnd(6)} on ${d.channel}: ${d.sent} sent, ${d.failed} failed, ${d.removed} removed, ${d.fenced} held by the stop (${d.outcome})`);
}

// The drill's scorecard (issue 27): every step timed against the targets, kept once withdrawn everywhere.
let card;
for (let i = 0; i < 100; i++) {
  ({ data: card } = await call("GET", `/drills/${alertId}`, undefined, staff.operator.cookie));
  if (card.complete) break;
  await new Promise((r) => setTimeout(r, 100));
}
if (!card.complete) throw new Error("the drill's scorecard is not complete 10 s after the stop");
step("the drill's scorecard is kept (times only, no child data)", `${origin}/drills/${alertId}`);
for (const line of scorecardLines(card, { steps: false })) console.log(`         ${line}`);
// …and every channel's far side checked, as the readiness screen shows it.
const { data: ready } = await call("POST", "/readiness/check", {}, staff.operator.cookie);
step("readiness: each channel's far side checked", ready.channels.map((c) => `${c.channel} ${c.status}`).join(", "));

// The same drill from the command line, as a scheduler would run it against any origin: a team of drill seats (exercises only).
const cli = spawnSync(process.execPath, [join(ROOT, "scripts", "drill.mjs"), "--port", String(a.port ?? DEFAULT_PORT)], { cwd: ROOT, encoding: "utf8" });
if (cli.status !== 0) {
  process.stderr.write(cli.stdout + cli.stderr);
  throw new Error(`npm run drill ended with ${cli.status}`);
}
step("npm run drill: the whole drill again from the command line, by a team of drill seats (exercises only)", cli.stdout.trim().split("\n").at(-1));

console.log(`\nDraft → sign-offs → authorisation → launch → update → stop over the API: ${Math.round(performance.now() - tDrill)} ms.`);

// Every sign-off re-checked offline from the database alone (passkey signatures, what they bind).
console.log(`\nnpm run signoffs:verify -- ${alertId}`);
const verify = spawnSync(process.execPath, [join(ROOT, "scripts", "signoffs-verify.mjs"), alertId, "--origin", origin], { cwd: ROOT, encoding: "utf8" });
process.stdout.write(verify.stdout.replace(/^/gm, "  "));
if (verify.status !== 0) process.stderr.write(verify.stderr);
if (!trail.chain.ok || verify.status !== 0) process.exit(1);
