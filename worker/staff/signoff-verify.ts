// Re-checks a stored sign-off by itself, offline: the passkey's signature over the stored
// assertion (with the credential's public key), that its challenge binds the version's
// content hash, the kind of sign-off and the decision recorded, and that the version's
// stored content still hashes to what was signed. Used by `npm run signoffs:verify` (in
// Node, on a copy of the database) and by the tests (in workerd). No I/O here.
import { verifyAuthenticationResponse } from "@simplewebauthn/server";
import { unb64url } from "../bytes.ts";
import { AlertContent, challengeBinds, contentHash, decisionOf, type SignOffDecision, type SignOffKind } from "../domain/index.ts";

export interface StoredSignOff {
  id: string;
  alertId: string;
  kind: SignOffKind;
  contentHash: string;
  credentialId: string;
  challenge: string;
  authenticatorData: string;
  clientDataJson: string;
  signature: string;
  /** JSON, as stored. */
  decision: string | null;
}

export interface SignedVersion {
  exercise: boolean;
  /** The version's hash as stored, and its content (null once purged). */
  contentHash: string;
  content: string | null;
}

export interface SignOffVerdict {
  id: string;
  kind: SignOffKind;
  ok: boolean;
  /** What the signature covers: content + kind + decision, or (sign-offs given before decisions were signed) the content only. */
  binds: "decision" | "content" | null;
  problems: string[];
}

export async function verifyStoredSignOff(
  row: StoredSignOff,
  version: SignedVersion | null,
  publicKey: string | null,
  rp: { origin: string; rpId: string },
): Promise<SignOffVerdict> {
  const problems: string[] = [];
  let decision: SignOffDecision | null = null;
  try {
    decision = decisionOf(row.kind, row.decision ? (JSON.parse(row.decision) as SignOffDecision) : null);
  } catch {
    problems.push("the stored decision is not valid JSON");
  }
  const binds = await challengeBinds(row.challenge, row.contentHash, row.kind, decision);
  if (!binds) problems.push("the signed challenge does not match the content hash, kind and decision stored (altered after the ceremony)");

  if (!version) problems.push("the signed version is missing");
  else {
    if (version.contentHash !== row.contentHash) problems.push("the version's stored hash is not the one signed");
    if (version.content !== null) {
      try {
        const again = await contentHash(row.alertId, version.exercise, AlertContent.parse(JSON.parse(version.content)));
        if (again !== row.contentHash) problems.push("the stored content does not hash to the signed hash (altered, or signed under another poster template version)");
      } catch {
        problems.push("the stored content is not valid content");
      }
    }
  }

  if (!publicKey) problems.push("the passkey's public key is missing (credential deleted)");
  else {
    try {
      const result = await verifyAuthenticationResponse({
        response: {
          id: row.credentialId,
          rawId: row.credentialId,
          type: "public-key",
          response: { authenticatorData: row.authenticatorData, clientDataJSON: row.clientDataJson, signature: row.signature },
          clientExtensionResults: {},
        },
        expectedChallenge: row.challenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.rpId,
        // Offline: the signature is what matters, not the counter at the time.
        credential: { id: row.credentialId, publicKey: unb64url(publicKey), counter: 0 },
        requireUserVerification: true,
      });
      if (!result.verified) problems.push("the passkey signature does not verify");
    } catch (err) {
      problems.push(`the passkey signature does not verify: ${(err as Error).message}`);
    }
  }
  return { id: row.id, kind: row.kind, ok: problems.length === 0, binds, problems };
}
