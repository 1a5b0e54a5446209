// HTTP plumbing shared by the routers: the app's Env type, a router factory whose
// validation failures become E_VALIDATION problems, session loading, the CSRF Origin
// check, role guards, rate limiting and the helper that declares a staff route.
import { createRoute, OpenAPIHono, type RouteConfig } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { SESSION_COOKIE } from "../config.ts";
import { LIVE_ROLE_HEADER, LIVE_SESSION_HEADER, LIVE_USER_HEADER } from "../board/live-object.ts";
import { sessionUser, type UserRow } from "../db/auth.ts";
import { type Db, makeDb } from "../db/client.ts";
import { checkDrillSeat } from "../domain/drill.ts";
import { checkFileOpenTo, CLOSABLE_ROLES, mayDo, type Permission, type Role, rolesFor, sha256Hex } from "../domain/index.ts";
import { alertExercise, fileClosedTo } from "../db/alerts.ts";
import { AppError } from "../errors.ts";
import { Problem } from "./schemas.ts";

/**
 * A path parameter that names a record (alert, user, invitation…): a UUID as
 * crypto.randomUUID writes it. Routes outside the zod-validated API match only this
 * (`/alert/:id{${UUID_PATH}}`), so nothing else ever reaches a handler or a page.
 */
export const UUID_PATH = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

export type AppEnv = {
  Bindings: Env;
  Variables: { db: Db; user: UserRow | null; sessionHash: string | null };
};

export function newRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw new AppError("E_VALIDATION", "see errors for each invalid field", {
          errors: result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
        });
      }
    },
  });
}

/** Loads the database handle and, when a session cookie is present, the signed-in user. */
export const context: MiddlewareHandler<AppEnv> = async (c, next) => {
  const db = makeDb(c.env.DB);
  c.set("db", db);
  c.set("user", null);
  c.set("sessionHash", null);
  const token = getCookie(c, SESSION_COOKIE);
  if (token) {
    const hash = await sha256Hex(token);
    c.set("sessionHash", hash);
    c.set("user", (await sessionUser(db, hash, new Date())) ?? null);
  }
  await next();
};

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * The header our own clients (the dashboard, the CLI scripts) put on every state-changing
 * API request that has no JSON body. A plain HTML form cannot set a header, and a
 * cross-origin script cannot without a CORS preflight we never grant.
 */
export const CLIENT_HEADER = "X-Requested-With";

/** Can this request have been sent by a plain HTML form? (Forms send no custom header and only these bodies.) */
export function formSendable(req: { header(name: string): string | undefined }): boolean {
  if (req.header(CLIENT_HEADER)) return false;
  const type = (req.header("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
  return type !== "application/json";
}

/**
 * CSRF defence, two locks. A state-changing request must come from our own origin
 * (browsers send Origin on every cross-site and every non-GET request; scripts set it),
 * and must be one that no HTML form can send: a JSON body or our client header. The
 * second lock holds even if markup were ever injected into a page of our origin: a form
 * planted there carries our Origin and the SameSite cookie, but not a JSON body.
 */
export const originCheck: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (UNSAFE.has(c.req.method)) {
    if (c.req.header("Origin") !== c.env.APP_ORIGIN) {
      throw new AppError("E_BAD_ORIGIN", `state-changing requests must carry Origin: ${c.env.APP_ORIGIN}`);
    }
    if (formSendable(c.req)) {
      throw new AppError("E_BAD_ORIGIN", `state-changing requests send a JSON body (Content-Type: application/json) or the header ${CLIENT_HEADER}`);
    }
  }
  await next();
};

/** The handshake forwarded to a live object, saying whose session it is (whatever the client sent in those headers is replaced). */
export function ownedFeedRequest(c: Context<AppEnv>): Request {
  const req = new Request(c.req.raw);
  req.headers.set(LIVE_USER_HEADER, currentUser(c).id);
  req.headers.set(LIVE_SESSION_HEADER, c.get("sessionHash") ?? "");
  req.headers.set(LIVE_ROLE_HEADER, currentUser(c).role);
  return req;
}

/**
 * A live feed's handshake: a WebSocket upgrade from our own origin. The handshake is a GET
 * that browsers send cross-site with cookies, so the Origin check matters here too.
 */
export const liveHandshake: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") throw new AppError("E_VALIDATION", "expected a WebSocket upgrade");
  if (c.req.header("Origin") !== c.env.APP_ORIGIN) throw new AppError("E_BAD_ORIGIN");
  await next();
};

/**
 * The rate limit's key for a client address. An IPv6 client is keyed by its /64: one
 * subscriber line or host is given a whole /64, so keying the full address would let one
 * machine take 2^64 fresh keys. An IPv4 address is keyed as it is.
 */
export function clientKey(ip: string | undefined): string {
  if (!ip) return "unknown";
  if (!ip.includes(":")) return ip;
  const [head = "", tail = ""] = ip.toLowerCase().split("::", 2) as [string, string?];
  const left = head ? head.split(":") : [];
  const right = ip.includes("::") && tail ? tail.split(":") : [];
  // An IPv4 tail (::ffff:1.2.3.4) counts as two groups; only the first four groups matter here.
  const groups = ip.includes("::") ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right] : left;
  return `${groups.slice(0, 4).map((g) => (g.replace(/^0+(?=.)/, "") || "0")).join(":")}::/64`;
}

/** Is this client within the binding's limit? (Keyed by its address, an IPv6 one by its /64; a refusal asks it to wait a minute.) */
export async function withinLimit(c: Context<AppEnv>, binding: RateLimit, prefix: string): Promise<boolean> {
  const { success } = await binding.limit({ key: `${prefix}:${clientKey(c.req.header("CF-Connecting-IP"))}` });
  if (!success) c.header("Retry-After", "60");
  return success;
}

/** A per-client rate limit as middleware; `detail` tells the client what to do. */
export function rateLimited(pick: (env: Env) => RateLimit, prefix: string, detail?: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!(await withinLimit(c, pick(c.env), prefix))) throw new AppError("E_RATE_LIMITED", detail);
    await next();
  };
}

/** Per-client rate limit on public (unauthenticated) endpoints. */
export const publicRateLimit = rateLimited((env) => env.PUBLIC_RATE_LIMIT, "public");

export const requireUser: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!c.get("user")) throw new AppError("E_UNAUTHENTICATED");
  await next();
};

export function requirePermission(permission: Permission): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = c.get("user");
    if (!user) throw new AppError("E_UNAUTHENTICATED");
    if (!mayDo(user.role as Role, permission)) {
      throw new AppError("E_FORBIDDEN_ROLE", `allowed roles: ${rolesFor(permission).join(", ")}`);
    }
    await checkDrillSeatRequest(c, user, [permission]);
    // The parents' consent needs no reading of the file: the counsellor records it even when the file is closed to them.
    if (permission !== "alert.consent") await checkFileOpen(c, user.role as Role);
    await next();
  };
}

const ALERT_PATH = /\/alerts\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\/|$)/i;

/**
 * Protocol §2.2.6: a role the magistrate in charge closed an alert's file to reads nothing
 * under /alerts/{id} (one indexed read, only for the roles a file can be closed to).
 */
async function checkFileOpen(c: Context<AppEnv>, role: Role): Promise<void> {
  if (!CLOSABLE_ROLES.includes(role)) return;
  const id = ALERT_PATH.exec(c.req.path)?.[1];
  if (!id) return;
  const closedTo = await fileClosedTo(c.get("db"), id);
  if (closedTo) checkFileOpenTo({ closedTo }, role);
}

/** A drill seat (domain/drill.ts) acts on exercises only: one indexed read on an alert's path, for drill seats only. */
async function checkDrillSeatRequest(c: Context<AppEnv>, user: UserRow, permissions: readonly Permission[]): Promise<void> {
  if (!user.drillSeat) return;
  const id = ALERT_PATH.exec(c.req.path)?.[1];
  checkDrillSeat(permissions, id ? await alertExercise(c.get("db"), id) : "no alert path");
}

/** A guard passed by any of these permissions (a live feed that call-takers and case staff both open). */
export function requireAnyPermission(...permissions: Permission[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = c.get("user");
    if (!user) throw new AppError("E_UNAUTHENTICATED");
    if (!permissions.some((p) => mayDo(user.role as Role, p))) {
      throw new AppError("E_FORBIDDEN_ROLE", `allowed roles: ${[...new Set(permissions.flatMap((p) => rolesFor(p)))].join(", ")}`);
    }
    await checkDrillSeatRequest(c, user, permissions);
    await checkFileOpen(c, user.role as Role);
    await next();
  };
}

/** The signed-in user as the actor of an alert command. */
export function actorOf(c: { get(key: "user"): UserRow | null }): { userId: string; role: Role } {
  const u = currentUser(c);
  return { userId: u.id, role: u.role as Role };
}

/** The signed-in user of a route guarded by requirePermission/requireUser. */
export function currentUser(c: { get(key: "user"): UserRow | null }): UserRow {
  const user = c.get("user");
  if (!user) throw new AppError("E_UNAUTHENTICATED");
  return user;
}

export const problemResponses = {
  400: { description: "Invalid input", content: { "application/problem+json": { schema: Problem } } },
  401: { description: "Not signed in / bad passkey assertion", content: { "application/problem+json": { schema: Problem } } },
  403: { description: "Role not allowed", content: { "application/problem+json": { schema: Problem } } },
  404: { description: "Not found", content: { "application/problem+json": { schema: Problem } } },
  409: { description: "Not allowed in the alert's current state", content: { "application/problem+json": { schema: Problem } } },
  422: { description: "Breaks a protocol rule", content: { "application/problem+json": { schema: Problem } } },
} as const;

/** Declares a staff route: the permission guard, its roles in the docs, and the problem responses. */
export function staffRoute<R extends Omit<RouteConfig, "middleware">>(permission: Permission, config: R) {
  return createRoute({
    ...config,
    middleware: [requirePermission(permission)] as const,
    security: [{ session: [] }],
    description: `${config.description ?? ""}\n\nRoles: ${rolesFor(permission).join(", ")}.`.trim(),
    responses: { ...problemResponses, ...config.responses },
  });
}

export function jsonBody<T>(schema: T) {
  return { required: true, content: { "application/json": { schema } } } as const;
}

export function jsonOk<T>(schema: T, description = "OK") {
  return { description, content: { "application/json": { schema } } } as const;
}
