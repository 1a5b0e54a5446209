// The people named on a case (domain/case.ts): who they are, for the dashboard; and the
// active staff who may be named.
import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "./client.ts";
import { caseMembers, users } from "./schema.ts";

export async function caseMemberList(db: Db, alertId: string): Promise<{ id: string; displayName: string; role: "magistrate" | "investigator" }[]> {
  return db
    .select({ id: caseMembers.userId, displayName: users.displayName, role: caseMembers.role })
    .from(caseMembers)
    .innerJoin(users, eq(users.id, caseMembers.userId))
    .where(eq(caseMembers.alertId, alertId))
    .orderBy(asc(caseMembers.assignedAt));
}

/** Of these people, those whose account is active (ids). */
export async function activeUserIds(db: Db, ids: readonly string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await db.select({ id: users.id }).from(users).where(and(inArray(users.id, [...ids]), isNull(users.disabledAt)));
  return new Set(rows.map((r) => r.id));
}

/** Active staff of these roles, by name (ids and names only); drill seats only for an exercise. */
export async function staffOfRoles(db: Db, roles: ("magistrate" | "investigator")[], forExercise: boolean): Promise<{ id: string; displayName: string }[]> {
  return db
    .select({ id: users.id, displayName: users.displayName })
    .from(users)
    .where(and(inArray(users.role, roles), isNull(users.disabledAt), forExercise ? undefined : eq(users.drillSeat, false)))
    .orderBy(asc(users.displayName));
}
