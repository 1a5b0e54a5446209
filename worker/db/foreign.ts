// Foreign organisations' poster requests (protocol §2.3.3.4), oldest first.
import { asc, eq } from "drizzle-orm";
import type { Db } from "./client.ts";
import { foreignRequests } from "./schema.ts";

export const foreignRequestsOf = (db: Db, alertId: string) => db.select().from(foreignRequests).where(eq(foreignRequests.alertId, alertId)).orderBy(asc(foreignRequests.requestedAt));
