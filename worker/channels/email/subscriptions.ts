// The double opt-in, as a service: a request records the wanted preferences and queues
// the confirmation e-mail (at most one every CONFIRM_RESEND_MS per address: nobody can
// mail-bomb an address through us); a token confirms once. The routes only validate.
import type { Db } from "../../db/client.ts";
import { confirmEmailSubscription, type EmailPrefs, requestEmailSubscription } from "../../db/email.ts";
import { log } from "../../log.ts";
import { confirmTokenHash } from "./tokens.ts";

export const CONFIRM_RESEND_MS = 10 * 60_000;

/** `address` is already normalised (the request schema trims and lower-cases it). */
export async function requestSubscription(db: Db, queue: Queue, address: string, prefs: EmailPrefs, now = new Date()): Promise<void> {
  const { id, confirmSentAt } = await requestEmailSubscription(db, address, prefs);
  if (confirmSentAt && now.getTime() - Date.parse(confirmSentAt) < CONFIRM_RESEND_MS) return;
  await queue.send({ type: "email_confirmation", subscriberId: id }, { contentType: "json" });
}

/** Confirms with the token of a confirmation link; null when it is unknown, expired, used or malformed. */
export async function confirmSubscription(db: Db, token: string, now = new Date()) {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const done = await confirmEmailSubscription(db, await confirmTokenHash(token), now);
  if (done) log.info("email_subscription_confirmed", {});
  return done;
}
