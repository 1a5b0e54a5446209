// Staff roles (DOMAIN.md "Who is involved") and what each may do. Routes check the
// role with `mayDo`; the table is the single place where permissions are decided.

import { AppError } from "../errors.ts";

export const ROLES = ["magistrate", "investigator", "cell", "operator", "counsellor", "calltaker", "admin"] as const;
export type Role = (typeof ROLES)[number];

export type Permission =
  | "alert.read"
  | "alert.create"
  | "alert.edit"
  | "alert.submit"
  | "alert.cancel"
  | "alert.launch"
  | "alert.stop"
  | "alert.extend"
  | "alert.signOff"
  | "alert.consent"
  | "alert.object"
  | "alert.assign"
  | "alert.file"
  | "alert.closeFile"
  | "alert.foreign"
  | "alert.socialRequest"
  | "alert.continue"
  | "audit.read"
  | "audit.verify"
  | "admin.users"
  | "admin.channels"
  | "admin.mailboxes"
  | "admin.partners"
  | "admin.social"
  | "social.retract"
  | "inbox.read"
  | "tip.read"
  | "tip.record"
  | "tip.ack"
  | "intake.read"
  | "intake.take"
  | "stats.read"
  | "health.read"
  | "health.check"
  | "drill.run"
  | "drill.read"
  | "drill.targets"
  | "staff.push"
  | "peer.requests"
  | "peer.relay";

const PERMISSIONS: Record<Permission, readonly Role[]> = {
  // The admin manages accounts, not cases: no access to the child's data. Call-takers read
  // only what is published, of live alerts (intake.take), never drafts or the file.
  "alert.read": ["magistrate", "investigator", "cell", "operator", "counsellor"],
  // A Child Alert is drafted by the cell and the investigators; a search notice by the foundation too (domain/kinds.ts DRAFTERS narrows).
  "alert.create": ["cell", "investigator", "operator"],
  // The operator "prepares the material", so it may edit too; every edit resets sign-offs.
  "alert.edit": ["cell", "investigator", "operator"],
  "alert.submit": ["cell", "investigator"],
  "alert.cancel": ["cell", "investigator", "magistrate"],
  // "The cell launches once authorised"; the operator runs the channels.
  "alert.launch": ["cell", "operator"],
  // The magistrate may order the stop; cell and operator execute it when the child is found.
  "alert.stop": ["magistrate", "cell", "operator"],
  // A Child Alert is extended by the magistrate alone; a search notice's review ("still needed?") by the foundation too (domain/kinds.ts narrows).
  "alert.extend": ["magistrate", "operator"],
  "alert.signOff": ["magistrate", "investigator", "cell", "operator"],
  "alert.consent": ["counsellor", "operator", "magistrate"],
  "alert.object": ["operator", "magistrate"],
  // The case's people (issue 23): the cell, which coordinates, names them; the magistrate in charge too (domain/case.ts narrows).
  "alert.assign": ["cell", "magistrate"],
  // The judicial file (issue 24.5): the PV number is given by those who draft (and the magistrate);
  // only the magistrate in charge closes the file to a non-signing role (domain/file.ts narrows).
  "alert.file": ["cell", "investigator", "magistrate"],
  "alert.closeFile": ["magistrate"],
  // Protocol §2.3.3.4: the foundation receives foreign organisations' poster requests and grants them (once the authorities are told).
  "alert.foreign": ["operator"],
  // Issue 29, §2.3.3.1: a search notice goes on the social networks at the magistrate's request; a Child Alert
  // that ended unfound continues as a search notice when the magistrate decides so.
  "alert.socialRequest": ["magistrate"],
  "alert.continue": ["magistrate"],
  "audit.read": ["magistrate", "cell", "operator", "admin"],
  "audit.verify": ["magistrate", "cell", "operator", "admin"],
  "admin.users": ["admin"],
  "admin.channels": ["admin"],
  // Rule 9: the federal police's and the cell's functional mailboxes.
  "admin.mailboxes": ["admin"],
  // Partner sites (widget, feeds, webhooks): the admin registers them; the operator, who runs the channels, too.
  "admin.partners": ["admin", "operator"],
  // The official social accounts and their credentials: the admin alone (the credentials are sealed, never shown back).
  "admin.social": ["admin"],
  // Channel health (issue 27): those who launch and run the channels, the admin who holds their credentials,
  // and the magistrate who authorises (whether the alert can reach people now); no child data in it.
  "health.read": ["operator", "cell", "admin", "magistrate"],
  "health.check": ["operator", "cell", "admin"],
  // Drills (issue 27): those who launch run them; the scorecard (times only, no child data) is for every seat
  // that takes part and the admin; the admin sets the targets.
  "drill.run": ["cell", "operator"],
  "drill.read": ["cell", "operator", "magistrate", "investigator", "admin"],
  "drill.targets": ["admin"],
  // A device of one's own woken by web push: tip readers for a new tip (issue 14), the operator and the
  // cell for a channel that stalls during a live alert (issue 27). What wakes whom is decided by role when sending.
  "staff.push": ["investigator", "cell", "calltaker", "operator"],
  // Issue 28, inbound: a peer system abroad asks us to relay its alert — the cell decides (relaying makes a
  // draft that goes through the whole concertation); the foundation, which would publish it, sees the requests too.
  "peer.requests": ["cell", "operator"],
  "peer.relay": ["cell"],
  // A post the retraction could not delete: whoever runs the channels asks again (or removes it by hand).
  "social.retract": ["cell", "operator"],
  // Everyone has an inbox; notices say what happened and link to the alert, no child data.
  "inbox.read": ROLES,
  // Rule 10: the tips of a case are read by its investigators, the cell and the call-taker who
  // took them (domain tipScope narrows each one); call-takers record them; investigators and the cell acknowledge.
  "tip.read": ["investigator", "cell", "calltaker"],
  "tip.record": ["calltaker"],
  "tip.ack": ["investigator", "cell"],
  // The intake's figures and queue (counts, waits; no numbers, no content).
  "intake.read": ["magistrate", "investigator", "cell", "operator", "calltaker"],
  // The call-takers' console: the live alerts' published content and the line's queue.
  "intake.take": ["calltaker"],
  // Rule 15: yearly PII-free statistics, exchanged with the missing-persons cell.
  "stats.read": ["cell", "admin"],
};

/** Who does something: the signed-in person and the role they act in. */
export interface Actor {
  userId: string;
  role: Role;
}

export function mayDo(role: Role, permission: Permission): boolean {
  return PERMISSIONS[permission].includes(role);
}

export function rolesFor(permission: Permission): readonly Role[] {
  return PERMISSIONS[permission];
}

/** Everything a role may do: the dashboard shows only the actions the server will accept. */
export function permissionsOf(role: Role): Permission[] {
  return (Object.keys(PERMISSIONS) as Permission[]).filter((p) => PERMISSIONS[p].includes(role));
}

export const PERMISSIONS_LIST = Object.keys(PERMISSIONS) as [Permission, ...Permission[]];

/** An admin keeps the platform administrable: no disabling oneself, no giving up one's own admin role. */
export function checkAccountChange(actorId: string, targetId: string, change: { disabled?: boolean; role?: Role }): void {
  if (actorId !== targetId) return;
  if (change.disabled) throw new AppError("E_RULE", "an admin cannot disable their own account");
  if (change.role && change.role !== "admin") throw new AppError("E_RULE", "an admin cannot remove their own admin role");
}

/**
 * The roles whose holder can move an alert towards the public — sign, settle the parents'
 * side, launch, extend or stop it — and the admin, who makes accounts. One admin alone
 * must not be able to fill these seats (issue 23: four eyes on every seat): an account
 * with such a role, a change of anyone's role, and re-enabling an account take effect
 * only once a second admin approved.
 */
const SEAT_PERMISSIONS: readonly Permission[] = ["alert.signOff", "alert.consent", "alert.launch", "alert.extend", "alert.stop", "admin.users"];
export const SEAT_ROLES: readonly Role[] = ROLES.filter((r) => SEAT_PERMISSIONS.some((p) => mayDo(r, p)));

/** Does an admin's invitation for a new account of this role need a second admin? */
export const seatNeedsSecondAdmin = (role: Role): boolean => SEAT_ROLES.includes(role);

/**
 * A change that needs a second admin is approved by an admin who is neither the one who
 * asked for it nor the person it concerns (no one alone can take another person's
 * identity, nor give themself or a confederate a seat).
 */
export function checkSecondAdmin(adminId: string, request: { requestedBy: string | null; userId: string | null }): void {
  if (request.requestedBy === adminId || request.userId === adminId) {
    throw new AppError("E_FORBIDDEN_ROLE", "a second administrator approves: not the one who asked, nor the person it concerns");
  }
}

/** An invitation that needs approval is approved by a second admin (checkSecondAdmin). */
export function checkInvitationApproval(adminId: string, inv: { needsApproval: boolean; createdBy: string | null; userId: string | null }): void {
  if (!inv.needsApproval) throw new AppError("E_RULE", "this invitation needs no approval");
  checkSecondAdmin(adminId, { requestedBy: inv.createdBy, userId: inv.userId });
}

/** The owner revokes one of their active passkeys, never the last one (that would lock them out). */
export function checkOwnRevocation(active: readonly { id: string }[], credentialId: string): void {
  if (!active.some((k) => k.id === credentialId)) throw new AppError("E_NOT_FOUND", "no such active passkey of yours");
  if (active.length === 1) throw new AppError("E_RULE", "this is your last passkey: add another one before revoking it");
}
