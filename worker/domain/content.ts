// What an alert version says (texts, photos by hash, targeting) and its content hash.
// Sign-offs are bound to the hash, so the hash must change whenever anything a reader
// could see changes (DOMAIN rule 2), and must be stable across key order and retries.
import { z } from "zod";
import { hex } from "../bytes.ts";
import { AppError } from "../errors.ts";

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
/**
 * Characters a published text may not contain: controls (a tab or line break only in
 * multi-line texts), zero-width and invisible format characters, and the bidirectional
 * overrides and isolates that can make a text read differently from what it is
 * ("U+202E" turns "Noa" into a spoofed display). Joiners inside words (U+200C/U+200D,
 * needed by some scripts and emoji) are allowed.
 */
const INVISIBLE = /[\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const CONTROL_SINGLE = /[\u0000-\u001F\u007F-\u009F]/u;
const CONTROL_MULTI = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;

/** A published text: well-formed Unicode, NFC, trimmed, no control or invisible formatting characters. */
const text = (max: number, { multiline = false } = {}) =>
  z
    .string()
    .refine((v) => !LONE_SURROGATE.test(v), { message: "contains a broken character (an unpaired surrogate)", abort: true })
    .trim()
    .normalize("NFC")
    .min(1)
    .max(max)
    .refine((v) => !(multiline ? CONTROL_MULTI : CONTROL_SINGLE).test(v), { message: multiline ? "contains a control character" : "contains a control character or a line break" })
    .refine((v) => !INVISIBLE.test(v), { message: "contains an invisible or text-direction character (zero-width space, bidi override…)" });

export const LANGUAGE_NAMES: Record<Language, string> = { fr: "French", nl: "Dutch", de: "German", en: "English" };

/**
 * A free text in every targeted language: one value per language, typed by people, never
 * machine-translated. Names, plates and numbers are not translated and stay plain strings.
 * A draft may lack some languages; submission needs all of them (translationGaps).
 */
const localized = (max: number) =>
  z
    .object(Object.fromEntries(LANGUAGES.map((l) => [l, text(max, { multiline: true }).optional()])) as Record<Language, z.ZodOptional<z.ZodString>>)
    .strict()
    .refine((o) => Object.values(o).some((v) => v !== undefined), { message: "a text in at least one language is required" });

export type Localized = Partial<Record<Language, string>>;

/** Every translated text of an alert, by its path in the content. */
export const LOCALIZED_FIELDS = [
  "child.description",
  "child.clothing",
  "lastSeen.place",
  "circumstances",
  "vehicle.description",
  "accompanyingPerson.description",
] as const;
export type LocalizedField = (typeof LOCALIZED_FIELDS)[number];

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
        description: localized(600),
        clothing: localized(400).optional(),
        /** Same pictures everywhere (rule 7): the approved set, by content hash. */
        photos: z.array(Sha256).max(4).default([]),
      })
      .strict(),
    lastSeen: z.object({ place: localized(200), at: z.iso.datetime({ offset: true }) }).strict(),
    circumstances: localized(1000).optional(),
    vehicle: z.object({ description: localized(200), plate: text(20).optional() }).strict().optional(),
    /** Published only with the magistrate's separate signed authorisation (rule 6). */
    accompanyingPerson: z.object({ description: localized(600) }).strict().optional(),
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
    /**
     * Texts copied from another language as a starting point and not yet edited: shown
     * as such in the editor, and refused at submission like a missing text.
     */
    untranslated: z
      .array(z.object({ field: z.enum(LOCALIZED_FIELDS), lang: z.enum(LANGUAGES) }).strict())
      .max(LOCALIZED_FIELDS.length * LANGUAGES.length)
      .transform((list) => (list.length ? list : undefined))
      .optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    // A text in a language the alert does not target would be published nowhere: say so
    // rather than keep it silently.
    for (const field of LOCALIZED_FIELDS) {
      const value = localizedAt(c as AlertContent, field);
      for (const lang of Object.keys(value ?? {}) as Language[]) {
        if (!c.targeting.languages.includes(lang)) {
          ctx.addIssue({ code: "custom", path: [...field.split("."), lang], message: `${LANGUAGE_NAMES[lang]} is not a targeted language` });
        }
      }
    }
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

/** The value of one translated field (undefined when the optional section is absent). */
export function localizedAt(content: AlertContent, field: LocalizedField): Localized | undefined {
  switch (field) {
    case "child.description":
      return content.child.description;
    case "child.clothing":
      return content.child.clothing;
    case "lastSeen.place":
      return content.lastSeen.place;
    case "circumstances":
      return content.circumstances;
    case "vehicle.description":
      return content.vehicle?.description;
    case "accompanyingPerson.description":
      return content.accompanyingPerson?.description;
  }
}

/**
 * A text in one language. Every targeted language has its own once submitted; a draft's
 * preview in a language not yet written falls back to the first targeted language that
 * has one (the editor shows the gap; nothing is published before it is closed).
 */
export function textIn(value: Localized, lang: Language, order?: readonly Language[]): string;
export function textIn(value: Localized | undefined, lang: Language, order?: readonly Language[]): string | undefined;
export function textIn(value: Localized | undefined, lang: Language, order: readonly Language[] = LANGUAGES): string | undefined {
  if (!value) return undefined;
  return value[lang] ?? order.map((l) => value[l]).find((v) => v !== undefined) ?? Object.values(value).find((v) => v !== undefined);
}

/** The content as a reader of one language reads it: each translated text in that language; names and plates as they are. */
export interface ReadIn {
  name: string;
  place: string;
  description: string;
  clothing?: string;
  circumstances?: string;
  vehicle?: { description: string; plate?: string };
  /** The vehicle on one line: "Grey estate car — 1-ABC-123". */
  vehicleLine?: string;
  accompanying?: string;
}

/** What every artefact (poster, push, public page, e-mail) shows of the content, in one language. */
export function readIn(content: AlertContent, lang: Language): ReadIn {
  const tr = (v: Localized) => textIn(v, lang, content.targeting.languages);
  const opt = (v: Localized | undefined) => v && tr(v);
  const vehicle = content.vehicle && { description: tr(content.vehicle.description), plate: content.vehicle.plate };
  return {
    name: [content.child.firstName, content.child.lastName].filter(Boolean).join(" "),
    place: tr(content.lastSeen.place),
    description: tr(content.child.description),
    clothing: opt(content.child.clothing),
    circumstances: opt(content.circumstances),
    vehicle,
    vehicleLine: vehicle && [vehicle.description, vehicle.plate].filter(Boolean).join(" — "),
    accompanying: opt(content.accompanyingPerson?.description),
  };
}

export interface TranslationGap {
  /** Content path of the missing text, language last: "child.description.nl". */
  path: string;
  field: LocalizedField;
  lang: Language;
  reason: "missing" | "copied";
}

/**
 * Which texts a targeted language still lacks: a field present in any language must be
 * present in all of them, and a copy from another language counts as missing until
 * edited. Empty means every reader gets the alert in their own language.
 */
export function translationGaps(content: AlertContent): TranslationGap[] {
  const gaps: TranslationGap[] = [];
  for (const field of LOCALIZED_FIELDS) {
    const value = localizedAt(content, field);
    if (!value) continue;
    for (const lang of content.targeting.languages) {
      const copied = content.untranslated?.some((u) => u.field === field && u.lang === lang);
      if (value[lang] === undefined || copied) gaps.push({ path: `${field}.${lang}`, field, lang, reason: copied ? "copied" : "missing" });
    }
  }
  return gaps;
}

/** Refuses content that is not whole in every targeted language (E_TRANSLATION_MISSING, field by field). */
export function assertTranslated(content: AlertContent): void {
  const gaps = translationGaps(content);
  if (!gaps.length) return;
  throw new AppError("E_TRANSLATION_MISSING", `${gaps.length} text(s) missing in a targeted language`, {
    errors: gaps.map((g) => ({
      path: `content.${g.path}`,
      message: g.reason === "copied" ? `copied from another language, not yet translated into ${LANGUAGE_NAMES[g.lang]}` : `no ${LANGUAGE_NAMES[g.lang]} text`,
    })),
  });
}

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
  return hex(new Uint8Array(digest));
}

/**
 * Version of the poster templates. Part of the content hash: signers approve the
 * posters as rendered, so a template change makes a new hash (bump it with every change
 * to templates/ that alters what a poster shows).
 */
export const POSTER_TEMPLATE_VERSION = "2026-11-23.2";

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
