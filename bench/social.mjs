// bench:social — how long from the launch until every official account's post is up,
// and from the stop until every post with the child's face is deleted, under `npm start`
// conditions (wrangler dev, local queues), against the five networks' stand-ins answering
// each call after a realistic 100–300 ms. Fifteen accounts: French, Dutch and German on
// Mastodon, Bluesky, X, Facebook and Telegram. The posters are rendered before the launch,
// as they are during a real concertation (the time is printed, not counted).
//   ours  the Worker: one queue per network, up to 4 accounts at a time per page job,
//         media uploaded before the stop-fence lease;
//   peer  the same API calls (same stand-in, same latency, same poster) made one after
//         another by a plain script, as a cron job posting account by account would.
//   RESULT social ours=<launch+stop>ms peer=<launch+stop>ms ratio=<peer/ours>
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import OAuth from "oauth-1.0a";
import { demoContentIn, DEMO_FILE } from "../scripts/seed.mjs";
import { freshSocialAccount } from "../e2e/lib/social-accounts.mjs";
import { concert, signOff, DECISION } from "../scripts/lib/drill.mjs";
import { ourStack } from "./lib.mjs";

const NETWORKS = ["mastodon", "bluesky", "x", "facebook", "telegram"];
const LANGS = ["fr", "nl", "de"];
const LATENCY = [100, 300];

const account = (network, origin) => freshSocialAccount(network, origin);

/** The peer: each network's documented calls for one post, then for its deletion, one after another. */
function peerClient(origin) {
  const json = async (res) => {
    if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
    return res.json();
  };
  const png = (bytes) => new Blob([bytes], { type: "image/png" });
  return {
    async post(network, a, text, alt, poster) {
      const c = a.credentials;
      if (network === "mastodon") {
        let media = null;
        if (poster) {
          const form = new FormData();
          form.append("file", png(poster), "poster.png");
          form.append("description", alt);
          media = await json(await fetch(`${a.target}/api/v2/media`, { method: "POST", headers: { Authorization: `Bearer ${c.accessToken}` }, body: form }));
        }
        const s = await json(await fetch(`${a.target}/api/v1/statuses`, { method: "POST", headers: { Authorization: `Bearer ${c.accessToken}`, "Content-Type": "application/json" }, body: JSON.stringify({ status: text, ...(media ? { media_ids: [media.id] } : {}) }) }));
        return { id: s.id };
      }
      if (network === "bluesky") {
        const session = await json(await fetch(`${a.target}/xrpc/com.atproto.server.createSession`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ identifier: c.identifier, password: c.appPassword }) }));
        const auth = { Authorization: `Bearer ${session.accessJwt}` };
        const blob = poster && (await json(await fetch(`${a.target}/xrpc/com.atproto.repo.uploadBlob`, { method: "POST", headers: { ...auth, "Content-Type": "image/png" }, body: poster })));
        const record = { $type: "app.bsky.feed.post", text: text.slice(0, 250), createdAt: new Date().toISOString(), ...(blob ? { embed: { $type: "app.bsky.embed.images", images: [{ alt, image: blob.blob }] } } : {}) };
        const link = /https?:\/\/\S+/.exec(text)?.[0];
        if (link) {
          record.text = `${record.text.replace(link, "").slice(0, 200)} ${link}`;
          const start = Buffer.byteLength(record.text.slice(0, record.text.lastIndexOf(link)));
          record.facets = [{ index: { byteStart: start, byteEnd: start + Buffer.byteLength(link) }, features: [{ $type: "app.bsky.richtext.facet#link", uri: link }] }];
        }
        const r = await json(await fetch(`${a.target}/xrpc/com.atproto.repo.createRecord`, { method: "POST", headers: { ...auth, "Content-Type": "application/json" }, body: JSON.stringify({ repo: session.did, collection: "app.bsky.feed.post", record }) }));
        return { id: r.uri, did: session.did, auth };
      }
      if (network === "x") {
        const oauth = new OAuth({ consumer: { key: c.consumerKey, secret: c.consumerSecret }, signature_method: "HMAC-SHA1", hash_function: (base, key) => createHmac("sha1", key).update(base).digest("base64") });
        const sign = (url, method) => oauth.toHeader(oauth.authorize({ url, method }, { key: c.accessToken, secret: c.accessTokenSecret })).Authorization;
        let up = null;
        if (poster) {
          const form = new FormData();
          form.append("media", png(poster), "poster.png");
          form.append("media_category", "tweet_image");
          up = await json(await fetch(`${origin}/2/media/upload`, { method: "POST", headers: { Authorization: sign(`${origin}/2/media/upload`, "POST") }, body: form }));
          await json(await fetch(`${origin}/2/media/metadata`, { method: "POST", headers: { Authorization: sign(`${origin}/2/media/metadata`, "POST"), "Content-Type": "application/json" }, body: JSON.stringify({ id: up.data.id, metadata: { alt_text: { text: alt.slice(0, 1000) } } }) }));
        }
        const t = await json(await fetch(`${origin}/2/tweets`, { method: "POST", headers: { Authorization: sign(`${origin}/2/tweets`, "POST"), "Content-Type": "application/json" }, body: JSON.stringify({ text, ...(up ? { media: { media_ids: [up.data.id] } } : {}) }) }));
        return { id: t.data.id, sign };
      }
      if (network === "facebook") {
        const proof = createHmac("sha256", c.appSecret).update(c.pageAccessToken).digest("hex");
        let photo = null;
        if (poster) {
          const form = new FormData();
          form.append("source", png(poster), "poster.png");
          form.append("alt_text_custom", alt);
          form.append("published", "false");
          form.append("access_token", c.pageAccessToken);
          form.append("appsecret_proof", proof);
          photo = await json(await fetch(`${origin}/v21.0/${a.target}/photos`, { method: "POST", body: form }));
        }
        const feed = new FormData();
        feed.append("message", text);
        if (photo) feed.append("attached_media[0]", JSON.stringify({ media_fbid: photo.id }));
        feed.append("access_token", c.pageAccessToken);
        feed.append("appsecret_proof", proof);
        const p = await json(await fetch(`${origin}/v21.0/${a.target}/feed`, { method: "POST", body: feed }));
        return { id: p.id, proof };
      }
      if (!poster) {
        const m = await json(await fetch(`${origin}/bot${c.botToken}/sendMessage`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ chat_id: a.target, text }) }));
        return { id: m.result.message_id };
      }
      const form = new FormData();
      form.append("chat_id", a.target);
      form.append("caption", text.slice(0, 1024));
      form.append("photo", png(poster), "poster.png");
      const m = await json(await fetch(`${origin}/bot${c.botToken}/sendPhoto`, { method: "POST", body: form }));
      return { id: m.result.message_id };
    },
    async remove(network, a, p) {
      const c = a.credentials;
      if (network === "mastodon") return json(await fetch(`${a.target}/api/v1/statuses/${p.id}`, { method: "DELETE", headers: { Authorization: `Bearer ${c.accessToken}` } }));
      if (network === "bluesky") return json(await fetch(`${a.target}/xrpc/com.atproto.repo.deleteRecord`, { method: "POST", headers: { ...p.auth, "Content-Type": "application/json" }, body: JSON.stringify({ repo: p.did, collection: "app.bsky.feed.post", rkey: p.id.split("/").at(-1) }) }));
      if (network === "x") return json(await fetch(`${origin}/2/tweets/${p.id}`, { method: "DELETE", headers: { Authorization: p.sign(`${origin}/2/tweets/${p.id}`, "DELETE") } }));
      if (network === "facebook") return json(await fetch(`${origin}/v21.0/${p.id}?access_token=${encodeURIComponent(c.pageAccessToken)}&appsecret_proof=${p.proof}`, { method: "DELETE" }));
      return json(await fetch(`${origin}/bot${c.botToken}/deleteMessage`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ chat_id: a.target, message_id: p.id }) }));
    },
  };
}

const ours = await ourStack({ socialLatencyMs: LATENCY });
try {
  const { stack, staff, call } = ours;
  const social = stack.social.origin;
  const register = (list) => fetch(`${social}/__register`, { method: "POST", body: JSON.stringify(list) });

  // Our accounts, through the admin API, and the peer's (same networks, same languages).
  const mine = [];
  const peers = [];
  for (const network of NETWORKS)
    for (const lang of LANGS) {
      const a = account(network, social);
      const { data } = await call("POST", "/admin/social-accounts", { network, name: `@bench_${network}_${lang}`, lang, regions: ["BE"], target: a.target, credentials: a.credentials }, staff.admin.cookie);
      await register([{ id: data.account.id, network, ...a }]);
      mine.push(data.account.id);
      const p = { id: `peer-${network}-${lang}`, network, ...account(network, social) };
      await register([p]);
      peers.push(p);
    }

  const { data } = await call("POST", "/alerts", { exercise: false, content: demoContentIn(LANGS, { targeting: { regions: ["BE"], languages: LANGS } }), file: DEMO_FILE }, staff.cell.cookie);
  const id = data.alertId;
  await concert(stack.origin, staff, id, () => {}, { authorise: false });
  await signOff(stack.origin, staff, "magistrate", id, "authorisation", DECISION);
  const posts = async () => (await (await fetch(`${social}/__posts?alert=${id}`)).json()).filter((p) => mine.includes(p.owner));
  const until = async (what, ok) => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const ps = await posts();
      if (ok(ps)) return ps;
      if (Date.now() > deadline) throw new Error(`${what}: not done in 120 s (${ps.length} posts)`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  // As in a real alert, the posters were rendered (and previewed) during the concertation, before the launch.
  const tr = Date.now();
  for (;;) {
    const { data: set } = await call("GET", `/alerts/${id}/posters`, undefined, staff.operator.cookie);
    if (set.status === "ready") break;
    if (Date.now() - tr > 120_000) throw new Error("posters not rendered in 120 s");
    await new Promise((r) => setTimeout(r, 200));
  }
  console.log(`posters rendered ${Date.now() - tr} ms after the authorisation (before the launch, as in a real alert)`);
  const t0 = Date.now();
  await call("POST", `/alerts/${id}/launch`, undefined, staff.cell.cookie);
  await until("launch", (ps) => ps.filter((p) => p.type === "alert").length === mine.length);
  const launchMs = Date.now() - t0;
  const accepted = (await (await fetch(`${social}/__messages?alert=${id}`)).json()).filter((m) => mine.includes(m.id));
  const byNet = (type, from) => NETWORKS.map((n) => `${n} ${accepted.filter((m) => m.network === n && m.type === type).map((m) => m.at - from).sort((a, b) => a - b).join("/")}`).join(", ");
  console.log(`posted (ms after the launch): ${byNet("alert", t0)}`);
  const t1 = Date.now();
  await call("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, staff.cell.cookie);
  await until("stop", (ps) => ps.filter((p) => p.type === "alert" && !p.live).length === mine.length && ps.filter((p) => p.type === "stop").length === mine.length);
  const stopMs = Date.now() - t1;
  const calls = (await (await fetch(`${social}/__calls`)).json()).calls;

  // The peer: a poster of the same kind (the README's square poster), one call after another.
  const usePoster = new Uint8Array(readFileSync(new URL("../docs/screenshots/poster-square-fr.png", import.meta.url)));
  const text = `ENLÈVEMENT — ENFANT EN DANGER: Noa Voorbeeld, 8 ans. Vu pour la dernière fois à Namur. 116 000. ${stack.origin}/alert/${crypto.randomUUID()}?lang=fr&v=1`;
  const alt = "Affiche de l'alerte (avec la photo de l'enfant): ".padEnd(600, "x");
  const peer = peerClient(social);
  const p0 = Date.now();
  const done = [];
  for (const p of peers) done.push([p, await peer.post(p.network, p, text, alt, usePoster)]);
  const peerLaunch = Date.now() - p0;
  const p1 = Date.now();
  for (const [p, r] of done) await peer.remove(p.network, p, r);
  for (const p of peers) await peer.post(p.network, p, `TROUVÉE. Merci. ${stack.origin}/alert/${crypto.randomUUID()}?lang=fr`, alt, null);
  const peerStop = Date.now() - p1;

  console.log(`15 accounts (5 networks × FR/NL/DE), every stand-in call ${LATENCY[0]}–${LATENCY[1]} ms`);
  console.log(`ours: launch → all posted ${launchMs} ms; stop → all deleted and 'found' posted ${stopMs} ms (${calls} network calls in all, both runs)`);
  console.log(`peer: posted one after another ${peerLaunch} ms; deleted + 'found' one after another ${peerStop} ms`);
  const o = launchMs + stopMs;
  const p = peerLaunch + peerStop;
  console.log(`RESULT social ours=${o}ms peer=${p}ms ratio=${(p / o).toFixed(2)}`);
} finally {
  await ours.stack.close();
}
