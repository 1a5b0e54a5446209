// The SMTP relay, through nodemailer inside workerd (node:net / node:tls sockets under
// nodejs_compat). Implicit TLS (465) and STARTTLS (587) are both proven in tests against
// a local TLS server. workerd verifies the relay's certificate against its own trust
// store (node:tls's `ca` option is ignored): in production the relay's certificate must
// chain to a public root. Plain SMTP only to a relay on this machine.
import nodemailer from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";
import type SMTPPool from "nodemailer/lib/smtp-pool";
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

/** A pooled transport: up to `connections` SMTP sessions, each reused for many messages. */
export function smtpTransport(c: SmtpConfig, connections = MAX_SMTP_CONNECTIONS) {
  const options: SMTPPool.Options & SMTPTransport.Options = {
    pool: true,
    maxConnections: Math.max(1, Math.min(connections, MAX_SMTP_CONNECTIONS)),
    maxMessages: 1000,
    host: c.host,
    port: c.port,
    secure: c.security === "tls",
    requireTLS: c.security === "starttls",
    ignoreTLS: c.security === "none",
    auth: c.auth,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
    dkim: c.dkim,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
  return nodemailer.createTransport(options);
}
