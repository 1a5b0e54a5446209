// Staff accounts and their four-eyes workflow (issue 23), out of the routes: disable (at
// once), ask for a new role or re-enabling (in effect once another admin approves), approve
// or withdraw, approve or revoke an invitation, revoke a lost passkey; the channel switches.
// Each change is one D1 batch with its audit entry; the notices' e-mails are asked of the
// queue afterwards (the cron asks again if that fails). routes/admin.ts validates and shapes.
import { ACCOUNT_REQUEST_TTL_MS } from "../config.ts";
import { accountNoticeStmt } from "../db/notices.ts";
import {
  accountRequestById,
  type AccountRequestRow,
  approveInvitationStmt,
  cancelAccountRequestStmt,
  claimAccountRequest,
  credentialsOf,
  deleteSessionsOf,
  insertAccountRequestStmt,
  invitationById,
  otherActiveAdmins,
  releaseAccountRequest,
  revokeCredentialStmt,
  revokeInvitationStmt,
  revokePendingLinksStmt,
  setAccountStmt,
  supersedeAccountRequestsStmt,
  userById,
} from "../db/auth.ts";
import { commit, type Db } from "../db/client.ts";
import { setChannel } from "../db/settings.ts";
import { type Actor, checkAccountChange, checkInvitationApproval, checkOwnRevocation, checkSecondAdmin, type MailboxKind, type Role } from "../domain/index.ts";
import { setMailboxes } from "../db/notices.ts";
import { AppError } from "../errors.ts";
import { checkDrillSeatRole } from "../domain/drill.ts";
import { closeLiveFeeds, endAccess } from "./sessions.ts";

const by = (admin: Actor) => ({ actorUserId: admin.userId, actorRole: admin.role });
/** The notices' e-mails (of an account request or invitation): asked of the queue; the cron asks again if this fails. */
const mailNotices = (env: Env, id: string) => env.FANOUT.send({ type: "mail_notices", alertId: id }).catch(() => undefined);

export type PendingRequest = Omit<AccountRequestRow, "approvedBy" | "approvedAt" | "cancelledAt">;

/**
 * Disabling takes effect at once (it only takes power away) and ends the person's
 * sessions; a new role and re-enabling are requests another admin approves. Refused with
 * E_SECOND_ADMIN_NEEDED, before anything is written, when no other admin is active.
 */
export async function changeAccount(env: Env, db: Db, admin: Actor, userId: string, change: { disabled?: boolean; role?: Role }, now = new Date()) {
  checkAccountChange(admin.userId, userId, change);
  const user = await userById(db, userId);
  if (!user) throw new AppError("E_NOT_FOUND", "user not found");
  if (user.drillSeat && change.role !== undefined) checkDrillSeatRole(change.role);
  const disabling = change.disabled === true && !user.disabledAt;
  const enabling = change.disabled === false && !!user.disabledAt;
  const asks = [
    ...(change.role !== undefined && change.role !== user.role ? [{ kind: "role" as const, role: change.role }] : []),
    ...(enabling ? [{ kind: "enable" as const, role: null }] : []),
  ];
  if (asks.length && (await otherActiveAdmins(db, admin.userId)) === 0) throw new AppError("E_SECOND_ADMIN_NEEDED");
  const disabledAt = disabling ? now.toISOString() : user.disabledAt;
  const requests: PendingRequest[] = asks.map((a) => ({
    id: crypto.randomUUID(),
    kind: a.kind,
    userId,
    role: a.role,
    requestedBy: admin.userId,
    requestedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ACCOUNT_REQUEST_TTL_MS).toISOString(),
  }));
  if (disabling || requests.length) {
    await commit(
      db,
      [
        ...(disabling ? [setAccountStmt(db, userId, { disabledAt }), deleteSessionsOf(db, userId)] : []),
        ...requests.flatMap((r) => [
          supersedeAccountRequestsStmt(db, userId, r.kind, now),
          insertAccountRequestStmt(db, r),
          accountNoticeStmt(db, r.id, "account_approval_needed", { id: userId, role: user.role as Role }, now),
        ]),
      ],
      [
        ...(disabling ? [{ ...by(admin), action: "user_disabled", details: { userId } }] : []),
        ...requests.map((r) => ({ ...by(admin), action: "account_change_requested", details: { requestId: r.id, userId, kind: r.kind, ...(r.role ? { from: user.role, to: r.role } : {}) } })),
      ],
      now,
    );
    if (disabling) await closeLiveFeeds(env, userId);
    for (const r of requests) await mailNotices(env, r.id);
  }
  return { user, disabledAt, requests };
}

/** Another admin's request takes effect now (not approved by its asker nor by the person); a new role ends the person's sessions. */
export async function approveAccountRequest(env: Env, db: Db, admin: Actor, requestId: string, now = new Date()) {
  const req = await accountRequestById(db, requestId);
  if (!req || req.approvedAt || req.cancelledAt || req.expiresAt <= now.toISOString()) throw new AppError("E_NOT_FOUND", "no such pending request");
  checkSecondAdmin(admin.userId, req);
  const user = await userById(db, req.userId);
  if (!user) throw new AppError("E_NOT_FOUND", "user not found");
  if (!(await claimAccountRequest(db, req.id, admin.userId, now))) throw new AppError("E_CONFLICT", "this request was just approved or withdrawn");
  const role = req.kind === "role" ? (req.role as Role) : (user.role as Role);
  const disabledAt = req.kind === "enable" ? null : user.disabledAt;
  const details = { requestId: req.id, userId: user.id, requestedBy: req.requestedBy };
  try {
    await commit(
      db,
      [
        setAccountStmt(db, user.id, { role, disabledAt }),
        ...(req.kind === "role" ? [deleteSessionsOf(db, user.id)] : []),
        accountNoticeStmt(db, req.id, "account_change_approved", { id: user.id, role }, now),
      ],
      [
        { ...by(admin), action: "account_change_approved", details },
        req.kind === "role"
          ? { ...by(admin), action: "user_role_changed", details: { userId: user.id, from: user.role, to: role, requestId: req.id } }
          : { ...by(admin), action: "user_enabled", details: { userId: user.id, requestId: req.id } },
      ],
      now,
    );
  } catch (err) {
    await releaseAccountRequest(db, req.id).run();
    throw err;
  }
  if (req.kind === "role") await closeLiveFeeds(env, user.id);
  await mailNotices(env, req.id);
  return { user, role, disabledAt };
}

/** Withdrawn by the admin who asked, or refused by another: it never takes effect. */
export async function cancelAccountRequest(db: Db, admin: Actor, requestId: string, now = new Date()): Promise<void> {
  const req = await accountRequestById(db, requestId);
  if (!req || req.approvedAt || req.cancelledAt) throw new AppError("E_NOT_FOUND", "no such pending request");
  await commit(db, [cancelAccountRequestStmt(db, req.id, now)], [{ ...by(admin), action: "account_change_cancelled", details: { requestId: req.id, userId: req.userId } }], now);
}

/** Another admin's link that adds a passkey to someone's existing account (a lost device), approved. */
export async function approveInvitation(env: Env, db: Db, admin: Actor, invitationId: string, now = new Date()): Promise<void> {
  const inv = await invitationById(db, invitationId);
  if (!inv || inv.usedAt || inv.revokedAt || inv.expiresAt <= now.toISOString()) throw new AppError("E_NOT_FOUND", "no such pending invitation");
  checkInvitationApproval(admin.userId, inv);
  const person = inv.userId ? await userById(db, inv.userId) : undefined;
  await commit(
    db,
    [approveInvitationStmt(db, inv.id, admin.userId), accountNoticeStmt(db, inv.id, "account_change_approved", person ? { id: person.id, role: person.role as Role } : null, now)],
    [{ ...by(admin), action: "invitation_approved", details: { invitationId: inv.id, forUser: inv.userId, createdBy: inv.createdBy } }],
    now,
  );
  await mailNotices(env, inv.id);
}

/** A pending invitation revoked: its link stops working. */
export async function revokeInvitation(db: Db, admin: Actor, id: string, now = new Date()): Promise<void> {
  const inv = await invitationById(db, id);
  if (!inv || inv.usedAt || inv.revokedAt) throw new AppError("E_NOT_FOUND", "no such pending invitation");
  await commit(db, [revokeInvitationStmt(db, id, now)], [{ ...by(admin), action: "invitation_revoked", details: { invitationId: id } }], now);
}

/** A person's lost passkey, revoked for good: its holder loses everything it opened (sessions, live feeds, pending links for new devices). */
export async function revokePasskey(env: Env, db: Db, admin: Actor, userId: string, credentialId: string, now = new Date()): Promise<void> {
  if (!(await credentialsOf(db, userId, { active: true })).some((k) => k.id === credentialId)) throw new AppError("E_NOT_FOUND", "no such active passkey of this person");
  await commit(
    db,
    [revokeCredentialStmt(db, userId, credentialId, admin.userId, now), revokePendingLinksStmt(db, userId, now)],
    [{ ...by(admin), action: "passkey_revoked", details: { userId, by: "admin" } }],
    now,
  );
  await endAccess(env, db, userId);
}

/** A channel switched on or off (a switched-off channel sends no new alert or update; retractions always go out). */
export async function switchChannel(db: Db, admin: Actor, channel: string, enabled: boolean, now = new Date()): Promise<void> {
  await commit(db, [setChannel(db, channel, enabled, admin.userId, now)], [{ ...by(admin), action: enabled ? "channel_enabled" : "channel_disabled", details: { channel } }], now);
}

/**
 * One of my passkeys, revoked for good (never the last one: that would lock me out). It
 * ends what it may have opened: every session of mine (this one too), my live feeds, and
 * every pending link for a new device of mine (one minted from a stolen session dies with it).
 */
export async function revokeOwnPasskey(env: Env, db: Db, me: Actor, credentialId: string, now = new Date()): Promise<void> {
  checkOwnRevocation(await credentialsOf(db, me.userId, { active: true }), credentialId);
  await commit(
    db,
    [revokeCredentialStmt(db, me.userId, credentialId, me.userId, now), revokePendingLinksStmt(db, me.userId, now)],
    [{ ...by(me), action: "passkey_revoked", details: { userId: me.userId, by: "owner" } }],
    now,
  );
  await endAccess(env, db, me.userId);
}

/** The authorities' mailboxes (each list given replaces that list); the audit says which lists changed and their sizes, not the addresses. */
export async function setAuthorityMailboxes(db: Db, admin: Actor, lists: Partial<Record<MailboxKind, string[]>>, now = new Date()): Promise<void> {
  const value = Object.fromEntries(Object.entries(lists).map(([k, list]) => [k, [...new Set(list)]]));
  await commit(db, setMailboxes(db, value, admin.userId, now), [{ ...by(admin), action: "mailboxes_set", details: Object.fromEntries(Object.entries(value).map(([k, l]) => [k, l.length])) }], now);
}
