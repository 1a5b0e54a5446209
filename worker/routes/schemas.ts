// Request/response schemas shared by the routes and the OpenAPI document: one zod
// model per resource, so validation, docs and the dashboard's typed client agree.
import { z } from "@hono/zod-openapi";
import {
  ALERT_KINDS,
  INITIATIVES,
  AlertContent,
  CONSENT_BASES,
  CRITERIA,
  LAUNCH_BLOCKERS,
  OBJECTION_KINDS,
  ROLES,
  SIGN_OFF_KINDS,
  STATES,
  STAFF_STOP_REASONS,
  LANGUAGES,
  REGIONS,
  JudicialFileInput,
} from "../domain/index.ts";

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string().openapi({ example: "E_NOT_AUTHORISED" }),
    detail: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem");

export const Id = z.uuid().openapi({ example: "6f1c2b1e-8f0a-4a57-9d1c-3e5b2a9c7d10" });
export const AlertIdParam = z.object({ id: Id.openapi({ param: { name: "id", in: "path" } }) });

export const Role = z.enum(ROLES).openapi("Role");
export const AlertState = z.enum(STATES).openapi("AlertState");
export const SignOffKind = z.enum(SIGN_OFF_KINDS).openapi("SignOffKind");

export const AlertContentSchema = AlertContent.openapi("AlertContent");

export const CreateAlertBody = z
  .object({
    exercise: z.boolean(),
    content: AlertContentSchema,
    file: JudicialFileInput.optional(),
    kind: z.enum(ALERT_KINDS).default("child_alert").describe("issue 29: a Child Alert, or a search notice (protocol §2.3.3.1)"),
    initiative: z.enum(INITIATIVES).optional().describe("a search notice's initiative (required for one)"),
  })
  .strict()
  .openapi("CreateAlert");

export const JudicialFileBody = JudicialFileInput.openapi("JudicialFile");
export const FileAccessBody = z.object({ closedTo: z.array(z.enum(ROLES)).max(ROLES.length) }).strict().openapi("FileAccess");

export const EditContentBody = z.object({ content: AlertContentSchema }).strict().openapi("EditContent");

const b64url = z.string().max(4096).regex(/^[A-Za-z0-9_-]*$/, "base64url");

/** A WebAuthn assertion as produced by navigator.credentials.get (JSON form). */
export const AssertionJson = z
  .object({
    id: b64url,
    rawId: b64url,
    type: z.literal("public-key"),
    response: z.object({
      clientDataJSON: b64url,
      authenticatorData: b64url,
      signature: b64url,
      userHandle: b64url.optional(),
    }),
    clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
    authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
  })
  .openapi("AssertionJson");

/** A WebAuthn attestation as produced by navigator.credentials.create (JSON form). */
export const AttestationJson = z
  .object({
    id: b64url,
    rawId: b64url,
    type: z.literal("public-key"),
    response: z.object({
      clientDataJSON: b64url,
      attestationObject: z.string().max(16384).regex(/^[A-Za-z0-9_-]*$/),
      transports: z.array(z.string().max(20)).max(8).optional(),
      authenticatorData: b64url.optional(),
      publicKey: b64url.optional(),
      publicKeyAlgorithm: z.number().int().optional(),
    }),
    clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
    authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
  })
  .openapi("AttestationJson");

export const CeremonyOptions = z
  .object({ challengeId: z.string(), options: z.record(z.string(), z.unknown()) })
  .openapi("CeremonyOptions");

export const SignOffOptionsBody = z.object({ kind: SignOffKind, decision: z.lazy(() => Decision).optional() }).strict();
/** The judicial file as a signer sees it: what the alert must be identical to (rule 11), and who decides. */
export const FileForSigners = z.object({
  pvNumber: z.string().nullable(),
  magistrateRef: z.string().nullable(),
  magistrateInCharge: z.object({ userId: z.string(), name: z.string() }).nullable(),
});

export const SignOffOptions = CeremonyOptions.extend({
  alertId: z.string(),
  versionId: z.string(),
  contentHash: z.string(),
  kind: SignOffKind,
  file: FileForSigners,
}).openapi("SignOffOptions");

export const Criteria = z.object(Object.fromEntries(CRITERIA.map((c) => [c, z.boolean()])) as Record<(typeof CRITERIA)[number], z.ZodBoolean>).strict();

/**
 * The magistrate's written part: with the authorisation (rule 1) the criteria checklist
 * and the risk assessment; with the accompanying-person authorisation (rule 6) the terms.
 * Given when the ceremony starts: the passkey then signs it with the content.
 */
export const Decision = z
  .object({
    criteria: Criteria.optional(),
    riskAssessment: z.string().trim().max(4000).optional(),
    terms: z.string().trim().max(2000).optional(),
  })
  .strict()
  .openapi("Decision");

export const SignOffBody = z
  .object({
    challengeId: z.uuid(),
    response: AssertionJson,
  })
  .strict()
  .openapi("SignOff");

export const ConsentBody = z
  .object({ basis: z.enum(CONSENT_BASES), note: z.string().trim().max(2000).optional() })
  .strict()
  .openapi("Consent");

export const ObjectionBody = z
  .object({ kind: z.enum(OBJECTION_KINDS), reason: z.string().trim().min(1).max(2000) })
  .strict()
  .openapi("Objection");

export const StopBody = z
  .object({ reason: z.enum(STAFF_STOP_REASONS) })
  .strict()
  .openapi("Stop");

export const CommandResult = z
  .object({
    alertId: z.string(),
    state: AlertState,
    versionId: z.string().optional(),
    contentHash: z.string().optional(),
    endsAt: z.string().nullable().optional(),
    changed: z.boolean(),
  })
  .openapi("CommandResult");

export const Readiness = z
  .object({
    launchBlocker: z.enum(LAUNCH_BLOCKERS).nullable(),
    missingSignOffs: z.array(SignOffKind),
    consentSettled: z.boolean(),
    openObjections: z.array(z.enum(OBJECTION_KINDS)),
    authorised: z.boolean(),
    canLaunch: z.boolean(),
    waitingOn: z.array(Role),
  })
  .openapi("Readiness");

/** What every view of an alert shows: identity, state, times and who it waits on. */
const AlertHeader = z.object({
  id: z.string(),
  kind: z.enum(ALERT_KINDS),
  initiative: z.enum(INITIATIVES).nullable(),
  originAlertId: z.string().nullable().describe("the search notice this Child Alert was escalated from, or the Child Alert this notice continues"),
  socialRequested: z.boolean().describe("a search notice: the magistrate asked for the social networks"),
  state: AlertState,
  exercise: z.boolean(),
  createdAt: z.string(),
  launchedAt: z.string().nullable(),
  endsAt: z.string().nullable(),
  stoppedAt: z.string().nullable(),
  readiness: Readiness,
});

export const AlertSummary = AlertHeader.extend({ firstName: z.string().nullable(), fileClosed: z.boolean() }).openapi("AlertSummary");

export const Version = z
  .object({
    id: z.string(),
    number: z.number().int(),
    contentHash: z.string(),
    content: z.record(z.string(), z.unknown()).nullable(),
    createdAt: z.string(),
    publishedAt: z.string().nullable(),
  })
  .openapi("Version");

export const AlertDetail = AlertHeader.extend({
    extensions: z.number().int(),
    stopReason: z.string().nullable(),
    purgeAt: z.string().nullable(),
    currentVersionId: z.string().nullable(),
    pendingVersionId: z.string().nullable(),
    /** The content every channel may show: the accompanying-person section only when authorised. */
    publishable: z.record(z.string(), z.unknown()).nullable(),
    versions: z.array(Version),
    signOffs: z.array(
      z.object({
        id: z.string(),
        kind: SignOffKind,
        versionId: z.string(),
        contentHash: z.string(),
        signer: z.string().nullable(),
        role: z.string(),
        createdAt: z.string(),
        voidedAt: z.string().nullable(),
        /** Counts for the version under review: on its current hash and not voided. */
        valid: z.boolean(),
      }),
    ),
    consents: z.array(z.object({ id: z.string(), basis: z.string(), recordedRole: z.string(), createdAt: z.string() })),
    objections: z.array(
      z.object({
        id: z.string(),
        kind: z.string(),
        reason: z.string().nullable(),
        createdAt: z.string(),
        liftedAt: z.string().nullable(),
      }),
    ),
    /** The judicial file every signer signs against (rule 11), and whom it is closed to. */
    file: FileForSigners.extend({ closedTo: z.array(z.string()) }),
  })
  .openapi("AlertDetail");

export const AuditEntry = z
  .object({
    seq: z.number().int(),
    at: z.string(),
    alertId: z.string().nullable(),
    actorUserId: z.string().nullable(),
    actorRole: z.string().nullable(),
    action: z.string(),
    details: z.string(),
    prevHash: z.string(),
    hash: z.string(),
  })
  .openapi("AuditEntry");

export const ChainVerdict = z
  .object({
    ok: z.boolean(),
    entries: z.number().int(),
    head: z.string().optional(),
    firstBroken: z.number().int().optional(),
    reason: z.string().optional(),
    /** The chain against its published, signed heads: a cut-off end or a rewritten entry is named. */
    anchors: z
      .object({
        heads: z.number().int(),
        newest: z.object({ seq: z.number().int(), at: z.string(), reason: z.string() }).nullable(),
        badSignatures: z.number().int(),
        problems: z.array(z.object({ seq: z.number().int(), at: z.string(), kind: z.enum(["truncated", "rewritten"]) })),
      })
      .optional(),
  })
  .openapi("ChainVerdict");

export const Passkey = z
  .object({ id: z.string(), name: z.string().nullable(), createdAt: z.string(), lastUsedAt: z.string().nullable(), revokedAt: z.string().nullable() })
  .openapi("Passkey");

export const User = z
  .object({
    id: z.string(),
    email: z.string(),
    displayName: z.string(),
    role: Role,
    disabledAt: z.string().nullable(),
    drillSeat: z.boolean().describe("a drill seat: acts on exercise alerts only (npm run drill's team)"),
  })
  .openapi("User");

/** Normalised before it is checked, and stored so: " Anna@Example.org " is anna@example.org. */
export const EmailAddress = z.string().trim().toLowerCase().max(254).pipe(z.email());

export const InvitationBody = z
  .object({
    email: EmailAddress,
    displayName: z.string().trim().min(1).max(100),
    role: Role,
    drillSeat: z.boolean().optional().describe("a drill seat: an account that acts on exercise alerts only, for npm run drill's team (cell, investigator, operator, counsellor, magistrate)"),
  })
  .strict()
  .openapi("NewInvitation");

/** What a citizen chooses, whatever the channel: language, regions, exercises or not. */
export const RecipientPreferences = z
  .object({
    lang: z.enum(LANGUAGES),
    regions: z.array(z.enum(REGIONS)).min(1).max(REGIONS.length),
    exercise: z.boolean().default(false),
  })
  .strict();
