// Timers from the alert's alarm (or the cron's safety net): the review prompt, expiry, the purges (rule 14).
import { eq } from "drizzle-orm";
import { erasePersonalData, photoKeys } from "../../db/alerts.ts";
import { purgeDeletedPosts } from "../../db/social.ts";
import { commit } from "../../db/client.ts";
import { alerts, alertVersions } from "../../db/schema.ts";
import { type AlertSnapshot, isExpired, abandonment, PRE_LAUNCH_STATES, reviewAt, ERASED_BY_PURGE } from "../../domain/index.ts";
import type { CommandContext } from "./types.ts";
import { audit, inform, setAlert } from "./support.ts";
import { end } from "./lifecycle.ts";

/** Due timers: the review prompt, expiry (ends like a stop), and the retention purge. */
export async function tick(
  ctx: CommandContext,
  s: AlertSnapshot,
  row: { reviewPromptedAt: string | null; purgeAt: string | null; purgedAt: string | null; updatedAt: string; purgeNoticeAt: string | null },
) {
  if (s.state === "live" && s.endsAt) {
    const endsAt = new Date(s.endsAt);
    if (isExpired(endsAt, ctx.now)) return end(ctx, s, "stopped", null, { reason: "expired" });
    if (ctx.now >= reviewAt(endsAt, s.kind) && !row.reviewPromptedAt) {
      await commit(
        ctx.db,
        [setAlert(ctx, s.id, { reviewPromptedAt: ctx.now.toISOString() }), ...inform(ctx, s.id, "review_due")],
        [audit(s, null, "review_due", { endsAt: s.endsAt, extensions: s.extensions })],
        ctx.now,
      );
      return { alertId: s.id, state: s.state, timers: { review: null, expiry: s.endsAt }, changed: true };
    }
    return { alertId: s.id, state: s.state, timers: { review: row.reviewPromptedAt ? null : reviewAt(endsAt, s.kind).toISOString(), expiry: s.endsAt }, changed: false };
  }
  if (PRE_LAUNCH_STATES.includes(s.state)) {
    // Rule 14: an unfinished alert left without activity is purged; the cell is told a day before.
    const { noticeAt, purgeAt: due } = abandonment(new Date(row.updatedAt), ctx.inactiveRetentionHours);
    if (ctx.now >= due) return purge(ctx, s, "abandoned");
    const noticed = row.purgeNoticeAt !== null && row.purgeNoticeAt >= row.updatedAt;
    if (ctx.now >= noticeAt && !noticed) {
      await commit(
        ctx.db,
        // Not setAlert: the notice is not activity (it must not postpone the purge).
        [ctx.db.update(alerts).set({ purgeNoticeAt: ctx.now.toISOString() }).where(eq(alerts.id, s.id)), ...inform(ctx, s.id, "purge_soon")],
        [audit(s, null, "purge_notice", { state: s.state, purgeAt: due.toISOString() })],
        ctx.now,
      );
      return { alertId: s.id, state: s.state, timers: { purge: due.toISOString() }, changed: true };
    }
    return { alertId: s.id, state: s.state, timers: { purge: (noticed ? due : noticeAt).toISOString() }, changed: false };
  }
  if ((s.state === "stopped" || s.state === "cancelled") && row.purgeAt && !row.purgedAt) {
    if (ctx.now >= new Date(row.purgeAt)) return purge(ctx, s);
    return { alertId: s.id, state: s.state, timers: { purge: row.purgeAt }, changed: false };
  }
  return { alertId: s.id, state: s.state, timers: { review: null, expiry: null, purge: null }, changed: false };
}

/**
 * Rule 14: after retention, erase what the domain lists in ERASED_BY_PURGE and keep only
 * the PII-free skeleton (ids, hashes, states, times, audit). R2 first: if it fails, the
 * alarm retries and D1 still says "not purged". (The Durable Object drops its prepared
 * messages when it sees the purge.)
 */
export async function purge(ctx: CommandContext, s: AlertSnapshot, reason: "retention" | "abandoned" = "retention") {
  const keys = new Set(await photoKeys(ctx.db, s.id));
  let cursor: string | undefined;
  do {
    const page = await ctx.media.list({ prefix: ERASED_BY_PURGE.mediaPrefix(s.id), cursor });
    for (const o of page.objects) keys.add(o.key);
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  const all = [...keys];
  for (let i = 0; i < all.length; i += 1000) await ctx.media.delete(all.slice(i, i + 1000));

  const versions = await ctx.db.select({ id: alertVersions.id }).from(alertVersions).where(eq(alertVersions.alertId, s.id));
  await commit(
    ctx.db,
    [
      ...erasePersonalData(ctx.db, s.id),
      // Receipts of deleted social posts go too; one still up stays listed until someone removes it.
      purgeDeletedPosts(ctx.db, s.id),
      setAlert(ctx, s.id, { state: "purged", purgedAt: ctx.now.toISOString() }),
    ],
    [audit(s, null, "purged", { from: s.state, reason, versions: versions.length, mediaObjects: all.length })],
    ctx.now,
  );
  return { alertId: s.id, state: "purged" as const, timers: { review: null, expiry: null, purge: null }, changed: true };
}
