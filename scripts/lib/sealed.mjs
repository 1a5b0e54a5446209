// Opens a partner's webhook secret as the Worker seals it (worker/channels/webhooks/secrets.ts
// and worker/channels/social/credentials.ts): "sealed:v1:" + base64url(IV ‖ AES-GCM
// ciphertext), key SOCIAL_CREDENTIALS_KEY, additional data "webhook:<partner id>". Used by
// `npm start` to tell the local receiver the local partners' secrets again after a restart.
import { webcrypto } from "node:crypto";

const SEALED = "sealed:v1:";

export async function openWebhookSecret(keyB64url, partnerId, stored) {
  if (!stored.startsWith(SEALED)) return stored;
  const bytes = Buffer.from(stored.slice(SEALED.length), "base64url");
  const key = await webcrypto.subtle.importKey("raw", Buffer.from(keyB64url, "base64url"), "AES-GCM", false, ["decrypt"]);
  const plain = await webcrypto.subtle.decrypt({ name: "AES-GCM", iv: bytes.subarray(0, 12), additionalData: new TextEncoder().encode(`webhook:${partnerId}`) }, key, bytes.subarray(12));
  return JSON.parse(new TextDecoder().decode(plain)).secret;
}
