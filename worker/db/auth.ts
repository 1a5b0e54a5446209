// Staff identity queries: users, passkey credentials, sessions, invitations, challenges.
import { and, eq, gt, isNull, lt, lte, or, sql } from "drizzle-orm";
import { SESSION_IDLE_MS, SESSION_TOUCH_MS } from "../config.ts";
import type { Db } from "./client.ts";
import { accountRequests, challenges, credentials, invitations, sessions, users } from "./schema.ts";

export type UserRow = typeof users.$inferSelect;
export type ChallengeRow = typeof challenges.$inferSelect;
export type InvitationRow = typeof invitations.$inferSelect;
export type CredentialRow = typeof credentials.$inferSelect;
export type AccountRequestRow = typeof accountRequests.$inferSelect;

/** The session's user, if the session is neither expired nor idle past SESSION_IDLE_MS; its last use is recorded (at most once a minute). */
export async function sessionUser(db: Db, tokenHash: string, now: Date): Promise<UserRow | undefined> {
  const lastUse = sql`coalesce(${sessions.lastSeenAt}, ${sessions.createdAt})`;
  const [row] = await db
    .select({ user: users, lastUse: sql<string>`${lastUse}` })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(
        eq(sessions.tokenHash, tokenHash),
        gt(sessions.expiresAt, now.toISOString()),
        gt(lastUse, new Date(now.getTime() - SESSION_IDLE_MS).toISOString()),
        isNull(users.disabledAt),
      ),
    );
  if (!row) return undefined;
  if (Date.parse(row.lastUse) < now.getTime() - SESSION_TOUCH_MS) {
    await db.update(sessions).set({ lastSeenAt: now.toISOString() }).where(eq(sessions.tokenHash, tokenHash));
  }
  return row.user;
}

/**
 * Deletes ended sessions (expired or idle) and challenges past their expiry; returns the
 * sessions that ended (whose open live feeds the caller closes: tips carry contact details).
 */
export async function deleteEndedSessionsAndChallenges(db: Db, now: Date): Promise<{ userId: string; tokenHash: string }[]> {
  const idleSince = new Date(now.getTime() - SESSION_IDLE_MS).toISOString();
  const ended = await db
    .delete(sessions)
    .where(or(lte(sessions.expiresAt, now.toISOString()), lte(sql`coalesce(${sessions.lastSeenAt}, ${sessions.createdAt})`, idleSince)))
    .returning({ userId: sessions.userId, tokenHash: sessions.tokenHash });
  await db.delete(challenges).where(lte(challenges.expiresAt, now.toISOString()));
  return ended;
}

/** Takes a pending invitation for use, atomically: of two uses racing on one link exactly one gets true. */
export async function claimInvitation(db: Db, id: string, now: Date): Promise<boolean> {
  const rows = await db
    .update(invitations)
    .set({ usedAt: now.toISOString() })
    .where(and(eq(invitations.id, id), isNull(invitations.usedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, now.toISOString())))
    .returning({ id: invitations.id });
  return rows.length === 1;
}

/** Gives a claimed invitation back (the registration it was claimed for wrote nothing). */
export const releaseInvitation = (db: Db, id: string) => db.update(invitations).set({ usedAt: null }).where(eq(invitations.id, id));

export const approveInvitationStmt = (db: Db, id: string, by: string) => db.update(invitations).set({ approvedBy: by }).where(eq(invitations.id, id));

export const revokeInvitationStmt = (db: Db, id: string, now: Date) =>
  db.update(invitations).set({ revokedAt: now.toISOString() }).where(and(eq(invitations.id, id), isNull(invitations.usedAt), isNull(invitations.revokedAt)));

export const deleteSession = (db: Db, tokenHash: string) => db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));

export async function validInvitation(db: Db, tokenHash: string, now: Date): Promise<InvitationRow | undefined> {
  const [row] = await db
    .select()
    .from(invitations)
    .where(
      and(eq(invitations.tokenHash, tokenHash), isNull(invitations.usedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, now.toISOString())),
    );
  return row;
}

export async function invitationById(db: Db, id: string): Promise<InvitationRow | undefined> {
  const [row] = await db.select().from(invitations).where(eq(invitations.id, id));
  return row;
}

/**
 * Takes a challenge for use, atomically: a challenge is consumed before the assertion
 * is verified, so a replay (or a race of two submissions) finds it already used.
 */
export async function consumeChallenge(db: Db, challengeId: string, purpose: ChallengeRow["purpose"], now: Date) {
  const [row] = await db
    .update(challenges)
    .set({ usedAt: now.toISOString() })
    .where(
      and(
        eq(challenges.id, challengeId),
        eq(challenges.purpose, purpose),
        isNull(challenges.usedAt),
        gt(challenges.expiresAt, now.toISOString()),
      ),
    )
    .returning();
  return row;
}

export async function credentialById(db: Db, id: string): Promise<CredentialRow | undefined> {
  const [row] = await db.select().from(credentials).where(eq(credentials.id, id));
  return row;
}

/** A person's passkeys; `active` leaves out revoked ones. */
export async function credentialsOf(db: Db, userId: string, { active = false } = {}): Promise<CredentialRow[]> {
  return db.select().from(credentials).where(and(eq(credentials.userId, userId), active ? isNull(credentials.revokedAt) : undefined));
}

/** The statement revoking one passkey of a person, for good (run it in the same batch as its audit entry). */
export const revokeCredentialStmt = (db: Db, userId: string, credentialId: string, by: string, now: Date) =>
  db
    .update(credentials)
    .set({ revokedAt: now.toISOString(), revokedBy: by })
    .where(and(eq(credentials.id, credentialId), eq(credentials.userId, userId), isNull(credentials.revokedAt)));

/** Every link still pending that would add a passkey to this person's account: revoked with a key (issue 23). */
export const revokePendingLinksStmt = (db: Db, userId: string, now: Date) =>
  db
    .update(invitations)
    .set({ revokedAt: now.toISOString() })
    .where(and(eq(invitations.userId, userId), isNull(invitations.usedAt), isNull(invitations.revokedAt)));

/** The passkeys added to existing accounts whose owner is not yet told, registered before `olderThan` (the cron's catch-up). */
export async function untoldPasskeys(db: Db, olderThan: Date): Promise<string[]> {
  const rows = await db
    .select({ id: credentials.id })
    .from(credentials)
    .where(and(isNull(credentials.ownerToldAt), lt(credentials.createdAt, olderThan.toISOString())))
    .limit(50);
  return rows.map((r) => r.id);
}

/** Marks the owner told, once: false if another run did it first. */
export async function markOwnerTold(db: Db, credentialId: string, now: Date): Promise<boolean> {
  const rows = await db
    .update(credentials)
    .set({ ownerToldAt: now.toISOString() })
    .where(and(eq(credentials.id, credentialId), isNull(credentials.ownerToldAt)))
    .returning({ id: credentials.id });
  return rows.length === 1;
}

/** What an owner or an admin sees of a passkey. */
export const passkeyView = (r: CredentialRow) => ({ id: r.id, name: r.name, createdAt: r.createdAt, lastUsedAt: r.lastUsedAt, revokedAt: r.revokedAt });

export async function nameCredential(db: Db, userId: string, credentialId: string, name: string): Promise<boolean> {
  const rows = await db.update(credentials).set({ name }).where(and(eq(credentials.id, credentialId), eq(credentials.userId, userId))).returning({ id: credentials.id });
  return rows.length === 1;
}

export const deleteSessionsOf = (db: Db, userId: string) => db.delete(sessions).where(eq(sessions.userId, userId));

export async function userById(db: Db, id: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row;
}

export async function userByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.email, email));
  return row;
}

export async function listUsers(db: Db) {
  const rows = await db.select().from(users).orderBy(users.createdAt);
  const creds = await db.select({ userId: credentials.userId }).from(credentials).where(isNull(credentials.revokedAt));
  const count = new Map<string, number>();
  for (const c of creds) count.set(c.userId, (count.get(c.userId) ?? 0) + 1);
  return rows.map((u) => ({ ...u, passkeys: count.get(u.id) ?? 0 }));
}

export async function pendingInvitations(db: Db, now: Date) {
  return db
    .select({
      id: invitations.id,
      email: invitations.email,
      displayName: invitations.displayName,
      role: invitations.role,
      expiresAt: invitations.expiresAt,
      /** Adds a passkey to an existing account. */
      forUser: invitations.userId,
      createdBy: invitations.createdBy,
      needsApproval: invitations.needsApproval,
      approvedBy: invitations.approvedBy,
      drillSeat: invitations.drillSeat,
    })
    .from(invitations)
    .where(and(isNull(invitations.usedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, now.toISOString())));
}

// ------------------------------------------------------------- four eyes (issue 23)

/** Active admins other than `exceptId`: is there anyone who could give a second approval? */
export async function otherActiveAdmins(db: Db, exceptId: string): Promise<number> {
  const row = await db.get<{ n: number }>(sql`SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL AND id <> ${exceptId}`);
  return row?.n ?? 0;
}

export async function accountRequestById(db: Db, id: string): Promise<AccountRequestRow | undefined> {
  const [row] = await db.select().from(accountRequests).where(eq(accountRequests.id, id));
  return row;
}

/** Requests neither approved, withdrawn nor expired: what admins see waiting for a second approval. */
export async function pendingAccountRequests(db: Db, now: Date): Promise<AccountRequestRow[]> {
  return db
    .select()
    .from(accountRequests)
    .where(and(isNull(accountRequests.approvedAt), isNull(accountRequests.cancelledAt), gt(accountRequests.expiresAt, now.toISOString())))
    .orderBy(accountRequests.requestedAt);
}

/** A newer request for the same account and kind replaces the one still waiting. */
export const supersedeAccountRequestsStmt = (db: Db, userId: string, kind: AccountRequestRow["kind"], now: Date) =>
  db
    .update(accountRequests)
    .set({ cancelledAt: now.toISOString() })
    .where(and(eq(accountRequests.userId, userId), eq(accountRequests.kind, kind), isNull(accountRequests.approvedAt), isNull(accountRequests.cancelledAt)));

/** Takes a pending request for approval, atomically: of two approvals racing, one wins. */
export async function claimAccountRequest(db: Db, id: string, by: string, now: Date): Promise<boolean> {
  const rows = await db
    .update(accountRequests)
    .set({ approvedBy: by, approvedAt: now.toISOString() })
    .where(and(eq(accountRequests.id, id), isNull(accountRequests.approvedAt), isNull(accountRequests.cancelledAt), gt(accountRequests.expiresAt, now.toISOString())))
    .returning({ id: accountRequests.id });
  return rows.length === 1;
}

/** Gives a claimed request back (the change it was claimed for wrote nothing). */
export const releaseAccountRequest = (db: Db, id: string) => db.update(accountRequests).set({ approvedBy: null, approvedAt: null }).where(eq(accountRequests.id, id));

/** Writes a person's role and disabled time (a change an admin made, or a second admin approved). */
export const setAccountStmt = (db: Db, userId: string, values: { role?: UserRow["role"]; disabledAt: string | null }) => db.update(users).set(values).where(eq(users.id, userId));

export const insertAccountRequestStmt = (db: Db, r: typeof accountRequests.$inferInsert) => db.insert(accountRequests).values(r);

/** Withdraws (or refuses) a request not yet approved. */
export const cancelAccountRequestStmt = (db: Db, id: string, now: Date) =>
  db.update(accountRequests).set({ cancelledAt: now.toISOString() }).where(and(eq(accountRequests.id, id), isNull(accountRequests.approvedAt)));
