// Passkeys for staff (WebAuthn via @simplewebauthn/server): invitations, registration,
// sign-in, sessions, and the sign-off ceremony whose challenge is derived from the
// content hash, so an approval is bound to exactly what was approved.
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import { eq } from "drizzle-orm";
import { CHALLENGE_TTL_MS, INVITATION_TTL_MS, SESSION_TTL_MS } from "../config.ts";
import {
  claimInvitation,
  consumeChallenge,
  credentialById,
  credentialsOf,
  invitationById,
  otherActiveAdmins,
  releaseInvitation,
  type UserRow,
  userByEmail,
  validInvitation,
} from "../db/auth.ts";
import { commit, type Db, type Stmt } from "../db/client.ts";
import { challenges, credentials, invitations, sessions, users } from "../db/schema.ts";
import { accountNoticeStmt } from "../db/notices.ts";
import { canonicalJson, challengeBinds, type Role, seatNeedsSecondAdmin, sha256Hex, type SignOffDecision, type SignOffKind, signOffDigest } from "../domain/index.ts";
import { checkDrillSeatRole } from "../domain/drill.ts";
import { b64url, unb64url } from "../bytes.ts";
import { AppError } from "../errors.ts";
import { log } from "../log.ts";
import type { SignOffEvidence } from "../alert/commands/index.ts";

export interface RelyingParty {
  origin: string;
  rpId: string;
  rpName: string;
}

export const rpFromEnv = (env: Env): RelyingParty => ({ origin: env.APP_ORIGIN, rpId: env.RP_ID, rpName: env.RP_NAME });

// ------------------------------------------------------------- encoding

export const randomToken = (bytes = 32) => b64url(crypto.getRandomValues(new Uint8Array(bytes)));

const hexToBytes = (hex: string) => Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));

/**
 * The sign-off challenge: the 32 bytes of H(content hash ‖ kind ‖ decision) (domain
 * signOffDigest) followed by 16 random bytes. The signed clientDataJSON carries it, so the
 * stored assertion proves by itself what it approved, and the random part makes every
 * ceremony single-use.
 */
export function signOffChallenge(digestHex: string): string {
  const out = new Uint8Array(48);
  out.set(hexToBytes(digestHex), 0);
  out.set(crypto.getRandomValues(new Uint8Array(16)), 32);
  return b64url(out);
}

const later = (now: Date, ms: number) => new Date(now.getTime() + ms).toISOString();

// ------------------------------------------------------------- invitations

export interface NewInvitation {
  email: string;
  displayName: string;
  role: Role;
  createdBy: string | null;
  /** The account it creates acts on exercises only (domain/drill.ts). */
  drillSeat?: boolean;
}

/**
 * Invites someone (or, for an existing e-mail, lets that user add a passkey). Returns the
 * one-time token; only its hash is stored.
 */
export async function createInvitation(db: Db, inv: NewInvitation, now: Date) {
  const existing = await userByEmail(db, inv.email);
  if (existing && existing.role !== inv.role) {
    throw new AppError("E_RULE", "this e-mail already belongs to a user with another role; change the role first");
  }
  const drillSeat = inv.drillSeat === true;
  if (drillSeat) checkDrillSeatRole(inv.role);
  if (existing && existing.drillSeat !== drillSeat) {
    throw new AppError("E_RULE", existing.drillSeat ? "this e-mail belongs to a drill seat: its new device is invited as a drill seat too" : "this e-mail belongs to an ordinary seat: a drill seat is an account of its own");
  }
  const token = randomToken();
  const id = crypto.randomUUID();
  // Four eyes (issue 23): an admin's link that adds a passkey to someone else's account (a
  // lost device), or that creates an account with a seat (domain SEAT_ROLES), works only
  // once a second admin approved it. The command line (createdBy null) bootstraps the first admins.
  const needsApproval = inv.createdBy !== null && (existing ? inv.createdBy !== existing.id : seatNeedsSecondAdmin(inv.role));
  if (needsApproval && (await otherActiveAdmins(db, inv.createdBy!)) === 0) throw new AppError("E_SECOND_ADMIN_NEEDED");
  await commit(
    db,
    [
      ...(needsApproval ? [accountNoticeStmt(db, id, "account_approval_needed", existing ? { id: existing.id, role: existing.role as Role } : null, now)] : []),
      db.insert(invitations).values({
        needsApproval,
        id,
        tokenHash: await sha256Hex(token),
        email: inv.email,
        displayName: existing?.displayName ?? inv.displayName,
        role: inv.role,
        drillSeat,
        userId: existing?.id ?? null,
        createdBy: inv.createdBy,
        createdAt: now.toISOString(),
        expiresAt: later(now, INVITATION_TTL_MS),
      }),
    ],
    [{ actorUserId: inv.createdBy, action: "invitation_created", details: { invitationId: id, role: inv.role, needsApproval, ...(drillSeat ? { drillSeat } : {}), ...(existing ? { forUser: existing.id } : {}) } }],
    now,
  );
  return { id, token, expiresAt: later(now, INVITATION_TTL_MS), needsApproval };
}

export async function invitationForToken(db: Db, token: string, now: Date) {
  const inv = await validInvitation(db, await sha256Hex(token), now);
  if (!inv) throw new AppError("E_INVITATION_INVALID");
  assertApproved(inv);
  return inv;
}

function assertApproved(inv: { needsApproval: boolean; approvedBy: string | null }) {
  if (inv.needsApproval && !inv.approvedBy) throw new AppError("E_INVITATION_PENDING");
}

// ------------------------------------------------------------- registration

export async function registrationOptions(db: Db, rp: RelyingParty, token: string, now: Date) {
  const inv = await invitationForToken(db, token, now);
  const userId = inv.userId ?? crypto.randomUUID();
  const existing = inv.userId ? await credentialsOf(db, inv.userId) : [];
  const options = await generateRegistrationOptions({
    rpName: rp.rpName,
    rpID: rp.rpId,
    userName: inv.email,
    userDisplayName: inv.displayName,
    userID: new TextEncoder().encode(userId),
    attestationType: "none",
    excludeCredentials: existing.map((c) => ({ id: c.id })),
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
    supportedAlgorithmIDs: [-7, -257],
  });
  const challengeId = crypto.randomUUID();
  await db.insert(challenges).values({
    id: challengeId,
    purpose: "register",
    challenge: options.challenge,
    userId,
    invitationId: inv.id,
    expiresAt: later(now, CHALLENGE_TTL_MS),
  });
  return { challengeId, options };
}

export async function verifyRegistration(
  db: Db,
  rp: RelyingParty,
  input: { challengeId: string; response: RegistrationResponseJSON },
  now: Date,
): Promise<{ user: UserRow; sessionToken: string; addedPasskey?: string }> {
  const ch = await consumeChallenge(db, input.challengeId, "register", now);
  if (!ch || !ch.invitationId || !ch.userId) throw new AppError("E_CHALLENGE_INVALID");
  const inv = await invitationById(db, ch.invitationId);
  if (!inv || inv.usedAt || inv.revokedAt || inv.expiresAt <= now.toISOString()) throw new AppError("E_INVITATION_INVALID");
  assertApproved(inv);

  let verification;
  try {
    verification = await verifyRegistrationResponse({
      response: input.response,
      expectedChallenge: ch.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpId,
      requireUserVerification: true,
    });
  } catch (err) {
    // The library's text stays in the log (no personal data in it), not in the answer: it would tell a prober what to fix.
    log.warn("passkey_registration_refused", { error: err });
    throw new AppError("E_BAD_ASSERTION");
  }
  if (!verification.verified || !verification.registrationInfo) throw new AppError("E_BAD_ASSERTION");
  const { credential } = verification.registrationInfo;

  // The invitation is used once, atomically: of two registrations racing on one link,
  // exactly one takes it here; the other is refused (a replayed or parallel use).
  if (!(await claimInvitation(db, inv.id, now))) throw new AppError("E_INVITATION_INVALID");

  const user: UserRow = {
    id: ch.userId,
    email: inv.email,
    displayName: inv.displayName,
    role: inv.role as Role,
    createdAt: now.toISOString(),
    disabledAt: null,
    drillSeat: inv.drillSeat,
  };
  const sessionToken = randomToken();
  const statements: Stmt[] = [];
  if (!inv.userId) statements.push(db.insert(users).values(user));
  statements.push(
    db.insert(credentials).values({
      id: credential.id,
      userId: user.id,
      publicKey: b64url(credential.publicKey),
      counter: credential.counter,
      transports: credential.transports?.join(",") ?? null,
      createdAt: now.toISOString(),
      invitationId: inv.id,
      // A passkey added to an existing account is told to its owner (job passkey_added); a new account's first one is not news.
      ownerToldAt: inv.userId ? null : now.toISOString(),
    }),
    (await sessionInsert(db, user.id, sessionToken, now)).stmt,
  );
  try {
    await commit(
      db,
      statements,
      [{ actorUserId: user.id, actorRole: user.role, action: "passkey_registered", details: { invitationId: inv.id } }],
      now,
    );
  } catch (err) {
    // Two new-account invitations for one address used at once: the account exists now.
    if (/UNIQUE constraint failed: users\.email/.test(String((err as Error).message) + String((err as { cause?: Error }).cause?.message))) {
      throw new AppError("E_CONFLICT", "an account for this e-mail address was just created; ask for an invitation to add a passkey to it");
    }
    // Nothing else was written: the link stays usable.
    await releaseInvitation(db, inv.id);
    throw err;
  }
  return inv.userId ? { user: { ...user, createdAt: inv.createdAt }, sessionToken, addedPasskey: credential.id } : { user, sessionToken };
}

// ------------------------------------------------------------- sign-in

export async function loginOptions(db: Db, rp: RelyingParty, now: Date) {
  const options = await generateAuthenticationOptions({ rpID: rp.rpId, userVerification: "required" });
  const challengeId = crypto.randomUUID();
  await db.insert(challenges).values({
    id: challengeId,
    purpose: "login",
    challenge: options.challenge,
    expiresAt: later(now, CHALLENGE_TTL_MS),
  });
  return { challengeId, options };
}

/** Verifies an assertion against the stored credential; returns the credential's user. */
async function verifyAssertion(
  db: Db,
  rp: RelyingParty,
  expectedChallenge: string,
  response: AuthenticationResponseJSON,
  now: Date,
) {
  const cred = await credentialById(db, response.id);
  if (!cred) throw new AppError("E_BAD_ASSERTION", "unknown passkey");
  if (cred.revokedAt) throw new AppError("E_BAD_ASSERTION", "this passkey was revoked");
  let result;
  try {
    result = await verifyAuthenticationResponse({
      response,
      expectedChallenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpId,
      credential: {
        id: cred.id,
        publicKey: unb64url(cred.publicKey),
        counter: cred.counter,
      },
      requireUserVerification: true,
    });
  } catch (err) {
    log.warn("passkey_assertion_refused", { error: err });
    throw new AppError("E_BAD_ASSERTION");
  }
  if (!result.verified) throw new AppError("E_BAD_ASSERTION");
  const counterUpdate = db
    .update(credentials)
    .set({ counter: result.authenticationInfo.newCounter, lastUsedAt: now.toISOString() })
    .where(eq(credentials.id, cred.id));
  return { cred, counterUpdate };
}

export async function verifyLogin(
  db: Db,
  rp: RelyingParty,
  input: { challengeId: string; response: AuthenticationResponseJSON },
  now: Date,
): Promise<{ user: UserRow; sessionToken: string }> {
  const ch = await consumeChallenge(db, input.challengeId, "login", now);
  if (!ch) throw new AppError("E_CHALLENGE_INVALID");
  const { cred, counterUpdate } = await verifyAssertion(db, rp, ch.challenge, input.response, now);
  const [user] = await db.select().from(users).where(eq(users.id, cred.userId));
  if (!user || user.disabledAt) throw new AppError("E_BAD_ASSERTION", "this account is disabled");
  const sessionToken = randomToken();
  await commit(
    db,
    [counterUpdate, (await sessionInsert(db, user.id, sessionToken, now)).stmt],
    [{ actorUserId: user.id, actorRole: user.role, action: "signed_in", details: { credentialId: cred.id } }],
    now,
  );
  return { user, sessionToken };
}

// ------------------------------------------------------------- a fresh assertion (issue 23)

/**
 * A session alone is not enough for a step that would outlive it — a link that adds a
 * passkey (a stolen cookie could mint one and come back after the stolen key is
 * revoked): the person proves again, now, that they hold one of their passkeys.
 */
export async function reauthOptions(db: Db, rp: RelyingParty, user: UserRow, now: Date) {
  const creds = await credentialsOf(db, user.id, { active: true });
  const options = await generateAuthenticationOptions({ rpID: rp.rpId, userVerification: "required", allowCredentials: creds.map((c) => ({ id: c.id })) });
  const challengeId = crypto.randomUUID();
  await db.insert(challenges).values({ id: challengeId, purpose: "reauth", challenge: options.challenge, userId: user.id, expiresAt: later(now, CHALLENGE_TTL_MS) });
  return { challengeId, options };
}

/** Checks the fresh assertion: this person's own, active passkey, with user verification, for a challenge made for them. */
export async function verifyReauth(db: Db, rp: RelyingParty, user: UserRow, input: { challengeId: string; response: AuthenticationResponseJSON }, now: Date): Promise<void> {
  const ch = await consumeChallenge(db, input.challengeId, "reauth", now);
  if (!ch || ch.userId !== user.id) throw new AppError("E_CHALLENGE_INVALID");
  const { cred, counterUpdate } = await verifyAssertion(db, rp, ch.challenge, input.response, now);
  if (cred.userId !== user.id) throw new AppError("E_BAD_ASSERTION", "not one of your passkeys");
  await counterUpdate;
}

/** Returns the statement wrapped: an async function returning a drizzle query would run it. */
async function sessionInsert(db: Db, userId: string, token: string, now: Date): Promise<{ stmt: Stmt }> {
  const stmt = db.insert(sessions).values({
    tokenHash: await sha256Hex(token),
    userId,
    createdAt: now.toISOString(),
    expiresAt: later(now, SESSION_TTL_MS),
  });
  return { stmt };
}

// ------------------------------------------------------------- sign-off ceremony

export async function signOffOptions(
  db: Db,
  rp: RelyingParty,
  user: UserRow,
  target: { alertId: string; versionId: string; contentHash: string; kind: SignOffKind; decision: SignOffDecision | null },
  now: Date,
) {
  const creds = await credentialsOf(db, user.id, { active: true });
  const challenge = signOffChallenge(await signOffDigest(target.contentHash, target.kind, target.decision));
  const options = await generateAuthenticationOptions({
    rpID: rp.rpId,
    challenge: unb64url(challenge),
    userVerification: "required",
    allowCredentials: creds.map((c) => ({ id: c.id })),
  });
  const challengeId = crypto.randomUUID();
  await db.insert(challenges).values({
    id: challengeId,
    purpose: "signoff",
    challenge: options.challenge,
    userId: user.id,
    alertId: target.alertId,
    versionId: target.versionId,
    contentHash: target.contentHash,
    signOffKind: target.kind,
    decision: target.decision ? canonicalJson(target.decision) : null,
    expiresAt: later(now, CHALLENGE_TTL_MS),
  });
  const { decision: _signed, ...shown } = target;
  return { challengeId, options, ...shown };
}

/**
 * Verifies a sign-off assertion: the challenge was issued to this user for this alert,
 * is unused, embeds H(content hash ‖ kind ‖ decision), and the signature is by one of the
 * user's own passkeys. Returns what the Durable Object needs to bind the sign-off to the
 * version, with the decision as signed.
 */
export async function verifySignOff(
  db: Db,
  rp: RelyingParty,
  user: UserRow,
  alertId: string,
  input: { challengeId: string; response: AuthenticationResponseJSON },
  now: Date,
): Promise<{ versionId: string; contentHash: string; kind: SignOffKind; decision?: SignOffDecision; evidence: SignOffEvidence }> {
  const ch = await consumeChallenge(db, input.challengeId, "signoff", now);
  if (!ch || ch.userId !== user.id || ch.alertId !== alertId || !ch.versionId || !ch.contentHash || !ch.signOffKind) {
    throw new AppError("E_CHALLENGE_INVALID");
  }
  const kind = ch.signOffKind as SignOffKind;
  const decision = ch.decision ? (JSON.parse(ch.decision) as SignOffDecision) : null;
  if ((await challengeBinds(ch.challenge, ch.contentHash, kind, decision)) !== "decision") throw new AppError("E_CHALLENGE_INVALID");
  const { cred, counterUpdate } = await verifyAssertion(db, rp, ch.challenge, input.response, now);
  if (cred.userId !== user.id) throw new AppError("E_BAD_ASSERTION", "the passkey belongs to someone else");
  await counterUpdate;
  return {
    versionId: ch.versionId,
    contentHash: ch.contentHash,
    kind,
    ...(decision ? { decision } : {}),
    evidence: {
      credentialId: cred.id,
      challenge: ch.challenge,
      authenticatorData: input.response.response.authenticatorData,
      clientDataJson: input.response.response.clientDataJSON,
      signature: input.response.response.signature,
    },
  };
}
