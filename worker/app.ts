// The Hono app: middleware, route groups, the OpenAPI document and the one error handler.
import { HTTPException } from "hono/http-exception";
import { bodyLimit } from "hono/body-limit";
import { secureHeaders } from "hono/secure-headers";
import { MAX_JSON_BODY_BYTES, SESSION_COOKIE } from "./config.ts";
import { b64url } from "./bytes.ts";
import { AppError } from "./errors.ts";
import { log } from "./log.ts";
import { adminRoutes } from "./routes/admin.ts";
import { alertRoutes } from "./routes/alerts.ts";
import { foreignRoutes } from "./routes/foreign.ts";
import { memberRoutes } from "./routes/members.ts";
import { authRoutes } from "./routes/auth.ts";
import { photoRoutes } from "./routes/photos.ts";
import { posterRoutes } from "./routes/posters.ts";
import { pushRoutes } from "./routes/push.ts";
import { emailApiRoutes, emailPages } from "./routes/email.ts";
import { noticeRoutes } from "./routes/notices.ts";
import { feedRoutes } from "./routes/feeds.ts";
import { telephonyRoutes } from "./routes/telephony.ts";
import { tipFormRoutes } from "./routes/tip-form.ts";
import { tipRoutes } from "./routes/tips.ts";
import { callRoutes } from "./routes/calls.ts";
import { lineRoutes } from "./routes/intake-line.ts";
import { tipPushRoutes } from "./routes/tip-push.ts";
import { turnstileEnabled, turnstileOrigin } from "./intake/turnstile.ts";
import { partnerRoutes } from "./routes/partners.ts";
import { socialRoutes } from "./routes/social.ts";
import { readinessRoutes } from "./routes/readiness.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { drillRoutes } from "./routes/drills.ts";
import { peerInbound, peerRoutes } from "./routes/peers.ts";
import { publicRoutes } from "./routes/public.ts";
import { verifyPages, verifyRoutes } from "./routes/verify.ts";
import { widgetRoutes } from "./routes/widget.ts";
import { MAX_PHOTO_BYTES } from "./render/image-format.ts";
import { renderDocs } from "./routes/docs.ts";
import { context, newRouter, originCheck } from "./routes/http.ts";

/** Pages a partner's site may show in an iframe (the widget's iframe variant); every other page is not framable. */
export const isFramable = (path: string) => path === "/widget/frame";

/** The Content-Security-Policy of the Worker's HTML pages (scripts: own files and this response's nonce only). */
/** The public alert page and its tip form load the anti-abuse challenge (Turnstile) from its origin. */
export const challengeOrigin = (path: string, env: Env): string | null => (/^\/alert\/[^/]+(\/tip)?$/.test(path) && turnstileEnabled(env) ? turnstileOrigin(env) : null);

export const htmlPolicy = (nonce?: string, framable = false, challenge: string | null = null) =>
  [
    "default-src 'self'",
    `script-src 'self'${nonce ? ` 'nonce-${nonce}'` : ""}${challenge ? ` ${challenge}` : ""}`,
    ...(challenge ? [`frame-src ${challenge}`] : []),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    framable ? "frame-ancestors *" : "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
  ].join("; ");

export const OPENAPI_INFO = { title: "Child Alert", version: "1.0.0" };

export function buildApp() {
  const api = newRouter();
  api.route("/", authRoutes);
  api.route("/", alertRoutes);
  api.route("/", memberRoutes);
  api.route("/", foreignRoutes);
  api.route("/", adminRoutes);
  api.route("/", photoRoutes);
  api.route("/", posterRoutes);
  api.route("/", pushRoutes);
  api.route("/", emailApiRoutes);
  api.route("/", noticeRoutes);
  api.route("/", feedRoutes);
  api.route("/", partnerRoutes);
  api.route("/", tipRoutes);
  api.route("/", callRoutes);
  api.route("/", lineRoutes);
  api.route("/", tipPushRoutes);
  api.route("/", socialRoutes);
  api.route("/", readinessRoutes);
  api.route("/", metricsRoutes);
  api.route("/", drillRoutes);
  api.route("/", peerRoutes);
  api.route("/", verifyRoutes);
  // Says only that the Worker answers: nothing about the environment or its configuration.
  api.get("/health", (c) => c.json({ ok: true }));
  api.openAPIRegistry.registerComponent("securitySchemes", "session", { type: "apiKey", in: "cookie", name: SESSION_COOKIE });
  api.openAPIRegistry.registerComponent("securitySchemes", "metricsToken", { type: "http", scheme: "bearer", description: "The monitoring token (secret METRICS_TOKEN)" });
  api.openAPIRegistry.registerComponent("securitySchemes", "partnerKey", { type: "http", scheme: "bearer", description: "A partner's API key (cap_…), from the partner registry" });
  api.doc31("/openapi.json", { openapi: "3.1.0", info: OPENAPI_INFO });
  api.get("/docs", (c) => c.html(renderDocs(api.getOpenAPI31Document({ openapi: "3.1.0", info: OPENAPI_INFO }) as never)));

  const app = newRouter();
  // Every HTML page the Worker writes (public pages, e-mail pages, the API reference): no
  // inline script without this response's nonce, not framable, no MIME sniffing. The
  // dashboard's static files carry the same policy from dashboard/public/_headers.
  app.use("*", async (c, next) => {
    const nonce = b64url(crypto.getRandomValues(new Uint8Array(16)));
    c.set("secureHeadersNonce", nonce);
    await next();
    if (!c.res.headers.get("Content-Type")?.startsWith("text/html")) return;
    const framable = isFramable(c.req.path);
    c.header("Content-Security-Policy", htmlPolicy(nonce, framable, challengeOrigin(c.req.path, c.env)));
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", c.res.headers.get("Referrer-Policy") ?? "strict-origin-when-cross-origin");
    if (!framable) c.header("X-Frame-Options", "DENY");
  });
  // The feeds are for every origin (partners' pages read them); the rest of the API for ours.
  const apiHeaders = secureHeaders({ crossOriginResourcePolicy: "same-origin" });
  const feedHeaders = secureHeaders({ crossOriginResourcePolicy: "cross-origin" });
  app.use("/api/*", (c, next) => (c.req.path.startsWith("/api/v1/feeds/") ? feedHeaders(c, next) : apiHeaders(c, next)));
  const limit = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new AppError("E_PAYLOAD_TOO_LARGE", `at most ${maxSize} bytes`);
      },
    });
  const jsonLimit = limit(MAX_JSON_BODY_BYTES);
  const photoLimit = limit(MAX_PHOTO_BYTES);
  // Photo uploads are the one place a large body is expected.
  app.use("/api/*", (c, next) => (/^\/api\/v1\/alerts\/[^/]+\/photos$/.test(c.req.path) ? photoLimit(c, next) : jsonLimit(c, next)));
  app.use("/api/*", originCheck);
  app.use("/api/*", context);
  app.use("/api/*", async (c, next) => {
    await next();
    if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
  });
  app.route("/api/v1", api);
  app.route("/", telephonyRoutes);
  app.route("/", tipFormRoutes);
  app.route("/", verifyPages);
  app.route("/", peerInbound);
  app.route("/", publicRoutes);
  app.route("/", widgetRoutes);
  app.route("/", emailPages);
  app.all("/api/*", () => {
    throw new AppError("E_NOT_FOUND", "no such API route");
  });

  app.onError((err, c) => {
    let problem: AppError;
    if (err instanceof AppError) problem = err;
    else if (err instanceof HTTPException && err.status === 400 && /JSON/i.test(err.message)) {
      problem = new AppError("E_MALFORMED_JSON", err.message);
    } else if (err instanceof HTTPException && err.status === 415) {
      problem = new AppError("E_UNSUPPORTED_MEDIA_TYPE", "send the body as application/json");
    } else if (err instanceof HTTPException && err.status === 400) {
      problem = new AppError("E_VALIDATION", err.message);
    } else {
      log.error("unhandled_error", { path: new URL(c.req.url).pathname, method: c.req.method, error: err });
      problem = new AppError("E_INTERNAL");
    }
    return c.body(JSON.stringify(problem.toProblem(new URL(c.req.url).pathname)), problem.status as 400, {
      "Content-Type": "application/problem+json",
      "Cache-Control": "no-store",
    });
  });
  return app;
}
