// The SMTP relay, through nodemailer inside workerd (node:net / node:tls sockets under
// nodejs_compat). Implicit TLS (465) and STARTTLS (587) are both proven in tests against
// a local TLS server. workerd verifies the relay's certificate against its own trust
// store (node:tls's `ca` option is ignored): in production the relay's certificate must
// chain to a public root. Plain SMTP only to a relay on this machine.
import DKIM from "nodemailer/lib/dkim";
import { isTransientError } from "nodemailer/lib/errors";
import MailComposer from "nodemailer/lib/mail-composer";
import SMTPConnection from "nodemailer/lib/smtp-connection";
import { log } from "../../log.ts";
import { useFastDataEncoding } from "./data-stream.ts";
import type { MailOptions } from "./mime.ts";
import { z } from "zod";

export const SMTP_SECURITIES = ["tls", "starttls", "none"] as const;

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1)$/i;

const SmtpEnv = z
  .object({
    SMTP_HOST: z.string().min(1),
    SMTP_PORT: z.coerce.number().int().min(1).max(65535),
    SMTP_SECURITY: z.enum(SMTP_SECURITIES),
    SMTP_USER: z.string().optional(),
    SMTP_PASS: z.string().optional(),
    MAIL_FROM: z.string().min(3),
    DKIM_DOMAIN: z.string().optional(),
    DKIM_SELECTOR: z.string().optional(),
    DKIM_PRIVATE_KEY: z.string().optional(),
  })
  .refine((e) => e.SMTP_SECURITY !== "none" || LOOPBACK.test(e.SMTP_HOST), {
    message: "SMTP_SECURITY=none is allowed only for a relay on this machine: child data never cross a network in clear",
  })
  .refine((e) => e.SMTP_PORT !== 25 || LOOPBACK.test(e.SMTP_HOST), { message: "Cloudflare blocks outbound port 25: use 465 (tls) or 587 (starttls)" });

export interface SmtpConfig {
  host: string;
  port: number;
  security: (typeof SMTP_SECURITIES)[number];
  auth?: { user: string; pass: string };
  from: string;
  dkim?: { domainName: string; keySelector: string; privateKey: string };
}

/** The relay from the environment (the Worker's env, or its variables in a test); null when e-mail is not configured (SMTP_HOST empty). Throws on a bad configuration. */
export function smtpConfig(vars: object): SmtpConfig | null {
  const env = vars as Record<string, unknown>;
  if (!env.SMTP_HOST) return null;
  const parsed = SmtpEnv.safeParse(env);
  if (!parsed.success) throw new Error(`e-mail relay misconfigured: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  const e = parsed.data;
  return {
    host: e.SMTP_HOST,
    port: e.SMTP_PORT,
    security: e.SMTP_SECURITY,
    auth: e.SMTP_USER ? { user: e.SMTP_USER, pass: e.SMTP_PASS ?? "" } : undefined,
    from: e.MAIL_FROM,
    dkim: e.DKIM_DOMAIN && e.DKIM_SELECTOR && e.DKIM_PRIVATE_KEY ? { domainName: e.DKIM_DOMAIN, keySelector: e.DKIM_SELECTOR, privateKey: e.DKIM_PRIVATE_KEY } : undefined,
  };
}

/** The relay, for work that cannot be done without one (queue jobs retry until it is set). */
export function requireSmtpConfig(vars: object): SmtpConfig {
  const config = smtpConfig(vars);
  if (!config) throw new Error("e-mail relay not configured (SMTP_HOST)");
  return config;
}

/**
 * Workers allow 6 simultaneous open connections per invocation; the e-mail channel keeps
 * at most this many to the relay (the rest of the invocation's budget stays free).
 */
export const MAX_SMTP_CONNECTIONS = 4;

/**
 * A send not finished after this long is given up and its connection dropped (a relay that
 * hangs). The pool's one timer does this, and enforces a send's own deadline (the stop
 * fence's, channel.ts), in place of nodemailer's socket idle timer, which workerd's
 * node:net re-arms on every read and write (two timers per operation: ~5 % of the CPU of a
 * fan-out).
 */
export const SEND_TIMEOUT_MS = 20_000;

/** One message's envelope: the bare sender and recipient addresses. */
export interface SmtpEnvelope {
  from: string;
  to: string[];
}

/** Which of the envelope's recipients the relay accepted (a partly refused envelope still sends to the rest). */
export interface SmtpAccepted {
  accepted: string[];
  rejected: string[];
}

type Connection = SMTPConnection & { _destroyed?: boolean };
/** The connection's events (its declaration extends node's EventEmitter, whose types the Worker build does not load). */
type Events = { on(event: "error", f: (err: { code?: string; responseCode?: number }) => void): void; once(event: "end", f: () => void): void };
/** The signer's output stream, read as text (its declaration extends node's PassThrough). */
type TextStream = { setEncoding(enc: "latin1"): void; on(event: "data", f: (chunk: string) => void): void; on(event: "end", f: () => void): void; on(event: "error", f: (err: Error) => void): void };

/**
 * Up to `connections` SMTP sessions to the relay, each reused for many messages: nodemailer's
 * SMTPConnection (the protocol, STARTTLS, AUTH, dot-stuffing) without its Mailer and pool
 * layers, which cost ~4× the CPU per message in workerd (measured: 108 vs 460 messages/s
 * of 89 KB on 4 connections). A refused envelope or message resets the session (RSET) and
 * keeps it; any other error drops the connection and the next message opens a new one.
 */
export class SmtpPool {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly waiting: { resolve: (c: Connection | null) => void; reject: (e: unknown) => void }[] = [];
  private opening = 0;
  private closed = false;
  private readonly dkim?: DKIM;
  private readonly config: SmtpConfig;
  private readonly max: number;
  private readonly sendTimeoutMs: number;
  /** Sends in flight: when each must have finished, why, and how to fail it. */
  private readonly inFlight = new Map<Connection, { until: number; code: "EDEADLINE" | "ETIMEDOUT"; fail: (err: Error) => void }>();
  /** One timer, for the earliest `until` (sends of one stop-fence lease share theirs). */
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Infinity;

  constructor(config: SmtpConfig, connections = MAX_SMTP_CONNECTIONS, sendTimeoutMs = SEND_TIMEOUT_MS) {
    useFastDataEncoding();
    this.config = config;
    this.max = Math.max(1, Math.min(connections, MAX_SMTP_CONNECTIONS));
    this.sendTimeoutMs = sendTimeoutMs;
    if (config.dkim) this.dkim = new DKIM(config.dkim);
  }

  /** Whether messages are DKIM-signed here (then they must be given as text, not in DATA form). */
  get signs(): boolean {
    return this.dkim !== undefined;
  }

  /**
   * Sends a built message (ASCII: quoted-printable and base64 parts) to the envelope's
   * recipients: as text, or already in DATA form (mime.ts's WireTemplate; not when signing).
   * Not accepted by `deadline` (epoch ms): its connection is dropped, which aborts the
   * transaction (a message counts only once its "." is answered), and it fails with EDEADLINE.
   */
  async send(envelope: SmtpEnvelope, raw: string | Uint8Array, deadline?: number): Promise<SmtpAccepted> {
    if (typeof raw !== "string" && this.dkim) throw new Error("a message in DATA form cannot be DKIM-signed: give its text");
    const message = this.dkim ? await signed(this.dkim, raw as string) : raw;
    const conn = await this.acquire();
    try {
      const info = await new Promise<SmtpAccepted>((resolve, reject) => {
        this.watch(conn, reject, deadline);
        conn.send(envelope, message as Parameters<Connection["send"]>[1], (err, i) => (err ? reject(err) : resolve({ accepted: i.accepted ?? [], rejected: i.rejected ?? [] })));
      });
      this.inFlight.delete(conn);
      this.release(conn, true);
      return info;
    } catch (err) {
      this.inFlight.delete(conn);
      const e = err as { code?: string; responseCode?: number };
      const refused = (e.code === "EENVELOPE" || e.code === "EMESSAGE") && e.responseCode !== 421 && !conn._destroyed;
      if (refused) {
        const reset = await new Promise<boolean>((resolve) => conn.reset((resetErr) => resolve(!resetErr)));
        this.release(conn, reset);
      } else this.release(conn, false);
      throw err;
    }
  }

  /**
   * Opens a session with the relay as a send would (connect, TLS, AUTH) and closes it:
   * the channel's health check (issue 27). Throws the relay's refusal.
   */
  async verify(): Promise<void> {
    const conn = await this.connect();
    this.release(conn, false);
  }

  /** Builds a message with nodemailer's composer (the DKIM signature, if any, is added by send). */
  async sendMail(mail: MailOptions): Promise<SmtpAccepted> {
    const node = new MailComposer(mail).compile();
    const envelope = node.getEnvelope();
    const raw = await node.build();
    return this.send({ from: envelope.from || bareAddress(this.config.from), to: envelope.to }, raw.toString("latin1"));
  }

  /** Watches a send on `conn` until its deadline or SEND_TIMEOUT_MS, whichever comes first. */
  private watch(conn: Connection, fail: (err: Error) => void, deadline?: number): void {
    const timeoutAt = Date.now() + this.sendTimeoutMs;
    const byDeadline = deadline !== undefined && deadline < timeoutAt;
    const until = byDeadline ? deadline : timeoutAt;
    this.inFlight.set(conn, { until, code: byDeadline ? "EDEADLINE" : "ETIMEDOUT", fail });
    if (until < this.timerAt) this.arm(until);
  }

  private arm(at: number): void {
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.expire(), Math.max(0, at - Date.now()));
  }

  /** Fails and drops every send past its time; the timer then waits for the next one. */
  private expire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = Date.now();
    let next = Infinity;
    for (const [c, { until, code, fail }] of this.inFlight) {
      if (until > now) {
        next = Math.min(next, until);
        continue;
      }
      this.inFlight.delete(c);
      fail(Object.assign(new Error(code === "EDEADLINE" ? "delivery deadline passed" : `the relay did not finish a message within ${this.sendTimeoutMs} ms`), { code }));
      c.close(); // and it is not reused: release() sees it destroyed
    }
    if (next < Infinity) this.arm(next);
  }

  /** Closes every session at once: a transaction not yet answered is aborted (the relay discards it). */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    this.closed = true;
    for (const c of this.all) c.close();
    this.all.clear();
    this.idle.length = 0;
    for (const w of this.waiting.splice(0)) w.reject(Object.assign(new Error("SMTP pool closed"), { code: "ECONNECTION" }));
  }

  private async acquire(): Promise<Connection> {
    for (;;) {
      if (this.closed) throw Object.assign(new Error("SMTP pool closed"), { code: "ECONNECTION" });
      const idle = this.idle.pop();
      if (idle) {
        if (idle._destroyed) {
          this.all.delete(idle);
          continue;
        }
        return idle;
      }
      if (this.all.size + this.opening < this.max) return this.connect();
      const handed = await new Promise<Connection | null>((resolve, reject) => this.waiting.push({ resolve, reject }));
      if (handed) return handed;
    }
  }

  private release(conn: Connection, healthy: boolean): void {
    if (!healthy || this.closed || conn._destroyed) {
      this.all.delete(conn);
      conn.close();
      // A slot is free: a waiting sender opens its own connection.
      this.waiting.shift()?.resolve(null);
      return;
    }
    const next = this.waiting.shift();
    if (next) next.resolve(conn);
    else this.idle.push(conn);
  }

  private async connect(): Promise<Connection> {
    const c = this.config;
    this.opening++;
    const conn: Connection = new SMTPConnection({
      host: c.host,
      port: c.port,
      secure: c.security === "tls",
      requireTLS: c.security === "starttls",
      ignoreTLS: c.security === "none",
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
    // An error outside a transaction (the relay closed an idle session): the connection is
    // dropped when next taken; without a listener the emitter would throw.
    const events = conn as unknown as Events;
    events.on("error", (err) => {
      if (!isTransientError(err)) log.warn("smtp_connection_error", { error: err });
    });
    events.once("end", () => {
      this.all.delete(conn);
      const i = this.idle.indexOf(conn);
      if (i >= 0) this.idle.splice(i, 1);
    });
    try {
      await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
      if (c.auth) await new Promise<void>((resolve, reject) => conn.login(c.auth!, (err) => (err ? reject(err) : resolve())));
      // The session is set up: the pool's timer replaces the socket's idle timer (SEND_TIMEOUT_MS).
      (conn as unknown as { _socket?: { setTimeout(ms: number): void } })._socket?.setTimeout(0);
    } catch (err) {
      conn.close();
      this.waiting.shift()?.resolve(null);
      throw err;
    } finally {
      this.opening--;
    }
    if (this.closed) {
      conn.close();
      throw Object.assign(new Error("SMTP pool closed"), { code: "ECONNECTION" });
    }
    this.all.add(conn);
    return conn;
  }
}

/** The message with its DKIM-Signature header (nodemailer's signer). */
function signed(dkim: DKIM, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const out: string[] = [];
    const stream = dkim.sign(raw) as unknown as TextStream;
    stream.setEncoding("latin1");
    stream.on("data", (chunk) => out.push(chunk));
    stream.on("end", () => resolve(out.join("")));
    stream.on("error", reject);
  });
}

/** "Child Alert <alerts@x>" → "alerts@x". */
export const bareAddress = (from: string) => /<([^>]+)>\s*$/.exec(from)?.[1] ?? from.trim();

/** A pool of up to `connections` sessions to the configured relay. */
export function smtpTransport(c: SmtpConfig, connections = MAX_SMTP_CONNECTIONS, sendTimeoutMs = SEND_TIMEOUT_MS): SmtpPool {
  return new SmtpPool(c, connections, sendTimeoutMs);
}

/** One message on its own connection, closed after (confirmations, account notices). */
export async function sendOneMail(c: SmtpConfig, to: string, mail: { subject: string; text: string; html: string }, headers: Record<string, string>): Promise<void> {
  const transport = smtpTransport(c, 1);
  try {
    await transport.sendMail({ from: c.from, to, subject: mail.subject, text: mail.text, html: mail.html, headers });
  } finally {
    transport.close();
  }
}
