// Image fixtures as bytes inside workerd (passed as a JSON binding by vitest.config.ts).
import { env } from "cloudflare:workers";

export function fixture(name: string): Uint8Array<ArrayBuffer> {
  const b64 = (env as unknown as { TEST_FIXTURES: Record<string, string> }).TEST_FIXTURES[name];
  if (!b64) throw new Error(`no fixture ${name}`);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)) as Uint8Array<ArrayBuffer>;
}
