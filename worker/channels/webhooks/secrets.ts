// A partner's webhook signing secret is ours to sign with, and a key to forge our alerts
// at that partner: D1 holds it sealed (AES-GCM under the Worker secret
// SOCIAL_CREDENTIALS_KEY, as the social accounts' credentials, with the partner id as
// additional data), the admin sees it once, and the sender opens it per page. A value
// stored before sealing (no prefix) still opens as it is, and is sealed at its next change.
import { credentialsKeySet, openCredentials, sealCredentials } from "../social/credentials.ts";

const SEALED = "sealed:v1:";
const aad = (partnerId: string) => `webhook:${partnerId}`;

export const webhookSealingReady = credentialsKeySet;

export async function sealWebhookSecret(env: { SOCIAL_CREDENTIALS_KEY?: string }, partnerId: string, secret: string): Promise<string> {
  return SEALED + (await sealCredentials(env, aad(partnerId), { secret }));
}

export async function openWebhookSecret(env: { SOCIAL_CREDENTIALS_KEY?: string }, partnerId: string, stored: string): Promise<string> {
  if (!stored.startsWith(SEALED)) return stored;
  return (await openCredentials<{ secret: string }>(env, aad(partnerId), stored.slice(SEALED.length))).secret;
}
