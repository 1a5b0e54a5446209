// Test helpers: call the Worker over HTTP as a browser would, staff with software
// passkeys registered through the real invitation flow, and alert factories.
import { env, exports } from "cloudflare:workers";
import { SoftAuthenticator } from "../../e2e/lib/soft-authenticator.ts";
import { makeDb } from "../db/client.ts";
import { type AlertContentInput, type Criteria, type Language, LANGUAGES, type Localized, LOCALIZED_FIELDS, type Role, type SignOffKind } from "../domain/index.ts";
import { createInvitation } from "../staff/passkeys.ts";
import type { FanoutCounters } from "../alert/object.ts";
import { fanoutFinished } from "../fanout/ledger.ts";

export const ORIGIN = env.APP_ORIGIN;
export const db = () => makeDb(env.DB);

export interface Caller {
  cookie?: string;
  ip?: string;
  origin?: string | null;
  headers?: Record<string, string>;
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** One HTTP call to the Worker's fetch handler, with the Origin header a browser sends. */
export async function api<T = any>(method: string, path: string, body?: unknown, who: Caller = {}): Promise<ApiResponse<T>> {
  // Our clients' header (routes/http.ts CLIENT_HEADER): what the dashboard sends on every command.
  const headers: Record<string, string> = { "X-Requested-With": "child-alert", ...who.headers };
  if (who.origin !== null) headers.Origin = who.origin ?? ORIGIN;
  if (who.cookie) headers.Cookie = who.cookie;
  headers["CF-Connecting-IP"] = who.ip ?? `10.0.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
  let payload: BodyInit | undefined;
  if (typeof body === "string") payload = body;
  else if (body !== undefined) payload = JSON.stringify(body);
  if (payload !== undefined) headers["Content-Type"] ??= "application/json";
  const res = await exports.default.fetch(new Request(`${ORIGIN}/api/v1${path}`, { method, headers, body: payload }));
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

export interface Staff {
  role: Role;
  userId: string;
  email: string;
  cookie: string;
  auth: SoftAuthenticator;
  ip: string;
}

let seq = 0;

/** A staff member invited, then registered with a software passkey through the API. */
export async function makeStaff(role: Role, name = `${role} ${++seq}`, seat: { drillSeat?: boolean } = {}): Promise<Staff> {
  const email = `${role}.${seq}.${crypto.randomUUID().slice(0, 8)}@example.test`;
  const inv = await createInvitation(db(), { email, displayName: name, role, createdBy: null, ...seat }, new Date());
  const auth = new SoftAuthenticator(env.RP_ID, ORIGIN);
  const ip = `10.1.${seq % 250}.${Math.floor(Math.random() * 250)}`;
  const opts = await api("POST", "/auth/register/options", { token: inv.token }, { ip });
  if (opts.status !== 200) throw new Error(`register/options ${opts.status} ${JSON.stringify(opts.body)}`);
  const response = await auth.create(opts.body.options);
  const done = await api("POST", "/auth/register/verify", { challengeId: opts.body.challengeId, response }, { ip });
  if (done.status !== 200) throw new Error(`register/verify ${done.status} ${JSON.stringify(done.body)}`);
  const cookie = done.headers.get("Set-Cookie")!.split(";")[0]!;
  return { role, userId: done.body.user.id, email, cookie, auth, ip };
}

export async function makeTeam() {
  const [magistrate, investigator, cell, operator, counsellor, calltaker, admin, admin2] = await Promise.all(
    (["magistrate", "investigator", "cell", "operator", "counsellor", "calltaker", "admin", "admin"] as const).map((r) => makeStaff(r)),
  );
  // Two admins: an account change takes one to ask and another to approve (issue 23).
  return { magistrate: magistrate!, investigator: investigator!, cell: cell!, operator: operator!, counsellor: counsellor!, calltaker: calltaker!, admin: admin!, admin2: admin2! };
}
export type Team = Awaited<ReturnType<typeof makeTeam>>;

/** Someone registers an invitation link on a device of their own (a fresh software authenticator). */
export async function registerFrom(link: string, ip = `10.23.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`) {
  const auth = new SoftAuthenticator(env.RP_ID, ORIGIN);
  const opts = await api("POST", "/auth/register/options", { token: link.split("#")[1]! }, { ip });
  if (opts.status !== 200) return { res: opts, auth };
  const res = await api("POST", "/auth/register/verify", { challengeId: opts.body.challengeId, response: await auth.create(opts.body.options) }, { ip });
  return { res, auth };
}

/** An open live feed (WebSocket) of a signed-in person, and the close code it got, if any. */
export async function openLiveFeed(who: { cookie: string }, path: string) {
  const res = await exports.default.fetch(new Request(`${ORIGIN}/api/v1${path}`, { headers: { Upgrade: "websocket", Cookie: who.cookie, Origin: ORIGIN } }));
  const ws = res.webSocket!;
  let closed: number | null = null;
  ws.accept();
  ws.addEventListener("close", (e) => (closed = e.code));
  return { ws, closed: () => closed };
}

/** Waits (at most 5 s) until `pred` holds; returns whether it did. */
export async function until(pred: () => boolean): Promise<boolean> {
  for (let i = 0; i < 250 && !pred(); i++) await new Promise((r) => setTimeout(r, 20));
  return pred();
}

/** A link for a new device of one's own: a fresh passkey assertion first (issue 23), then the link. */
export async function ownDeviceLink(s: Staff) {
  const opts = expectOk(await api("POST", "/auth/passkeys/invitation/options", undefined, as(s)));
  return api("POST", "/auth/passkeys/invitation", { challengeId: opts.body.challengeId, response: await s.auth.get(opts.body.options) }, as(s));
}

/** An account change with four eyes: `t.admin` asks (PATCH), `t.admin2` approves each request it made. */
export async function changeAccount(t: { admin: Staff; admin2: Staff }, userId: string, change: { role?: Role; disabled?: boolean }) {
  const res = expectOk(await api("PATCH", `/admin/users/${userId}`, change, as(t.admin)));
  for (const r of res.body.pending as { id: string }[]) expectOk(await api("POST", `/admin/account-requests/${r.id}/approve`, undefined, as(t.admin2)));
  return res;
}

export const as = (s: Staff): Caller => ({ cookie: s.cookie, ip: s.ip });

type Loose<T> = T extends Record<string, unknown> ? { [K in keyof T]?: Loose<T[K]> | string } : T | string;

/** The same text in each of the languages: the shorthand tests use for texts whose translation is not the point. */
export const inEvery = (text: string, languages: readonly Language[] = LANGUAGES): Localized =>
  Object.fromEntries(languages.map((l) => [l, text]));

/**
 * Realistic, clearly fictional content, written in the four languages; override any
 * part. A translated field given as a plain string gets that text in every targeted
 * language; texts in languages the content does not target are dropped.
 */
export function makeContent(overrides: Loose<AlertContentInput> = {}): AlertContentInput {
  const o = overrides as Record<string, any>;
  const languages: Language[] = o.targeting?.languages ?? [...LANGUAGES];
  const only = (v: Localized): Localized => Object.fromEntries(languages.filter((l) => v[l]).map((l) => [l, v[l]!]));
  const content: Record<string, any> = {
    child: {
      firstName: "Lina",
      lastName: "Exemple",
      age: 9,
      description: only({
        fr: "Mince, cheveux bruns mi-longs, yeux bleus, 1 m 30.",
        nl: "Slank, halflang bruin haar, blauwe ogen, 1 m 30.",
        de: "Schlank, schulterlanges braunes Haar, blaue Augen, 1 m 30.",
        en: "Slim build, shoulder-length brown hair, blue eyes, 1 m 30.",
      }),
      clothing: only({
        fr: "Imperméable rouge, jean bleu, baskets blanches.",
        nl: "Rode regenjas, blauwe jeans, witte sneakers.",
        de: "Roter Regenmantel, blaue Jeans, weiße Turnschuhe.",
        en: "Red raincoat, blue jeans, white trainers.",
      }),
      photos: [],
      ...o.child,
    },
    lastSeen: { place: only({ fr: "Namur, place d'Armes", nl: "Namen, place d'Armes", de: "Namur, Place d'Armes", en: "Namur, Place d'Armes" }), at: "2026-11-23T07:30:00+01:00", ...o.lastSeen },
    circumstances: only({
      fr: "Emmenée dans une voiture grise devant l'école.",
      nl: "Meegenomen in een grijze auto voor de schoolpoort.",
      de: "Vor dem Schultor in ein graues Auto gebracht.",
      en: "Taken into a grey car outside the school gate.",
    }),
    vehicle: { description: only({ fr: "Break gris", nl: "Grijze stationwagen", de: "Grauer Kombi", en: "Grey estate car" }), plate: "1-ABC-123" },
    targeting: { regions: ["BE"], languages },
    purposeAttestation: true,
    ...Object.fromEntries(Object.entries(o).filter(([k]) => k !== "child" && k !== "lastSeen")),
  };
  for (const field of LOCALIZED_FIELDS) {
    const [a, b] = field.split(".") as [string, string | undefined];
    const parent = b ? content[a] : content;
    const key = b ?? a;
    if (parent && typeof parent[key] === "string") parent[key] = inEvery(parent[key], languages);
    else if (parent?.[key]) parent[key] = only(parent[key]);
  }
  return content as AlertContentInput;
}

export const ALL_CRITERIA: Criteria = {
  minorOrProtected: true,
  immediateDanger: true,
  enoughInformation: true,
  broadcastNotRiskier: true,
};

export const DECISION = {
  criteria: ALL_CRITERIA,
  riskAssessment: "Publicity weighed against the risk of the abductor harming the child; broadcast judged safer.",
};

/** The judicial file a test alert belongs to (its PV number is required before submission). */
export const FILE = { pvNumber: "NA.55.LL.004521/2026", magistrateRef: "NA55.98.1234/26" };

export async function createAlert(by: Staff, content = makeContent(), exercise = false): Promise<string> {
  const res = await api("POST", "/alerts", { exercise, content, file: FILE }, as(by));
  if (res.status !== 201) throw new Error(`create ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.alertId;
}

/** The full passkey ceremony for one sign-off; returns the final response. */
export async function signOff(by: Staff, alertId: string, kind: SignOffKind, decision?: unknown) {
  const opts = await api("POST", `/alerts/${alertId}/signoffs/options`, decision === undefined ? { kind } : { kind, decision }, as(by));
  if (opts.status !== 200) return opts;
  const response = await by.auth.get(opts.body.options);
  return api("POST", `/alerts/${alertId}/signoffs`, { challengeId: opts.body.challengeId, response }, as(by));
}

export function expectOk<T>(res: ApiResponse<T>, status = 200): ApiResponse<T> {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res;
}

/** Draft → concertation → every sign-off → consent → authorised. */
export async function authorisedAlert(t: Team, content = makeContent(), exercise = false): Promise<string> {
  const id = await createAlert(t.cell, content, exercise);
  await authorise(t, id);
  return id;
}

/** A draft (e.g. with photos added) through concertation to the magistrate's authorisation, then launched. */
export async function launchExisting(t: Team, id: string): Promise<void> {
  await authorise(t, id);
  expectOk(await api("POST", `/alerts/${id}/launch`, undefined, as(t.cell)));
}

/** The cell names the team's magistrate in charge and investigator on the case (issue 23). */
export async function nameCase(t: Pick<Team, "cell" | "magistrate" | "investigator">, id: string): Promise<void> {
  expectOk(await api("POST", `/alerts/${id}/members`, { userId: t.investigator.userId, role: "investigator" }, as(t.cell)));
  expectOk(await api("POST", `/alerts/${id}/members`, { userId: t.magistrate.userId, role: "magistrate" }, as(t.cell)));
}

async function authorise(t: Team, id: string, decision: unknown = DECISION): Promise<void> {
  await nameCase(t, id);
  expectOk(await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell)));
  expectOk(await signOff(t.investigator, id, "investigator"));
  expectOk(await signOff(t.cell, id, "cell"));
  expectOk(await signOff(t.operator, id, "operator"));
  expectOk(await api("POST", `/alerts/${id}/consent`, { basis: "parental_consent", note: "Both parents agreed by phone." }, as(t.counsellor)));
  expectOk(await signOff(t.magistrate, id, "authorisation", decision));
}

/** Issue 29: a search notice drafted by the foundation, through the concertation and the magistrate's written evaluation, published. */
export async function liveNotice(t: Team, content = makeContent()): Promise<string> {
  const res = await api("POST", "/alerts", { exercise: false, content, file: FILE, kind: "search_notice", initiative: "parents" }, as(t.operator));
  if (res.status !== 201) throw new Error(`create notice ${res.status} ${JSON.stringify(res.body)}`);
  const id = res.body.alertId as string;
  // The magistrate's written evaluation: a notice is not asked the four Child Alert criteria.
  await authorise(t, id, { riskAssessment: DECISION.riskAssessment });
  expectOk(await api("POST", `/alerts/${id}/launch`, undefined, as(t.operator)));
  return id;
}

export async function liveAlert(t: Team, content = makeContent()): Promise<string> {
  const id = await authorisedAlert(t, content);
  expectOk(await api("POST", `/alerts/${id}/launch`, undefined, as(t.cell)));
  return id;
}

// ------------------------------------------------------------ web push (in-process stand-in)

const PUSH = "https://push.test";
export type PushMsg = { at: number; ttl: number; topic: string; urgency: string; payload: { type: string; tag: string; version: number; title: string; body: string; actions: unknown[] } };
/** The push-service stand-in the test runtime routes https://push.test to (vitest.config.ts). */
export const standin = {
  subscribe: async () => (await (await fetch(`${PUSH}/__subscribe`, { method: "POST" })).json()) as { id: string; endpoint: string; keys: { p256dh: string; auth: string } },
  received: async (id: string) => (await (await fetch(`${PUSH}/__received?id=${id}`)).json()) as PushMsg[],
  behave: (b: { id: string; status: number; retryAfter?: number; times?: number }) => fetch(`${PUSH}/__behaviour`, { method: "POST", body: JSON.stringify(b) }),
};

let ipSeq = 0;
/** A citizen's browser subscribed through the public API. */
export async function citizen(prefs: { lang?: string; regions?: string[]; exercise?: boolean; notices?: boolean } = {}) {
  const s = await standin.subscribe();
  const res = await api(
    "POST",
    "/push/subscriptions",
    { subscription: { endpoint: s.endpoint, keys: s.keys }, lang: prefs.lang ?? "fr", regions: prefs.regions ?? ["BE"], exercise: prefs.exercise ?? false, ...(prefs.notices ? { notices: true } : {}) },
    { ip: `198.51.100.${++ipSeq % 250}` },
  );
  if (res.status !== 201) throw new Error(`subscribe ${res.status} ${JSON.stringify(res.body)}`);
  return s;
}

export async function fanoutsOf(alertId: string, who: Caller): Promise<FanoutCounters[]> {
  return expectOk(await api("GET", `/alerts/${alertId}/fanout`, undefined, who)).body.fanouts as FanoutCounters[];
}

/** Waits until the fan-outs of an alert are planned and all their pages done (the queues run in the test runtime). */
export async function settledFanouts(alertId: string, events: string[], who: Caller, timeoutMs = 25_000): Promise<FanoutCounters[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const f = await fanoutsOf(alertId, who);
    const done = events.every((e) => f.some((x) => x.event === e)) && f.every(fanoutFinished);
    if (done) return f;
    if (Date.now() > deadline) throw new Error(`fan-out not settled: ${JSON.stringify(f)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A version's poster set rendered by the real jobs: the set's first job (render_posters) run
 * here, its poster jobs delivered by the POSTERS queue as in production. Resolves once every
 * poster of the set is recorded, with the first job's queue result.
 */
export async function renderPosterSet(alertId: string, versionId: string, timeoutMs = 60_000) {
  const { createExecutionContext, createMessageBatch, getQueueResult } = await import("cloudflare:test");
  const { default: worker } = await import("../index.ts");
  const { versionPosters } = await import("../render/poster-sets.ts");
  const batch = createMessageBatch("child-alert-fanout", [{ id: "render", timestamp: new Date(), attempts: 1, body: { type: "render_posters", alertId, versionId } }]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  const result = await getQueueResult(batch, ctx);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const set = await versionPosters(db(), env.APP_ORIGIN, alertId, versionId);
    if (result.retryMessages.length || (set.inputsHash && set.posters.length >= set.expected)) return result;
    if (Date.now() > deadline) throw new Error(`poster set of ${versionId}: ${set.posters.length} of ${set.expected} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
