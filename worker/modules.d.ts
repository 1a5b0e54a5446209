// Binary modules bundled by wrangler (see [[rules]] in wrangler.toml).
declare module "*.ttf" {
  const data: ArrayBuffer;
  export default data;
}

// Secrets (wrangler secret put / .dev.vars): not in wrangler.toml, so not generated.
interface SecretsEnv {
  /** VAPID key pair (base64url): public = uncompressed P-256 point, private = scalar d. */
  VAPID_PUBLIC_KEY: string;
  VAPID_PRIVATE_KEY: string;
  /** Ed25519 private key (PKCS#8, base64url) signing the audit chain's published heads; anchoring is off without it. */
  AUDIT_SIGNING_KEY?: string;
}
interface Env extends SecretsEnv {}
declare namespace Cloudflare {
  interface Env extends SecretsEnv {}
}
