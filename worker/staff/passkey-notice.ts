// Tells a person by e-mail that a passkey was added to their account (issue 11): an
// admin's "add a passkey" link needs a second admin, and the owner hears of it anyway.
// Runs from the queue (job `passkey_added`, sent by the registration); the cron asks
// again for any left untold. Sent first, marked after: a retry may mail twice, never zero.
import { passkeyAddedMail } from "../../templates/email/staff.ts";
import { sendOneMail, smtpConfig } from "../channels/email/smtp.ts";
import { credentialById, invitationById, markOwnerTold, untoldPasskeys, userById } from "../db/auth.ts";
import { makeDb } from "../db/client.ts";
import { log } from "../log.ts";

export async function tellPasskeyAdded(env: Env, credentialId: string, now = new Date()): Promise<{ told: boolean }> {
  const db = makeDb(env.DB);
  const cred = await credentialById(db, credentialId);
  if (!cred || cred.ownerToldAt) return { told: false };
  const [user, inv] = await Promise.all([userById(db, cred.userId), cred.invitationId ? invitationById(db, cred.invitationId) : undefined]);
  if (!user) return { told: false };
  const config = smtpConfig(env);
  if (!config) {
    // Without a relay the owner sees the key in their list (My account); said once, not retried forever.
    log.warn("passkey_notice_no_relay", { userId: user.id });
    await markOwnerTold(db, cred.id, now);
    return { told: false };
  }
  const nameOf = async (id: string | null | undefined) => (id ? ((await userById(db, id))?.displayName ?? "?") : null);
  const self = !inv || inv.createdBy === user.id;
  const mail = passkeyAddedMail({
    displayName: user.displayName,
    addedAt: cred.createdAt,
    how: self ? { self: true } : { self: false, createdBy: (await nameOf(inv.createdBy)) ?? "?", approvedBy: await nameOf(inv.approvedBy) },
    url: `${env.APP_ORIGIN}/account`,
  });
  await sendOneMail(config, user.email, mail, { "Auto-Submitted": "auto-generated", "X-Child-Alert": "account; event=passkey_added" });
  await markOwnerTold(db, cred.id, now);
  return { told: true };
}

/** A passkey whose owner the queue should have told within a minute or two; older, the cron asks again. */
const UNTOLD_GRACE_MS = 2 * 60_000;

export async function retellPasskeys(env: Env, now: Date): Promise<number> {
  const ids = await untoldPasskeys(makeDb(env.DB), new Date(now.getTime() - UNTOLD_GRACE_MS));
  for (const credentialId of ids) await env.FANOUT.send({ type: "passkey_added", credentialId });
  if (ids.length) log.warn("cron_retell_passkeys", { passkeys: ids.length });
  return ids.length;
}
