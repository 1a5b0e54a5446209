// The 116 000 intake line's settings (admin): provider, routing number, normal hotline.
import { eq } from "drizzle-orm";
import type { Db, Stmt } from "./client.ts";
import { intakeLine } from "./schema.ts";

export type IntakeLine = Pick<typeof intakeLine.$inferSelect, "provider" | "routingNumber" | "fallbackNumber" | "updatedAt" | "updatedBy">;

export const lineSettings = (db: Db): Promise<IntakeLine | undefined> =>
  db.select({ provider: intakeLine.provider, routingNumber: intakeLine.routingNumber, fallbackNumber: intakeLine.fallbackNumber, updatedAt: intakeLine.updatedAt, updatedBy: intakeLine.updatedBy }).from(intakeLine).where(eq(intakeLine.id, "line")).get();

export function setLineSettings(db: Db, v: Pick<IntakeLine, "provider" | "routingNumber" | "fallbackNumber">, userId: string, at: Date): Stmt {
  const row = { ...v, updatedBy: userId, updatedAt: at.toISOString() };
  return db.insert(intakeLine).values({ id: "line", ...row }).onConflictDoUpdate({ target: intakeLine.id, set: row });
}
