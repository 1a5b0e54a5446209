// Web push to staff devices that opted in (issue 14): a new tip wakes the case's
// investigators and the cell (and the call-taker who took it) even with no screen open.
// The message says that a tip came in and where to read it — never what it says: the
// content stays behind the dashboard's sign-in.
import { dropStaffPush, staffPushFor } from "../db/staff-push.ts";
import type { Db } from "../db/client.ts";
import { deliverPush } from "../channels/push/channel.ts";
import { log } from "../log.ts";

const TIMEOUT_MS = 5_000;

export function staffTipPayload(origin: string, alertId: string, tipId: string, urgent: boolean) {
  return {
    v: 1,
    type: "staff",
    tag: `tip:${tipId}`,
    title: urgent ? "URGENT — Child Alert: new tip · information · tip · Hinweis" : "Child Alert: new tip · nouvelle information · nieuwe tip · neuer Hinweis",
    body: "Open the dashboard to read and acknowledge it. · Ouvrez le tableau de bord. · Open het dashboard. · Öffnen Sie das Dashboard.",
    url: `${origin}/alerts/${alertId}`,
  };
}

/** Sends to every opted-in device of the readers (best effort; a gone device is forgotten). Returns how many accepted. */
export async function pushTipToStaff(env: Env, db: Db, alertId: string, tip: { id: string; urgent: boolean }, readers: string[]): Promise<number> {
  return pushToStaff(env, db, { userIds: readers, roles: ["cell"] }, staffTipPayload(env.APP_ORIGIN, alertId, tip.id, tip.urgent), tip.id);
}

/**
 * A staff message (never child data: what happened and where to look) to every opted-in
 * device of these people and roles; best effort, a gone device is forgotten. `topic`
 * lets a newer message of the same subject replace one still waiting at the push service.
 */
export async function pushToStaff(env: Env, db: Db, to: { userIds: string[]; roles: string[] }, payload: object, topic: string): Promise<number> {
  if (!env.VAPID_PRIVATE_KEY) return 0;
  const devices = await staffPushFor(db, to.userIds, to.roles);
  const body = new TextEncoder().encode(JSON.stringify(payload));
  const outcomes = await Promise.all(
    devices.map(async (d) => {
      const delivery = await deliverPush(env, d, body, { ttl: 3600, topic: topic.replace(/[^A-Za-z0-9_-]/g, "").slice(0, 32), attempt: 0, timeoutMs: TIMEOUT_MS });
      if (delivery.outcome === "gone") await dropStaffPush(db, d.endpoint).run();
      return delivery.outcome;
    }),
  );
  const failed = outcomes.filter((o) => o === "retry" || o === "failed").length;
  if (failed) log.warn("staff_push_failed", { failed });
  return outcomes.filter((o) => o === "sent").length;
}
