// The double opt-in e-mail, sent from the queue (retried if the relay is down): a fresh
// single-use token per message, stored only as its hash; the previous link stops working.
import { confirmationMail } from "../../../templates/email/messages.ts";
import { makeDb } from "../../db/client.ts";
import { storeConfirmation } from "../../db/email.ts";
import { type Language, LANGUAGES } from "../../domain/index.ts";
import { requireSmtpConfig, sendOneMail } from "./smtp.ts";
import { CONFIRM_TTL_MS, newConfirmToken } from "./tokens.ts";

export async function sendConfirmation(env: Env, subscriberId: string, now = new Date()): Promise<{ sent: boolean }> {
  const config = requireSmtpConfig(env);
  const { token, hash } = newConfirmToken();
  const row = await storeConfirmation(makeDb(env.DB), subscriberId, await hash, new Date(now.getTime() + CONFIRM_TTL_MS), now);
  if (!row) return { sent: false }; // gone meanwhile
  const wanted = row.pending ? (JSON.parse(row.pending) as { lang?: string }).lang : row.lang;
  const lang = (LANGUAGES as readonly string[]).includes(wanted ?? "") ? (wanted as Language) : "fr";
  const mail = confirmationMail(lang, `${env.APP_ORIGIN}/email/confirm?t=${token}&lang=${lang}`);
  await sendOneMail(config, row.address, mail, { "Content-Language": lang, "Auto-Submitted": "auto-generated", "X-Child-Alert": "confirmation" });
  return { sent: true };
}
