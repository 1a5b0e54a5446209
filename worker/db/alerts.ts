// Alert queries: the snapshot the domain decides on, and the read models the API shows.
import { and, asc, desc, eq, gte, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import { type AlertContent, type ConsentBasis, ERASED_BY_PURGE, type JudicialFile, PRE_LAUNCH_STATES, PURGE_NOTICE_LEAD_MS, type Role } from "../domain/index.ts";
import type { AlertSnapshot, VersionView } from "../domain/lifecycle.ts";
import { assertFound, type Db, type Stmt } from "./client.ts";
import { alerts, alertVersions, auditEntries, caseMembers, challenges, consents, noticeMails, objections, photos, signOffs, tips, users } from "./schema.ts";

export type AlertRow = typeof alerts.$inferSelect;
export type VersionRow = typeof alertVersions.$inferSelect;

function toVersionView(v: VersionRow | undefined): VersionView | null {
  if (!v) return null;
  return {
    id: v.id,
    number: v.number,
    contentHash: v.contentHash,
    content: v.content ? (JSON.parse(v.content) as AlertContent) : null,
  };
}

export async function getAlertRow(db: Db, alertId: string): Promise<AlertRow> {
  const [row] = await db.select().from(alerts).where(eq(alerts.id, alertId));
  return assertFound(row, "alert");
}

/** The judicial file as the domain reads it (domain/file.ts). */
export const fileOf = (row: Pick<AlertRow, "pvNumber" | "magistrateRef" | "fileClosedTo">): JudicialFile => ({
  pvNumber: row.pvNumber,
  magistrateRef: row.magistrateRef,
  closedTo: (row.fileClosedTo ?? []) as Role[],
});

/** The roles an alert's file is closed to (undefined: no such alert). */
export async function fileClosedTo(db: Db, alertId: string): Promise<Role[] | undefined> {
  const [row] = await db.select({ closedTo: alerts.fileClosedTo }).from(alerts).where(eq(alerts.id, alertId));
  return row ? ((row.closedTo ?? []) as Role[]) : undefined;
}

/** Whether an alert is an exercise (null: no such alert) — what a drill seat may see. */
export async function alertExercise(db: Db, alertId: string): Promise<{ exercise: boolean } | null> {
  const [row] = await db.select({ exercise: alerts.exercise }).from(alerts).where(eq(alerts.id, alertId));
  return row ?? null;
}

export async function loadSnapshot(db: Db, alertId: string): Promise<{ row: AlertRow; snapshot: AlertSnapshot }> {
  const row = await getAlertRow(db, alertId);
  const versionIds = [row.currentVersionId, row.pendingVersionId].filter((x): x is string => !!x);
  const [versions, offs, cons, objs, members] = await db.batch([
    db.select().from(alertVersions).where(inArray(alertVersions.id, versionIds.length ? versionIds : [""])),
    db.select().from(signOffs).where(eq(signOffs.alertId, alertId)),
    db.select({ basis: consents.basis }).from(consents).where(eq(consents.alertId, alertId)),
    db.select().from(objections).where(eq(objections.alertId, alertId)),
    db.select().from(caseMembers).where(eq(caseMembers.alertId, alertId)).orderBy(caseMembers.assignedAt),
  ]);
  const byId = new Map(versions.map((v) => [v.id, v]));
  return {
    row,
    snapshot: {
      id: row.id,
      kind: row.kind,
      socialRequested: row.socialRequestedAt !== null,
      state: row.state,
      exercise: row.exercise,
      current: toVersionView(row.currentVersionId ? byId.get(row.currentVersionId) : undefined),
      pending: toVersionView(row.pendingVersionId ? byId.get(row.pendingVersionId) : undefined),
      signOffs: offs.map((o) => ({
        kind: o.kind,
        versionId: o.versionId,
        contentHash: o.contentHash,
        userId: o.userId,
        voided: o.voidedAt !== null,
      })),
      consents: cons.map((c) => c.basis as ConsentBasis),
      objections: objs.map((o) => ({ id: o.id, kind: o.kind, lifted: o.liftedAt !== null, raisedBy: o.userId, fromState: (o.fromState as AlertSnapshot["state"] | null) ?? null })),
      launchedAt: row.launchedAt,
      endsAt: row.endsAt,
      extensions: row.extensions,
      members: {
        magistrate: members.find((m) => m.role === "magistrate")?.userId ?? null,
        investigators: members.filter((m) => m.role === "investigator").map((m) => m.userId),
      },
      file: fileOf(row),
    },
  };
}

/** One version of one alert, with its content parsed (null once purged). */
export async function versionOf(db: Db, alertId: string, versionId: string): Promise<(VersionView & { row: VersionRow }) | null> {
  const [row] = await db.select().from(alertVersions).where(and(eq(alertVersions.id, versionId), eq(alertVersions.alertId, alertId)));
  if (!row) return null;
  return { ...toVersionView(row)!, row };
}

export async function nextVersionNumber(db: Db, alertId: string): Promise<number> {
  const [last] = await db
    .select({ number: alertVersions.number })
    .from(alertVersions)
    .where(eq(alertVersions.alertId, alertId))
    .orderBy(desc(alertVersions.number))
    .limit(1);
  return (last?.number ?? 0) + 1;
}

export async function listAlerts(db: Db) {
  return db.select().from(alerts).orderBy(desc(alerts.createdAt)).limit(200);
}

/** Everything the dashboard shows of one alert: versions, sign-offs (with signer names), consent, objections. */
export async function alertDetail(db: Db, alertId: string) {
  const row = await getAlertRow(db, alertId);
  const [versions, offs, cons, objs] = await db.batch([
    db.select().from(alertVersions).where(eq(alertVersions.alertId, alertId)).orderBy(asc(alertVersions.number)),
    db
      .select({
        id: signOffs.id,
        kind: signOffs.kind,
        versionId: signOffs.versionId,
        contentHash: signOffs.contentHash,
        userId: signOffs.userId,
        signer: users.displayName,
        role: signOffs.role,
        createdAt: signOffs.createdAt,
        voidedAt: signOffs.voidedAt,
        decision: signOffs.decision,
      })
      .from(signOffs)
      .leftJoin(users, eq(users.id, signOffs.userId))
      .where(eq(signOffs.alertId, alertId))
      .orderBy(asc(signOffs.createdAt)),
    db.select().from(consents).where(eq(consents.alertId, alertId)).orderBy(asc(consents.createdAt)),
    db.select().from(objections).where(eq(objections.alertId, alertId)).orderBy(asc(objections.createdAt)),
  ]);
  return { row, versions, signOffs: offs, consents: cons, objections: objs };
}

/** The alert's audit trail, with the staff member's name beside each entry (staff-only view). */
export async function alertAudit(db: Db, alertId: string) {
  const rows = await db
    .select({ entry: auditEntries, actorName: users.displayName })
    .from(auditEntries)
    .leftJoin(users, eq(users.id, auditEntries.actorUserId))
    .where(eq(auditEntries.alertId, alertId))
    .orderBy(asc(auditEntries.seq));
  return rows.map((r) => ({ ...r.entry, actorName: r.actorName }));
}

export async function allAuditEntries(db: Db) {
  return db.select().from(auditEntries).orderBy(asc(auditEntries.seq));
}

export async function photoKeys(db: Db, alertId: string): Promise<string[]> {
  const rows = await db.select({ key: photos.r2Key }).from(photos).where(eq(photos.alertId, alertId));
  return rows.map((r) => r.key);
}

/** Photos stored before `before`, oldest first (the orphan sweep looks at them). */
export const photosStoredBefore = (db: Db, before: Date, limit: number) =>
  db.select({ alertId: photos.alertId, hash: photos.hash, key: photos.r2Key }).from(photos).where(lt(photos.createdAt, before.toISOString())).orderBy(asc(photos.createdAt)).limit(limit);

/** The photo hashes some version of the alert refers to. */
export async function photoHashesInUse(db: Db, alertId: string): Promise<Set<string>> {
  const versions = await db.select({ content: alertVersions.content }).from(alertVersions).where(eq(alertVersions.alertId, alertId));
  return new Set(versions.flatMap((v) => (v.content ? ((JSON.parse(v.content) as { child?: { photos?: string[] } }).child?.photos ?? []) : [])));
}

export const deletePhotoRows = (db: Db, keys: string[]) => db.delete(photos).where(inArray(photos.r2Key, keys));

/** For the cron safety net: alerts whose timer is due, in case a Durable Object alarm was lost. */
export async function alertsWithDueTimers(db: Db, now: Date, inactiveRetentionHours: number) {
  const iso = now.toISOString();
  // Unfinished alerts quiet long enough for their inactivity notice (a day before the purge), or their purge.
  const purgeIfBefore = new Date(now.getTime() - inactiveRetentionHours * 3_600_000);
  const noticeIfBefore = new Date(purgeIfBefore.getTime() + PURGE_NOTICE_LEAD_MS).toISOString();
  return db
    .select({ id: alerts.id })
    .from(alerts)
    .where(
      or(
        and(eq(alerts.state, "live"), lte(alerts.endsAt, iso)),
        and(inArray(alerts.state, ["stopped", "cancelled"]), isNull(alerts.purgedAt), lte(alerts.purgeAt, iso)),
        and(
          inArray(alerts.state, [...PRE_LAUNCH_STATES]),
          lte(alerts.updatedAt, noticeIfBefore),
          or(isNull(alerts.purgeNoticeAt), lt(alerts.purgeNoticeAt, alerts.updatedAt), lte(alerts.updatedAt, purgeIfBefore.toISOString())),
        ),
      ),
    )
    .limit(100);
}

/** Alerts created or launched in [from, to): the rows the yearly statistics count (no content). */
export async function alertsBetween(db: Db, from: string, to: string) {
  return db
    .select({
      id: alerts.id,
      state: alerts.state,
      exercise: alerts.exercise,
      kind: alerts.kind,
      createdAt: alerts.createdAt,
      launchedAt: alerts.launchedAt,
      stoppedAt: alerts.stoppedAt,
      stopReason: alerts.stopReason,
      extensions: alerts.extensions,
      published: sql<number>`(SELECT count(*) FROM alert_versions v WHERE v.alert_id = ${alerts.id} AND v.published_at IS NOT NULL)`,
    })
    .from(alerts)
    .where(or(and(gte(alerts.launchedAt, from), lt(alerts.launchedAt, to)), and(isNull(alerts.launchedAt), gte(alerts.createdAt, from), lt(alerts.createdAt, to))))
    .orderBy(alerts.createdAt);
}

/**
 * The statements that erase ERASED_BY_PURGE for one alert: one per table the domain names
 * (a table added there does not compile until it is handled here; the purge test
 * checks every listed column is empty afterwards). By alert, never by lists of ids.
 */
const ERASE: {
  [T in keyof typeof ERASED_BY_PURGE.columns | (typeof ERASED_BY_PURGE.rows)[number]]: (db: Db, alertId: string) => Stmt;
} = {
  alert_versions: (db, id) => db.update(alertVersions).set({ content: null }).where(eq(alertVersions.alertId, id)),
  alerts: (db, id) => db.update(alerts).set({ pvNumber: null, magistrateRef: null }).where(eq(alerts.id, id)),
  consents: (db, id) => db.update(consents).set({ note: null }).where(eq(consents.alertId, id)),
  objections: (db, id) => db.update(objections).set({ reason: null }).where(eq(objections.alertId, id)),
  sign_offs: (db, id) => db.update(signOffs).set({ decision: null }).where(eq(signOffs.alertId, id)),
  photos: (db, id) => db.delete(photos).where(eq(photos.alertId, id)),
  notice_mails: (db, id) => db.delete(noticeMails).where(eq(noticeMails.alertId, id)),
  tips: (db, id) =>
    db
      .update(tips)
      .set({ text: null, seenWhere: null, seenAt: null, contactName: null, contactPhone: null, contactEmail: null, photoKey: null, callSid: null })
      .where(eq(tips.alertId, id)),
  // A subquery, not a list of ids: an alert with 150 versions would pass D1's 100-parameter limit.
  challenges: (db, id) =>
    db.delete(challenges).where(inArray(challenges.versionId, db.select({ id: alertVersions.id }).from(alertVersions).where(eq(alertVersions.alertId, id)))),
};

/** The purge's D1 statements for one alert (committed in one batch with the state change and its audit entry). */
export const erasePersonalData = (db: Db, alertId: string): Stmt[] => Object.values(ERASE).map((erase) => erase(db, alertId));
