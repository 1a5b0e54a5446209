// What an alert version says (texts, photos by hash, targeting) and its content hash.
// Sign-offs are bound to the hash, so the hash must change whenever anything a reader
// could see changes (DOMAIN rule 2), and must be stable across key order and retries.
import { z } from "zod";

export const LANGUAGES = ["fr", "nl", "de", "en"] as const;
export type Language = (typeof LANGUAGES)[number];

/** Belgium (whole country), its provinces and Brussels (ISO 3166-2:BE), and neighbours. */
export const REGIONS = [
  "BE",
  "BE-BRU",
  "BE-VAN",
  "BE-VBR",
  "BE-VLI",
  "BE-VOV",
  "BE-VWV",
  "BE-WBR",
  "BE-WHT",
  "BE-WLG",
  "BE-WLX",
  "BE-WNA",
  "FR",
  "NL",
  "DE",
  "LU",
] as const;
export type Region = (typeof REGIONS)[number];

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, "a SHA-256 hex digest");
const text = (max: number) => z.string().trim().min(1).max(max);

/** Adults are eligible only under protected status (DOMAIN "Typical criteria"). */
export const MAX_MINOR_AGE = 17;

export const AlertContent = z
  .object({
    child: z
      .object({
        firstName: text(60),
        lastName: text(60).optional(),
        age: z.number().int().min(0).max(30),
        protectedAdult: z.boolean().default(false),
        sex: z.enum(["female", "male", "unspecified"]).default("unspecified"),
        heightCm: z.number().int().min(30).max(230).optional(),
        description: text(600),
        clothing: text(400).optional(),
        /** Same pictures everywhere (rule 7): the approved set, by content hash. */
        photos: z.array(Sha256).max(4).default([]),
      })
      .strict(),
    lastSeen: z.object({ place: text(200), at: z.iso.datetime({ offset: true }) }).strict(),
    circumstances: text(1000).optional(),
    vehicle: z.object({ description: text(200), plate: text(20).optional() }).strict().optional(),
    /** Published only with the magistrate's separate signed authorisation (rule 6). */
    accompanyingPerson: z.object({ description: text(600) }).strict().optional(),
    targeting: z
      .object({
        regions: z.array(z.enum(REGIONS)).min(1).max(REGIONS.length),
        languages: z.array(z.enum(LANGUAGES)).min(1).max(LANGUAGES.length),
      })
      .strict(),
    /** Rule 8: 116 000 is on every artefact unless the operator disagrees. */
    showHotline: z.boolean().default(true),
    /** Rule 5: broadcast only to find the child safe, never to find an offender. */
    purposeAttestation: z.literal(true, { error: "the purpose attestation is required (rule 5)" }),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.child.age > MAX_MINOR_AGE && !c.child.protectedAdult) {
      ctx.addIssue({
        code: "custom",
        path: ["child", "protectedAdult"],
        message: "a Child Alert is for minors, or adults under protected status",
      });
    }
  });

export type AlertContent = z.output<typeof AlertContent>;
export type AlertContentInput = z.input<typeof AlertContent>;

/** Deterministic JSON: object keys sorted, no whitespace, undefined dropped. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const bytes: Uint8Array<ArrayBuffer> = typeof data === "string" ? new TextEncoder().encode(data) : new Uint8Array(data);
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Version of the poster templates. Part of the content hash: signers approve the
 * posters as rendered, so a template change makes a new hash (bump it with every change
 * to templates/ that alters what a poster shows).
 */
export const POSTER_TEMPLATE_VERSION = "2026-11-23.1";

/**
 * The content hash a sign-off approves: it covers the alert id (a sign-off cannot be
 * replayed on another alert), the exercise flag (a drill cannot become real), the full
 * normalised content with photos by their own hashes, and the poster template version.
 */
export function contentHash(alertId: string, exercise: boolean, content: AlertContent): Promise<string> {
  // The same instant is the same content: "07:30+01:00" and "06:30Z" must not reset sign-offs.
  const normalised = { ...content, lastSeen: { ...content.lastSeen, at: new Date(content.lastSeen.at).toISOString() } };
  return sha256Hex(canonicalJson({ alertId, exercise, content: normalised, posterTemplate: POSTER_TEMPLATE_VERSION }));
}

/** Who may switch the hotline numbers off (rule 8): only the operator. */
export function hotlineChangeAllowed(role: string, previous: AlertContent | null, next: AlertContent): boolean {
  const before = previous?.showHotline ?? true;
  return next.showHotline === before || role === "operator";
}
