// What a sign-off's passkey signature covers. The challenge the authenticator signs is
// H(contentHash ‖ kind ‖ decision) ‖ nonce: the content approved, which part of the
// concertation the signature is, and — for the magistrate — the decision itself
// (criteria, risk assessment; or the terms for the accompanying person). The stored
// assertion then proves by itself what was decided: change any of the three after the
// ceremony and the signature no longer matches (signoffs:verify names it).
import { hex, unb64url } from "../bytes.ts";
import { canonicalJson, sha256Hex } from "./content.ts";
import type { SignOffDecision, SignOffKind } from "./lifecycle.ts";

/** The decision a kind of sign-off carries, in canonical form: only the magistrate's parts have one. */
export function decisionOf(kind: SignOffKind, decision: SignOffDecision | undefined | null): SignOffDecision | null {
  if (kind === "authorisation") return { criteria: decision?.criteria ?? {}, riskAssessment: decision?.riskAssessment ?? "" };
  if (kind === "accompanying_person") return { terms: decision?.terms ?? "" };
  return null;
}

/** The 32 bytes (hex) at the head of a sign-off challenge. */
export function signOffDigest(contentHash: string, kind: SignOffKind, decision: SignOffDecision | null): Promise<string> {
  return sha256Hex(`child-alert/sign-off/v2\n${contentHash}\n${kind}\n${canonicalJson(decision)}`);
}

/** Hex of the challenge's first 32 bytes (base64url challenge). */
export function challengeHead(challenge: string): string {
  return hex(unb64url(challenge).slice(0, 32));
}

/** What a stored challenge binds: "decision" (v2: content, kind and decision) or "content" (sign-offs given before decisions were signed). */
export async function challengeBinds(challenge: string, contentHash: string, kind: SignOffKind, decision: SignOffDecision | null): Promise<"decision" | "content" | null> {
  const head = challengeHead(challenge);
  if (head === (await signOffDigest(contentHash, kind, decision))) return "decision";
  if (head === contentHash) return "content";
  return null;
}
