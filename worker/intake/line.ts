// The 116 000 line's settings (provider, routing number, the normal hotline): set by the admin, audited.
import { commit, type Db } from "../db/client.ts";
import { setLineSettings } from "../db/intake-line.ts";
import type { Actor } from "../domain/index.ts";

export async function setLine(db: Db, admin: Actor, v: Parameters<typeof setLineSettings>[1], now = new Date()): Promise<void> {
  await commit(db, [setLineSettings(db, v, admin.userId, now)], [{ actorUserId: admin.userId, actorRole: admin.role, action: "intake_line_set", details: { provider: v.provider } }], now);
}
