// Local stand-ins for the five social networks, each following its documented HTTP API
// (paths, auth, media-upload steps, answers, error bodies, 429 behaviour), for the channel
// contract suite (vitest.config.ts routes the networks' test hosts here), `npm start` and
// the benchmark. One handler serves all five: the paths do not overlap.
//   Mastodon   /api/v2/media, /api/v1/media/:id, /api/v1/statuses[/:id]   Bearer token, Idempotency-Key
//   Bluesky    /xrpc/com.atproto.server.createSession, …repo.uploadBlob, …repo.createRecord, …repo.deleteRecord
//              (records validated with the official lexicons of @atproto/api)
//   X          /2/media/upload, /2/media/metadata, /2/tweets[/:id]          OAuth 1.0a, checked with the oauth-1.0a package
//   Facebook   /v21.0/{page-id}/photos, /v21.0/{page-id}/feed, DELETE /v21.0/{post-id}   Page token, appsecret_proof
//   Telegram   /bot<token>/sendPhoto, sendMessage, editMessageMedia, deleteMessage
// and each network's harmless credentials check (channel health, issue 27): Mastodon GET
// /api/v1/accounts/verify_credentials, Bluesky createSession, X GET /2/users/me, Facebook
// GET /v21.0/{page-id}?fields=id,name, Telegram getMe. A check fails like a post does: an
// account forgotten (/__forget: its credentials no longer valid) or given a behaviour.
// Control (tests only):
//   POST /__register [{id, network, credentials, target, handle}]   an account as the network knows it
//   POST /__behaviour {id, status, retryAfter, times, delayMs, refuseDelete}
//   GET  /__messages?alert=<id>   accepted posts and edits: [{id, network, type, version, at, postId, text, alt, media}]
//   GET  /__posts?alert=<id>      every post with its state (live / deleted)
//   POST /__forget [ids]
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import OAuth from "oauth-1.0a";
import { AppBskyFeedPost, jsonToLex } from "@atproto/api";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";

const LINK = /\/alert\/([0-9a-f-]{36})\?lang=[a-z]{2}(?:&v=(\d+))?/;
const json = (body, status = 200, headers = {}) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const graphemes = (s) => [...new Intl.Segmenter("en", { granularity: "grapheme" }).segment(s)].length;
const mastodonLength = (s) => [...s.replace(/https?:\/\/\S+/g, "x".repeat(23))].length;

export class SocialStandIn {
  constructor({ latencyMs = 0 } = {}) {
    /** Per call, as a real network answers (the benchmark's 100–300 ms): [min, max]. */
    this.latency = Array.isArray(latencyMs) ? latencyMs : [latencyMs, latencyMs];
    this.accounts = new Map(); // id → {network, credentials, target, handle}
    this.behaviours = new Map();
    this.media = new Map(); // media id → {owner, size, alt}
    this.posts = new Map(); // network post id → {owner, network, alertId, type, version, text, live}
    this.accepted = []; // {id, network, type, version, at, postId, alertId, text, alt, media}
    this.sessions = new Map(); // Bluesky access JWT → account id
    this.idempotency = new Map();
    this.calls = 0;
    this.oauth = new Map(); // X consumer key + token → account
    this.seq = 1000;
  }

  register(list) {
    for (const a of list) {
      this.accounts.set(a.id, a);
      if (a.network === "x") this.oauth.set(`${a.credentials.consumerKey} ${a.credentials.accessToken}`, a.id);
    }
  }

  async handle(request) {
    const url = new URL(request.url);
    const p = url.pathname;
    if (p === "/__register") {
      const body = await request.json();
      this.register(Array.isArray(body) ? body : [body]);
      return new Response(null, { status: 204 });
    }
    if (p === "/__behaviour") {
      const b = await request.json();
      this.behaviours.set(b.id, { ...b, left: b.times ?? Infinity });
      return new Response(null, { status: 204 });
    }
    if (p === "/__forget") {
      for (const id of await request.json()) this.accounts.delete(id);
      return new Response(null, { status: 204 });
    }
    if (p === "/__messages") {
      const alert = url.searchParams.get("alert");
      return json(this.accepted.filter((m) => !alert || m.alertId === alert));
    }
    if (p === "/__posts") {
      const alert = url.searchParams.get("alert");
      return json([...this.posts.entries()].filter(([, x]) => !alert || x.alertId === alert).map(([postId, x]) => ({ postId, ...x })));
    }
    if (p === "/__calls") return json({ calls: this.calls });
    this.calls++;
    const [lo, hi] = this.latency;
    if (hi > 0) await sleep(lo + Math.random() * (hi - lo));
    if (p.startsWith("/api/")) return this.mastodon(request, url);
    if (p.startsWith("/xrpc/")) return this.bluesky(request, url);
    if (p.startsWith("/2/")) return this.x(request, url);
    if (/^\/v\d+\.\d+\//.test(p)) return this.facebook(request, url);
    if (p.startsWith("/bot")) return this.telegram(request, url);
    return new Response("not found", { status: 404 });
  }

  /** Applies an account's behaviour: a delay, and an error in the network's own shape while `times` lasts. */
  async behave(id, request, errorOf) {
    const b = this.behaviours.get(id);
    if (!b) return null;
    if (b.delayMs) await sleep(b.delayMs);
    if (b.refuseDelete && request.isDelete) return errorOf("refuseDelete", b);
    if (b.status && b.left > 0) {
      b.left--;
      return errorOf(b.status, b);
    }
    return null;
  }

  record(owner, network, postId, text, extra) {
    const m = LINK.exec(text ?? "");
    if (!m) throw new Error(`${network} post without the alert's link`);
    const [, alertId, v] = m;
    const seen = this.accepted.some((x) => x.id === owner && x.alertId === alertId && x.type !== "stop");
    const type = v ? (seen ? "update" : "alert") : "stop";
    const entry = { id: owner, network, type, version: v ? Number(v) : 0, at: Date.now(), postId, alertId, text, ...extra };
    this.accepted.push(entry);
    const prior = this.posts.get(postId);
    this.posts.set(postId, { owner, network, alertId, type, version: entry.version, text, live: true, media: !!extra.media, edits: prior ? prior.edits + 1 : 0 });
    return entry;
  }

  // ---------------------------------------------------------------- Mastodon
  async mastodon(request, url) {
    const token = /^Bearer (.+)$/.exec(request.headers.get("Authorization") ?? "")?.[1];
    const id = [...this.accounts.values()].find((a) => a.network === "mastodon" && a.credentials.accessToken === token && url.origin === new URL(a.target).origin)?.id;
    if (!id) return json({ error: "The access token is invalid" }, 401);
    const err = await this.behave(id, { isDelete: request.method === "DELETE" }, (status, b) => {
      if (status === "refuseDelete") return json({ error: "This action is not allowed" }, 403);
      if (status === 429) return json({ error: "Too many requests" }, 429, { "X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": new Date(Date.now() + (b.retryAfter ?? 1) * 1000).toISOString() });
      return json({ error: `Error ${status}` }, status);
    });
    if (err) return err;
    const p = url.pathname;
    if (p === "/api/v1/accounts/verify_credentials" && request.method === "GET") {
      const handle = this.accounts.get(id).handle ?? id;
      return json({ id: String(this.seq++), username: handle, acct: handle, display_name: handle, locked: false, bot: false });
    }
    if (p === "/api/v2/media" && request.method === "POST") {
      const form = await request.formData();
      const file = form.get("file");
      if (!(file instanceof Blob) || !file.size) return json({ error: "Validation failed: File can't be blank" }, 422);
      if (!/^image\/(png|jpeg|webp|gif)$/.test(file.type)) return json({ error: "Validation failed: File content type is invalid" }, 422);
      const description = form.get("description");
      if (description && String(description).length > 1500) return json({ error: "Validation failed: Description is too long (maximum is 1500 characters)" }, 422);
      const mid = String(this.seq++);
      this.media.set(mid, { owner: id, size: file.size, alt: description ? String(description) : null });
      return json({ id: mid, type: "image", url: `${url.origin}/media/${mid}.png`, description: description ?? null });
    }
    const mediaGet = /^\/api\/v1\/media\/(\w+)$/.exec(p);
    if (mediaGet) {
      const m = this.media.get(mediaGet[1]);
      return m && m.owner === id ? json({ id: mediaGet[1], type: "image", url: `${url.origin}/media/${mediaGet[1]}.png` }) : json({ error: "Record not found" }, 404);
    }
    const statusBody = async () => {
      const b = (request.headers.get("Content-Type") ?? "").includes("json") ? await request.json() : Object.fromEntries(await request.formData());
      const mediaIds = b.media_ids ?? [];
      if (!b.status && !mediaIds.length) return { error: json({ error: "Validation failed: Text can't be blank" }, 422) };
      if (mastodonLength(b.status ?? "") > 500) return { error: json({ error: "Validation failed: Text character limit of 500 exceeded" }, 422) };
      for (const m of mediaIds) if (this.media.get(m)?.owner !== id) return { error: json({ error: "Record not found" }, 404) };
      return { b, mediaIds };
    };
    if (p === "/api/v1/statuses" && request.method === "POST") {
      const key = request.headers.get("Idempotency-Key");
      if (key && this.idempotency.has(`${id}|${key}`)) return json(this.idempotency.get(`${id}|${key}`));
      const { b, mediaIds, error } = await statusBody();
      if (error) return error;
      const sid = String(this.seq++);
      const status = { id: sid, url: `${url.origin}/@${this.accounts.get(id).handle ?? id}/${sid}`, content: b.status, language: b.language ?? null, visibility: b.visibility ?? "public" };
      this.record(id, "mastodon", `m:${sid}`, b.status, { media: mediaIds.length, alt: this.media.get(mediaIds[0])?.alt ?? null });
      if (key) this.idempotency.set(`${id}|${key}`, status);
      return json(status);
    }
    const one = /^\/api\/v1\/statuses\/(\w+)$/.exec(p);
    if (one) {
      const post = this.posts.get(`m:${one[1]}`);
      if (!post || !post.live || post.owner !== id) return json({ error: "Record not found" }, 404);
      if (request.method === "DELETE") {
        post.live = false;
        post.deletedAt = Date.now();
        return json({ id: one[1], text: post.text });
      }
      if (request.method === "PUT") {
        const { b, mediaIds, error } = await statusBody();
        if (error) return error;
        this.record(id, "mastodon", `m:${one[1]}`, b.status, { media: mediaIds.length, alt: this.media.get(mediaIds[0])?.alt ?? null, edit: true });
        return json({ id: one[1], url: `${url.origin}/@${this.accounts.get(id).handle ?? id}/${one[1]}`, content: b.status, edited_at: new Date().toISOString() });
      }
    }
    return json({ error: "Record not found" }, 404);
  }

  // ---------------------------------------------------------------- Bluesky (XRPC)
  async bluesky(request, url) {
    const nsid = url.pathname.slice("/xrpc/".length);
    const xrpcError = (status, error, message, headers = {}) => json({ error, message }, status, headers);
    if (nsid === "com.atproto.server.createSession") {
      const { identifier, password } = await request.json();
      const a = [...this.accounts.values()].find((x) => x.network === "bluesky" && x.credentials.identifier === identifier && x.credentials.appPassword === password && url.origin === new URL(x.target).origin);
      if (!a) return xrpcError(401, "AuthenticationRequired", "Invalid identifier or password");
      const err = await this.behave(a.id, {}, (s, b) => this.blueskyError(s, b));
      if (err) return err;
      const accessJwt = `acc.${randomBytes(16).toString("hex")}`;
      this.sessions.set(accessJwt, a.id);
      return json({ did: `did:plc:${a.id.replace(/-/g, "").slice(0, 24)}`, handle: a.handle ?? identifier, accessJwt, refreshJwt: `ref.${randomBytes(16).toString("hex")}`, active: true });
    }
    const id = this.sessions.get(/^Bearer (.+)$/.exec(request.headers.get("Authorization") ?? "")?.[1]);
    if (!id) return xrpcError(401, "AuthenticationRequired", "Authentication Required");
    const did = `did:plc:${id.replace(/-/g, "").slice(0, 24)}`;
    const err = await this.behave(id, { isDelete: nsid === "com.atproto.repo.deleteRecord" }, (s, b) => this.blueskyError(s, b));
    if (err) return err;
    if (nsid === "com.atproto.repo.uploadBlob") {
      const bytes = new Uint8Array(await request.arrayBuffer());
      if (bytes.length > 1_000_000) return xrpcError(400, "BlobTooLarge", "This file is too large. It is 1.0MB but the maximum size is 976.56KB.");
      const cid = CID.create(1, 0x55, await sha256.digest(bytes)).toString();
      this.media.set(`${id}|${cid}`, { owner: id, size: bytes.length }); // blobs belong to one repo
      return json({ blob: { $type: "blob", ref: { $link: cid }, mimeType: request.headers.get("Content-Type") ?? "application/octet-stream", size: bytes.length } });
    }
    if (nsid === "com.atproto.repo.createRecord") {
      const b = await request.json();
      if (b.repo !== did && b.repo !== this.accounts.get(id).handle) return xrpcError(400, "InvalidRequest", "Invalid repo");
      if (b.collection !== "app.bsky.feed.post") return xrpcError(400, "InvalidRequest", "Unsupported collection");
      const record = jsonToLex(b.record);
      const valid = AppBskyFeedPost.validateRecord({ $type: "app.bsky.feed.post", ...record });
      if (!valid.success) return xrpcError(400, "InvalidRequest", `Invalid app.bsky.feed.post record: ${valid.error.message}`);
      const images = b.record.embed?.images ?? [];
      for (const img of images) if (!this.media.has(`${id}|${img.image?.ref?.$link}`)) return xrpcError(400, "InvalidRequest", `Could not find blob: ${img.image?.ref?.$link}`);
      // Facets must point inside the text, on UTF-8 byte boundaries.
      const textBytes = Buffer.from(b.record.text, "utf8");
      for (const f of b.record.facets ?? []) {
        const { byteStart, byteEnd } = f.index;
        if (byteEnd > textBytes.length || byteStart >= byteEnd) return xrpcError(400, "InvalidRequest", "Invalid facet index");
        const slice = textBytes.subarray(byteStart, byteEnd).toString("utf8");
        if (!slice.trim()) return xrpcError(400, "InvalidRequest", "Facet covers no text");
      }
      const rkey = (BigInt(Date.now()) * 1000n + BigInt(this.seq++ % 1000)).toString(32).padStart(13, "2");
      const uri = `at://${did}/app.bsky.feed.post/${rkey}`;
      const cid = CID.create(1, 0x71, await sha256.digest(Buffer.from(JSON.stringify(b.record)))).toString();
      // The alert's link is in a link facet (the text shows it short, as Bluesky's apps do).
      const links = (b.record.facets ?? []).flatMap((f) => f.features.filter((x) => x.$type === "app.bsky.richtext.facet#link").map((x) => x.uri));
      this.record(id, "bluesky", uri, `${b.record.text}\n${links.join("\n")}`, { media: images.length, alt: images[0]?.alt ?? null, facets: (b.record.facets ?? []).length, langs: b.record.langs });
      return json({ uri, cid, validationStatus: "valid" });
    }
    if (nsid === "com.atproto.repo.deleteRecord") {
      const b = await request.json();
      if (b.repo !== did) return xrpcError(400, "InvalidRequest", "Invalid repo");
      const post = this.posts.get(`at://${did}/${b.collection}/${b.rkey}`);
      if (post) {
        post.live = false;
        post.deletedAt = Date.now();
      }
      return json({}); // deleting a missing record succeeds
    }
    return xrpcError(501, "MethodNotImplemented", "Method Not Implemented");
  }

  blueskyError(status, b) {
    if (status === "refuseDelete") return json({ error: "Forbidden", message: "refused" }, 403);
    if (status === 429) {
      const reset = Math.floor(Date.now() / 1000) + (b.retryAfter ?? 1);
      return json({ error: "RateLimitExceeded", message: "Rate Limit Exceeded" }, 429, { "ratelimit-limit": "5000", "ratelimit-remaining": "0", "ratelimit-reset": String(reset), "ratelimit-policy": "5000;w=3600" });
    }
    return json({ error: status >= 500 ? "InternalServerError" : "Forbidden", message: `Error ${status}` }, status);
  }

  // ---------------------------------------------------------------- X (API v2, OAuth 1.0a)
  async x(request, url) {
    const problem = (status, title, detail, headers = {}) => json({ title, detail, type: "about:blank", status }, status, headers);
    const header = request.headers.get("Authorization") ?? "";
    if (!header.startsWith("OAuth ")) return problem(401, "Unauthorized", "Unauthorized");
    const params = Object.fromEntries([...header.slice(6).matchAll(/([\w]+)="([^"]*)"/g)].map(([, k, v]) => [decodeURIComponent(k), decodeURIComponent(v)]));
    const id = this.oauth.get(`${params.oauth_consumer_key} ${params.oauth_token}`);
    const a = id && this.accounts.get(id);
    if (!a) return problem(401, "Unauthorized", "Unauthorized");
    // The signature, recomputed by an independent OAuth 1.0a implementation.
    const oauth = new OAuth({ consumer: { key: a.credentials.consumerKey, secret: a.credentials.consumerSecret }, signature_method: "HMAC-SHA1", hash_function: (base, key) => createHmac("sha1", key).update(base).digest("base64") });
    const { oauth_signature, ...signed } = params;
    const expected = oauth.getSignature({ url: request.url, method: request.method, data: {} }, a.credentials.accessTokenSecret, signed);
    if (expected !== oauth_signature || Math.abs(Number(params.oauth_timestamp) - Date.now() / 1000) > 300) return problem(401, "Unauthorized", "Unauthorized");
    const nonceKey = `${params.oauth_consumer_key}|${params.oauth_nonce}`;
    if (this.idempotency.has(nonceKey)) return problem(401, "Unauthorized", "Unauthorized");
    this.idempotency.set(nonceKey, true);
    const err = await this.behave(id, { isDelete: request.method === "DELETE" }, (status, b) => {
      if (status === "refuseDelete") return problem(403, "Forbidden", "You are not permitted to perform this action.");
      if (status === 429) return problem(429, "Too Many Requests", "Too Many Requests", { "x-rate-limit-limit": "100", "x-rate-limit-remaining": "0", "x-rate-limit-reset": String(Math.floor(Date.now() / 1000) + (b.retryAfter ?? 1)) });
      return problem(status, status >= 500 ? "Service Unavailable" : "Forbidden", `Error ${status}`);
    });
    if (err) return err;
    const p = url.pathname;
    if (p === "/2/users/me" && request.method === "GET") return json({ data: { id: String(1e15 + this.seq++), name: a.handle ?? id, username: (a.handle ?? id).replace(/^@/, "") } });
    if (p === "/2/media/upload" && request.method === "POST") {
      const form = await request.formData();
      const media = form.get("media");
      if (!(media instanceof Blob) || !media.size) return problem(400, "Invalid Request", "One or more parameters to your request was invalid.");
      if (media.size > 5 * 1024 * 1024) return problem(400, "Invalid Request", "File size exceeds 5242880 bytes.");
      const mid = String(BigInt(Date.now()) * 4096n + BigInt(this.seq++));
      this.media.set(mid, { owner: id, size: media.size, alt: null, category: form.get("media_category") });
      return json({ data: { id: mid, media_key: `3_${mid}`, size: media.size, expires_after_secs: 86400, image: { image_type: media.type, w: 1200, h: 630 } } });
    }
    if (p === "/2/media/metadata" && request.method === "POST") {
      const b = await request.json();
      const m = this.media.get(b.id);
      if (!m || m.owner !== id) return problem(400, "Invalid Request", "Invalid media id");
      const text = b.metadata?.alt_text?.text ?? "";
      if (text.length > 1000) return problem(400, "Invalid Request", "alt_text.text too long (max 1000)");
      m.alt = text;
      return json({ data: { id: b.id, associated_metadata: { alt_text: { text } } } });
    }
    if (p === "/2/tweets" && request.method === "POST") {
      const b = await request.json();
      const weighted = [...(b.text ?? "").replace(/https?:\/\/\S+/g, "x".repeat(23))].reduce((n, ch) => {
        const cp = ch.codePointAt(0);
        return n + ((cp <= 4351 || (cp >= 8192 && cp <= 8205) || (cp >= 8208 && cp <= 8223) || (cp >= 8242 && cp <= 8247)) ? 1 : 2);
      }, 0);
      if (weighted > 280) return problem(400, "Invalid Request", "One or more parameters to your request was invalid.");
      const mediaIds = b.media?.media_ids ?? [];
      for (const m of mediaIds) if (this.media.get(m)?.owner !== id) return problem(400, "Invalid Request", "Your media IDs are invalid.");
      const dup = [...this.posts.values()].some((x) => x.owner === id && x.live && x.text === b.text);
      if (dup) return problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.");
      const tid = String(BigInt(Date.now()) * 4096n + BigInt(this.seq++));
      this.record(id, "x", `x:${tid}`, b.text, { media: mediaIds.length, alt: this.media.get(mediaIds[0])?.alt ?? null });
      return json({ data: { id: tid, text: b.text, edit_history_tweet_ids: [tid] } }, 201);
    }
    const del = /^\/2\/tweets\/(\d+)$/.exec(p);
    if (del && request.method === "DELETE") {
      const post = this.posts.get(`x:${del[1]}`);
      if (post && post.owner !== id) return problem(403, "Forbidden", "You are not allowed to delete this Tweet.");
      if (post) {
        post.live = false;
        post.deletedAt = Date.now();
      }
      return json({ data: { deleted: true } });
    }
    return problem(404, "Not Found Error", "not found");
  }

  // ---------------------------------------------------------------- Facebook Graph API
  async facebook(request, url) {
    const fbError = (status, code, message, extra = {}, headers = {}) => json({ error: { message, type: "OAuthException", code, fbtrace_id: randomBytes(8).toString("hex"), ...extra } }, status, headers);
    const form = request.method === "POST" ? await request.formData() : null;
    const token = form?.get("access_token") ?? url.searchParams.get("access_token");
    const proof = form?.get("appsecret_proof") ?? url.searchParams.get("appsecret_proof");
    const a = [...this.accounts.values()].find((x) => x.network === "facebook" && x.credentials.pageAccessToken === token);
    if (!a) return fbError(400, 190, "Invalid OAuth access token - Cannot parse access token");
    if (a.credentials.appSecret && proof !== createHmac("sha256", a.credentials.appSecret).update(token).digest("hex")) return fbError(400, 100, "Invalid appsecret_proof provided in the API argument");
    const err = await this.behave(a.id, { isDelete: request.method === "DELETE" }, (status, b) => {
      if (status === "refuseDelete") return fbError(403, 200, "(#200) Permissions error");
      if (status === 429)
        return fbError(400, 32, "(#32) Page request limit reached", { error_subcode: 2018152 }, { "X-Business-Use-Case-Usage": JSON.stringify({ [a.target]: [{ type: "pages", call_count: 100, total_cputime: 10, total_time: 10, estimated_time_to_regain_access: Math.floor((b.retryAfter ?? 1) / 60) }] }) });
      if (status >= 500) return fbError(500, 2, "Service temporarily unavailable", { is_transient: true });
      return fbError(status, 10, "(#10) Application does not have permission for this action");
    });
    if (err) return err;
    const [, , node, edge] = url.pathname.split("/");
    if (request.method === "GET" && node && !edge) {
      // A node read with the Page token: the page itself (fields=id,name).
      if (node !== a.target) return fbError(400, 100, `(#100) Object with ID '${node}' does not exist, cannot be loaded due to missing permissions, or does not support this operation`, { error_subcode: 33 });
      return json({ id: a.target, name: a.handle ?? "Page" });
    }
    if (request.method === "POST" && (edge === "photos" || edge === "feed")) {
      if (node !== a.target) return fbError(400, 100, "(#100) The page does not match the access token", { error_subcode: 33 });
      const message = String(form.get("message") ?? "");
      if (edge === "photos") {
        const source = form.get("source");
        if (!(source instanceof Blob) || !source.size) return fbError(400, 324, "(#324) Requires upload file");
        const photoId = String(this.seq++);
        const alt = form.get("alt_text_custom");
        // published=false: an unpublished photo, for a post's attached_media.
        if (form.get("published") === "false") {
          this.media.set(`fb:${photoId}`, { owner: a.id, size: source.size, alt: alt ? String(alt) : null });
          return json({ id: photoId });
        }
        const postId = `${a.target}_${this.seq++}`;
        this.record(a.id, "facebook", postId, message, { media: 1, alt: alt ?? null });
        return json({ id: photoId, post_id: postId });
      }
      const attached = [...form.keys()].filter((k) => /^attached_media\[\d+\]$/.test(k)).map((k) => JSON.parse(String(form.get(k))).media_fbid);
      for (const m of attached) if (this.media.get(`fb:${m}`)?.owner !== a.id) return fbError(400, 100, `(#100) Invalid media_fbid ${m}`);
      if (!message && !attached.length) return fbError(400, 100, "(#100) Missing message or attachment");
      const postId = `${a.target}_${this.seq++}`;
      this.record(a.id, "facebook", postId, message, { media: attached.length, alt: this.media.get(`fb:${attached[0]}`)?.alt ?? null });
      return json({ id: postId });
    }
    if (request.method === "DELETE" && node && !edge) {
      const post = this.posts.get(node);
      if (!post || !post.live) return fbError(400, 100, `Unsupported delete request. Object with ID '${node}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, { error_subcode: 33 });
      if (post.owner !== a.id) return fbError(403, 200, "(#200) Permissions error");
      post.live = false;
      post.deletedAt = Date.now();
      return json({ success: true });
    }
    return fbError(400, 100, "Unknown path components");
  }

  // ---------------------------------------------------------------- Telegram Bot API
  async telegram(request, url) {
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(url.pathname);
    const tgError = (code, description, parameters) => json({ ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) }, code);
    const a = m && [...this.accounts.values()].find((x) => x.network === "telegram" && x.credentials.botToken === m[1]);
    if (!a) return tgError(401, "Unauthorized");
    const method = m[2];
    const err = await this.behave(a.id, { isDelete: method === "deleteMessage" }, (status, b) => {
      if (status === "refuseDelete") return tgError(400, "Bad Request: message can't be deleted for everyone");
      if (status === 429) return tgError(429, `Too Many Requests: retry after ${b.retryAfter ?? 1}`, { retry_after: b.retryAfter ?? 1 });
      if (status >= 500) return tgError(502, "Bad Gateway");
      return tgError(403, "Forbidden: bot is not a member of the channel chat");
    });
    if (err) return err;
    if (method === "getMe") return json({ ok: true, result: { id: createHmac("sha256", "bot").update(a.id).digest().readUInt32BE(0), is_bot: true, first_name: "Child Alert", username: `${(a.handle ?? "childalert").replace(/^@/, "")}_bot` } });
    const isForm = (request.headers.get("Content-Type") ?? "").startsWith("multipart/form-data");
    const form = isForm ? await request.formData() : null;
    const body = isForm ? Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === "string")) : await request.json();
    // A channel is named by its @username or by its numeric id (-100…), as the Bot API takes either.
    const chat = { id: -Number(`100${createHmac("sha256", "chat").update(a.id).digest().readUInt32BE(0)}`), type: "channel", username: a.target.replace(/^@/, "") };
    if (String(body.chat_id) !== a.target && String(body.chat_id) !== String(chat.id)) return tgError(400, "Bad Request: chat not found");
    const message = (id, extra) => ({ message_id: id, date: Math.floor(Date.now() / 1000), chat, ...extra });
    if (method === "sendPhoto") {
      const photo = form?.get("photo");
      if (!(photo instanceof Blob) || !photo.size) return tgError(400, "Bad Request: there is no photo in the request");
      if ((body.caption ?? "").length > 1024) return tgError(400, "Bad Request: message caption is too long");
      const mid = this.seq++;
      this.record(a.id, "telegram", `${a.target}:${mid}`, body.caption, { media: 1, alt: null });
      return json({ ok: true, result: message(mid, { caption: body.caption, photo: [{ file_id: randomUUID(), width: 1080, height: 1080 }] }) });
    }
    if (method === "sendMessage") {
      if (!body.text || body.text.length > 4096) return tgError(400, "Bad Request: message text is empty or too long");
      const mid = this.seq++;
      this.record(a.id, "telegram", `${a.target}:${mid}`, body.text, { media: 0, alt: null });
      return json({ ok: true, result: message(mid, { text: body.text }) });
    }
    if (method === "editMessageMedia") {
      const key = `${a.target}:${body.message_id}`; // one chat per account here
      const post = this.posts.get(key);
      if (!post || !post.live) return tgError(400, "Bad Request: message to edit not found");
      const media = JSON.parse(body.media);
      const attach = /^attach:\/\/(.+)$/.exec(media.media)?.[1];
      if (attach && !(form?.get(attach) instanceof Blob)) return tgError(400, "Bad Request: wrong file identifier/HTTP URL specified");
      if ((media.caption ?? "").length > 1024) return tgError(400, "Bad Request: message caption is too long");
      if (media.caption === post.text && !attach) return tgError(400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message");
      this.record(a.id, "telegram", key, media.caption, { media: 1, alt: null, edit: true });
      return json({ ok: true, result: message(Number(body.message_id), { caption: media.caption, edit_date: Math.floor(Date.now() / 1000) }) });
    }
    if (method === "deleteMessage") {
      const post = this.posts.get(`${a.target}:${body.message_id}`);
      if (!post || !post.live) return tgError(400, "Bad Request: message to delete not found");
      post.live = false;
      post.deletedAt = Date.now();
      return json({ ok: true, result: true });
    }
    return tgError(404, "Not Found");
  }
}

/** The five networks as `npm start` runs them: one local origin (the paths tell them apart). */
export async function startSocialStandIn(opts = {}) {
  const { serveStandIn } = await import("./serve-handler.mjs");
  return serveStandIn(new SocialStandIn(opts), opts);
}

