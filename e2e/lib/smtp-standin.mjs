// A real SMTP server (the `smtp-server` package) standing in for the operator's mail
// relay, for tests, `npm start` (it catches every message and lists it) and benchmarks.
// Every message is parsed with `mailparser`. It can be told to answer 4xx/5xx, per
// recipient or for the next N messages, to go down (close its socket) and come back, and
// to be slow. It speaks plain SMTP, STARTTLS and implicit TLS (given a key and a cert).
//
// Control (HTTP, handle(request)): GET /__messages?to=&tag=, GET /__stats, POST /__behaviour
// {to?, code, message?, times?} or {delayMs}, POST /__reset, and an HTML list at GET /.
import { SMTPServer } from "smtp-server";
import { simpleParser } from "mailparser";

const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export class SmtpStandIn {
  /**
   * @param {{ secure?: boolean, key?: string|Buffer, cert?: string|Buffer, auth?: { user: string, pass: string }, keep?: number, unref?: boolean }} o
   *   secure: implicit TLS from the first byte (port 465 style); with key/cert and not secure: STARTTLS offered.
   */
  constructor(o = {}) {
    this.o = o;
    this.messages = [];
    this.keep = o.keep ?? 100_000;
    this.behaviours = [];
    this.delays = new Map();
    this.delayMs = 0;
    this.accepted = 0;
    this.refused = 0;
    this.connections = 0;
    this.maxConcurrent = 0;
    this.open = 0;
    this.server = null;
    this.port = 0;
    /** Parse every message (tests, the catcher page); a benchmark turns it off to measure the sender, not mailparser. */
    this.parse = o.parse ?? true;
    /** (message) => void, called for every accepted message (bench:scale counts with it). */
    this.tap = null;
  }

  /** Starts listening (port 0: any free one); resolves to the port. Restartable after stop(). */
  async start(port = this.port || 0, host = "127.0.0.1") {
    const o = this.o;
    this.server = new SMTPServer({
      secure: !!o.secure,
      key: o.key,
      cert: o.cert,
      hideSTARTTLS: !o.key || !!o.secure,
      authOptional: !o.auth,
      disabledCommands: o.auth ? [] : ["AUTH"],
      allowInsecureAuth: false,
      size: 10 * 1024 * 1024,
      logger: false,
      banner: "child-alert smtp stand-in",
      onConnect: (_session, cb) => {
        this.connections++;
        this.open++;
        this.maxConcurrent = Math.max(this.maxConcurrent, this.open);
        cb();
      },
      onClose: () => {
        this.open--;
      },
      onAuth: (auth, _session, cb) => {
        if (o.auth && auth.username === o.auth.user && auth.password === o.auth.pass) return cb(null, { user: auth.username });
        return cb(Object.assign(new Error("Invalid username or password"), { responseCode: 535 }));
      },
      onRcptTo: (address, _session, cb) => {
        const b = this.behaviourFor(address.address, "rcpt");
        if (b) return cb(Object.assign(new Error(b.message ?? (b.code >= 500 ? "mailbox unavailable" : "try again later")), { responseCode: b.code }));
        cb();
      },
      onData: (stream, session, cb) => {
        const chunks = [];
        stream.on("data", (c) => chunks.push(c));
        stream.on("end", async () => {
          const to0 = session.envelope.rcptTo[0]?.address?.toLowerCase();
          const delay = (to0 && this.delays.get(to0)) || this.delayMs;
          if (delay) await new Promise((r) => setTimeout(r, delay));
          const refusal = to0 ? this.behaviourFor(to0, "data") : null;
          if (refusal) return cb(Object.assign(new Error(refusal.message ?? "message refused"), { responseCode: refusal.code }));
          const raw = Buffer.concat(chunks);
          const parsed = this.parse ? await simpleParser(raw, { keepCidLinks: true }).catch(() => null) : null;
          const to = session.envelope.rcptTo.map((r) => r.address);
          this.accepted += to.length;
          // A benchmark's own look at each message (it keeps none: keep = 0).
          this.tap?.({ at: Date.now(), to, raw });
          this.messages.push({ at: Date.now(), from: session.envelope.mailFrom?.address ?? null, to, raw: raw.toString("utf8"), parsed, secure: !!session.secure, user: session.user ?? null });
          if (this.messages.length > this.keep) this.messages.splice(0, this.messages.length - this.keep);
          cb(null, "queued");
        });
      },
    });
    this.server.on("error", () => {});
    await new Promise((resolve, reject) => {
      this.server.server.once("error", reject);
      this.server.listen(port, host, () => resolve());
    });
    this.port = this.server.server.address().port;
    // Never what keeps a test process alive.
    if (this.o.unref) this.server.server.unref();
    return this.port;
  }

  /** Goes down: the listening socket closes and open sessions are dropped. */
  async stop() {
    if (!this.server) return;
    const s = this.server;
    this.server = null;
    await new Promise((r) => s.close(() => r()));
  }

  behaviourFor(address, phase) {
    const i = this.behaviours.findIndex((b) => (!b.to || b.to === address.toLowerCase()) && (b.phase ?? "rcpt") === phase);
    if (i < 0) return null;
    const b = this.behaviours[i];
    this.refused++;
    if (b.times !== undefined && --b.times <= 0) this.behaviours.splice(i, 1);
    return b;
  }

  /**
   * {to?, code, phase?, message?, times?}: refuse that recipient (or any) with that SMTP
   * code at RCPT (default) or after DATA, N times (or always; times 0 clears it).
   * {to?, delayMs}: answer that recipient's messages (or all) this much later.
   */
  behave(b) {
    const to = b.to?.toLowerCase();
    if (b.delayMs !== undefined) {
      if (to) this.delays.set(to, b.delayMs);
      else this.delayMs = b.delayMs;
    }
    if (b.times === 0) this.behaviours = this.behaviours.filter((x) => x.to !== to);
    else if (b.code) this.behaviours.push({ ...b, to });
  }

  reset() {
    this.messages = [];
    this.behaviours = [];
    this.delays.clear();
    this.delayMs = 0;
    this.accepted = this.refused = this.connections = this.maxConcurrent = 0;
  }

  /** What a test or a person looks at: the parsed messages, newest last. */
  view(m) {
    const p = m.parsed;
    const header = (k) => {
      const v = p?.headers.get(k);
      return v === undefined ? null : typeof v === "string" ? v : (v.text ?? v.value ?? JSON.stringify(v));
    };
    return {
      at: m.at,
      from: m.from,
      to: m.to,
      secure: m.secure,
      user: m.user,
      subject: p?.subject ?? null,
      text: p?.text ?? null,
      html: typeof p?.html === "string" ? p.html : null,
      messageId: p?.messageId ?? null,
      headers: {
        "list-unsubscribe": header("list-unsubscribe") ?? rawHeader(m.raw, "List-Unsubscribe"),
        "list-unsubscribe-post": rawHeader(m.raw, "List-Unsubscribe-Post"),
        "content-language": rawHeader(m.raw, "Content-Language"),
        "x-child-alert": rawHeader(m.raw, "X-Child-Alert"),
        "dkim-signature": rawHeader(m.raw, "DKIM-Signature"),
      },
      attachments: (p?.attachments ?? []).map((a) => ({ contentType: a.contentType, cid: a.cid ?? null, size: a.size, disposition: a.contentDisposition })),
    };
  }

  list({ to, tag } = {}) {
    return this.messages
      .map((m, index) => ({ m, index }))
      .filter(({ m }) => (!to || m.to.includes(to.toLowerCase())) && (!tag || rawHeader(m.raw, "X-Child-Alert")?.includes(tag)))
      .map(({ m, index }) => ({ index, ...this.view(m) }));
  }

  /** The control API and the catch-all page (served by `npm start` next to the Worker). */
  async handle(request) {
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname === "/__messages") return json(200, this.list({ to: url.searchParams.get("to"), tag: url.searchParams.get("tag") }));
    if (request.method === "GET" && url.pathname === "/__accepted") {
      // Compact: recipient, the X-Child-Alert header, time; for counting large fan-outs.
      const tag = url.searchParams.get("tag") ?? "";
      return json(200, this.messages.flatMap((m) => {
        const x = rawHeader(m.raw, "X-Child-Alert");
        return x?.includes(tag) ? m.to.map((to) => ({ to, x, at: m.at })) : [];
      }));
    }
    if (request.method === "GET" && url.pathname === "/__stats")
      return json(200, { accepted: this.accepted, refused: this.refused, messages: this.messages.length, connections: this.connections, maxConcurrent: this.maxConcurrent });
    if (request.method === "POST" && url.pathname === "/__behaviour") {
      this.behave(await request.json());
      return json(200, { ok: true });
    }
    if (request.method === "POST" && url.pathname === "/__down") {
      // The relay goes away for a while (connections refused), then comes back on the same port.
      const { ms } = await request.json();
      const port = this.port;
      await this.stop();
      setTimeout(() => void this.start(port).catch(() => {}), ms);
      return json(200, { ok: true });
    }
    if (request.method === "POST" && url.pathname === "/__reset") {
      this.reset();
      return json(200, { ok: true });
    }
    if (request.method === "GET" && url.pathname === "/") return new Response(this.page(), { headers: { "Content-Type": "text/html; charset=utf-8" } });
    const m = /^\/message\/(\d+)\.html$/.exec(url.pathname);
    if (request.method === "GET" && m) {
      const msg = this.messages[Number(m[1])];
      if (!msg) return new Response("not found", { status: 404 });
      // As a mail client shows it: inline parts (cid:) in place, nothing fetched from elsewhere.
      let html = typeof msg.parsed?.html === "string" ? msg.parsed.html : `<pre>${esc(msg.parsed?.text)}</pre>`;
      for (const a of msg.parsed?.attachments ?? []) {
        if (a.cid) html = html.replaceAll(`cid:${a.cid}`, `data:${a.contentType};base64,${a.content.toString("base64")}`);
      }
      return new Response(html, {
        headers: { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": "default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'" },
      });
    }
    return new Response("not found", { status: 404 });
  }

  page() {
    const rows = this.messages
      .map((msg, i) => ({ i, v: this.view(msg) }))
      .reverse()
      .map(
        ({ i, v }) =>
          `<tr><td>${new Date(v.at).toISOString().slice(11, 19)}</td><td>${esc(v.to.join(", "))}</td><td><a href="/message/${i}.html">${esc(v.subject)}</a></td><td><details><summary>text</summary><pre>${esc(v.text)}</pre></details></td></tr>`,
      )
      .join("");
    return `<!doctype html><meta charset="utf-8"><title>Caught e-mails</title><style>body{font:15px system-ui;margin:1rem}td{border-bottom:1px solid #ddd;padding:.3rem;vertical-align:top}pre{white-space:pre-wrap;max-width:60rem}</style>
<h1>E-mails caught by the local SMTP server (${this.messages.length})</h1><p>Nothing leaves this machine. Newest first; the subject opens the HTML part.</p><table><tr><th>time</th><th>to</th><th>subject</th><th>plain text</th></tr>${rows}</table>`;
  }
}

/** One header's raw value (unfolded), for headers mailparser turns into objects. */
function rawHeader(raw, name) {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? "";
  const m = new RegExp(`^${name}:[ \\t]*((?:.*)(?:\\r?\\n[ \\t].*)*)`, "im").exec(head);
  return m ? m[1].replace(/\r?\n[ \t]+/g, " ").trim() : null;
}

/**
 * A catcher as `npm start`, the demo and the browser tests run it: SMTP on `smtpPort`,
 * and its page and control API over HTTP on `webPort`.
 */
export async function startSmtpCatcher({ smtpPort = 0, webPort = 0, host = "127.0.0.1" } = {}) {
  const { createServer } = await import("node:http");
  const { nodeHandler } = await import("./serve-handler.mjs");
  const standin = new SmtpStandIn();
  const port = await standin.start(smtpPort, host);
  const server = createServer(nodeHandler((r) => standin.handle(r), `http://${host}`));
  await new Promise((r) => server.listen(webPort, host, r));
  const web = `http://localhost:${server.address().port}`;
  return { standin, smtpPort: port, web, close: async () => Promise.all([standin.stop(), new Promise((r) => server.close(r))]) };
}
