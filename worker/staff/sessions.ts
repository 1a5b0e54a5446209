// Ending a person's access at once: their sessions in D1 and their open live feeds
// (WebSockets on the board and on every alert they watched). Used when an admin disables
// or demotes someone, revokes a lost passkey, and on sign-out (that session only).
import { deleteSessionsOf } from "../db/auth.ts";
import type { Db } from "../db/client.ts";
import { boardStub } from "../board/object.ts";
import { log } from "../log.ts";

export async function closeLiveFeeds(env: Env, userId: string, sessionHash?: string): Promise<number> {
  try {
    return await boardStub(env).closeFeeds(userId, sessionHash);
  } catch (err) {
    log.warn("live_feeds_close_failed", { error: err });
    return 0;
  }
}

export async function endAccess(env: Env, db: Db, userId: string): Promise<void> {
  await deleteSessionsOf(db, userId);
  await closeLiveFeeds(env, userId);
}
