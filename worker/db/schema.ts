// D1 schema (drizzle). Migrations in /migrations are generated from this file by
// `npm run db:generate`; never edit a committed migration, add a new one.
//
// Privacy by construction: the child's personal data live only in
// `alert_versions.content` and in R2 under `alerts/<id>/`; both are erased by the
// retention purge. Every other table holds identifiers, hashes, roles and times.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { BROADCAST_EVENTS } from "../domain/broadcast.ts";
import { AUTHORITY_MAILBOXES } from "../domain/inform.ts";
import { SOCIAL_NETWORKS } from "../domain/social.ts";

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`;

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  email: text("email").notNull().unique(),
  displayName: text("display_name").notNull(),
  role: text("role", {
    enum: ["magistrate", "investigator", "cell", "operator", "counsellor", "calltaker", "admin"],
  }).notNull(),
  createdAt: text("created_at").notNull().default(now),
  disabledAt: text("disabled_at"),
  /** A drill seat (issue 27, domain/drill.ts): acts on exercise alerts only; `npm run drill` holds its passkey. */
  drillSeat: integer("drill_seat", { mode: "boolean" }).notNull().default(false),
});

export const credentials = sqliteTable(
  "credentials",
  {
    /** WebAuthn credential id, base64url. */
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    /** COSE public key, base64url. */
    publicKey: text("public_key").notNull(),
    counter: integer("counter").notNull().default(0),
    transports: text("transports"),
    createdAt: text("created_at").notNull().default(now),
    lastUsedAt: text("last_used_at"),
    /** The owner's name for it ("work phone"). */
    name: text("name"),
    /** Revoked: refused for sign-in and sign-off for good (kept: old sign-offs stay verifiable with its public key). */
    revokedAt: text("revoked_at"),
    revokedBy: text("revoked_by"),
    /** The invitation it was registered from (who made and who approved it, for the owner's e-mail). */
    invitationId: text("invitation_id"),
    /**
     * When the owner was told that this passkey was added to their account (issue 11): null
     * until the e-mail is out; a first passkey (the account's creation) has nothing to tell.
     */
    ownerToldAt: text("owner_told_at"),
  },
  (t) => [index("credentials_user").on(t.userId)],
);

export const sessions = sqliteTable(
  "sessions",
  {
    /** SHA-256 of the cookie token: a stolen database does not yield live sessions. */
    tokenHash: text("token_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    createdAt: text("created_at").notNull().default(now),
    expiresAt: text("expires_at").notNull(),
    /** Last use (at most a minute stale): the idle timeout counts from here. */
    lastSeenAt: text("last_seen_at"),
  },
  (t) => [index("sessions_user").on(t.userId)],
);

export const invitations = sqliteTable("invitations", {
  id: text("id").primaryKey(),
  tokenHash: text("token_hash").notNull().unique(),
  email: text("email").notNull(),
  displayName: text("display_name").notNull(),
  role: text("role").notNull(),
  /** Set when the invitation adds a passkey to an existing user (recovery, new device). */
  userId: text("user_id").references(() => users.id),
  createdBy: text("created_by"),
  createdAt: text("created_at").notNull().default(now),
  expiresAt: text("expires_at").notNull(),
  usedAt: text("used_at"),
  revokedAt: text("revoked_at"),
  /**
   * An admin's link to add a passkey to someone else's account (a lost device) works only
   * once a second admin approved it: no admin alone can give themself another's identity.
   */
  needsApproval: integer("needs_approval", { mode: "boolean" }).notNull().default(false),
  approvedBy: text("approved_by"),
  /** The account it creates is a drill seat (users.drillSeat). */
  drillSeat: integer("drill_seat", { mode: "boolean" }).notNull().default(false),
});

/**
 * A change to someone's account that a second admin must approve before it takes effect
 * (issue 23, four eyes): a new role, or re-enabling a disabled account. Disabling is never
 * held back (it only takes power away).
 */
export const accountRequests = sqliteTable(
  "account_requests",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: ["role", "enable"] }).notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    /** The role asked for (kind "role"). */
    role: text("role"),
    requestedBy: text("requested_by").notNull(),
    requestedAt: text("requested_at").notNull(),
    expiresAt: text("expires_at").notNull(),
    approvedBy: text("approved_by"),
    approvedAt: text("approved_at"),
    /** Withdrawn by an admin (or superseded by a newer request for the same account). */
    cancelledAt: text("cancelled_at"),
  },
  (t) => [index("account_requests_user").on(t.userId)],
);

/** Server-side WebAuthn challenges: single use, short-lived, bound to their purpose. */
export const challenges = sqliteTable("challenges", {
  id: text("id").primaryKey(),
  /** reauth: a fresh passkey assertion by the signed-in person before a sensitive step (a link for a new device of theirs). */
  purpose: text("purpose", { enum: ["register", "login", "signoff", "reauth"] }).notNull(),
  challenge: text("challenge").notNull(),
  userId: text("user_id"),
  invitationId: text("invitation_id"),
  alertId: text("alert_id"),
  versionId: text("version_id"),
  contentHash: text("content_hash"),
  signOffKind: text("sign_off_kind"),
  /** The magistrate's decision the sign-off challenge binds (canonical JSON). */
  decision: text("decision"),
  expiresAt: text("expires_at").notNull(),
  usedAt: text("used_at"),
});

export const alerts = sqliteTable(
  "alerts",
  {
    id: text("id").primaryKey(),
    state: text("state", {
      enum: ["draft", "concertation", "authorised", "live", "stopped", "cancelled", "blocked", "purged"],
    }).notNull(),
    exercise: integer("exercise", { mode: "boolean" }).notNull(),
    /** A Child Alert or a search notice (issue 29, domain/kinds.ts). */
    kind: text("kind", { enum: ["child_alert", "search_notice"] }).notNull().default("child_alert"),
    /** A search notice's initiative (§2.3.3.1): magistrate, police, parents, relatives or foundation. */
    initiative: text("initiative"),
    /** The alert this one was escalated or continued from (a notice → a Child Alert, or the reverse). */
    originAlertId: text("origin_alert_id"),
    /** A search notice goes on the social networks only once the magistrate asked for it (§2.3.3.1). */
    socialRequestedAt: text("social_requested_at"),
    createdBy: text("created_by").notNull(),
    createdAt: text("created_at").notNull().default(now),
    updatedAt: text("updated_at").notNull().default(now),
    /** The version in force: the one being signed off before launch, the published one while live. */
    currentVersionId: text("current_version_id"),
    /** While live: a newer version awaiting the magistrate's authorisation. */
    pendingVersionId: text("pending_version_id"),
    launchedAt: text("launched_at"),
    endsAt: text("ends_at"),
    extensions: integer("extensions").notNull().default(0),
    reviewPromptedAt: text("review_prompted_at"),
    stoppedAt: text("stopped_at"),
    stopReason: text("stop_reason"),
    purgeAt: text("purge_at"),
    purgedAt: text("purged_at"),
    /** When the cell was told that this unfinished alert will be purged for inactivity (rule 14). */
    purgeNoticeAt: text("purge_notice_at"),
    /** The judicial file (protocol §2.3.1): the police report (PV) number, required before submission; NULL once purged. */
    pvNumber: text("pv_number"),
    /** The magistrate's own reference for the case (optional); NULL once purged. */
    magistrateRef: text("magistrate_ref"),
    /** Non-signing roles the magistrate in charge closed the file to (protocol §2.2.6): JSON array of roles. */
    fileClosedTo: text("file_closed_to", { mode: "json" }).$type<string[]>().notNull().default([]),
  },
  (t) => [index("alerts_state").on(t.state)],
);

export const alertVersions = sqliteTable(
  "alert_versions",
  {
    id: text("id").primaryKey(),
    alertId: text("alert_id")
      .notNull()
      .references(() => alerts.id),
    number: integer("number").notNull(),
    /** Canonical JSON of the content; NULL once purged. */
    content: text("content"),
    /** SHA-256 (hex) of the canonical serialisation; survives the purge. */
    contentHash: text("content_hash").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: text("created_at").notNull().default(now),
    publishedAt: text("published_at"),
  },
  (t) => [uniqueIndex("alert_versions_number").on(t.alertId, t.number)],
);

export const signOffs = sqliteTable(
  "sign_offs",
  {
    id: text("id").primaryKey(),
    alertId: text("alert_id")
      .notNull()
      .references(() => alerts.id),
    versionId: text("version_id")
      .notNull()
      .references(() => alertVersions.id),
    contentHash: text("content_hash").notNull(),
    kind: text("kind", {
      enum: ["investigator", "cell", "operator", "authorisation", "accompanying_person"],
    }).notNull(),
    userId: text("user_id").notNull(),
    role: text("role").notNull(),
    credentialId: text("credential_id").notNull(),
    /** The WebAuthn assertion as received: anyone can re-verify it against the credential. */
    challenge: text("challenge").notNull(),
    authenticatorData: text("authenticator_data").notNull(),
    clientDataJson: text("client_data_json").notNull(),
    signature: text("signature").notNull(),
    /** Authorisation: the decision record (criteria, risk assessment); accompanying person: the terms. */
    decision: text("decision"),
    createdAt: text("created_at").notNull().default(now),
    /** A block (refusal/opposition) voids the authorisation given before it. */
    voidedAt: text("voided_at"),
  },
  (t) => [
    uniqueIndex("sign_offs_one_per_kind")
      .on(t.versionId, t.kind)
      .where(sql`voided_at IS NULL`),
  ],
);

export const consents = sqliteTable("consents", {
  id: text("id").primaryKey(),
  alertId: text("alert_id")
    .notNull()
    .references(() => alerts.id),
  basis: text("basis", {
    enum: ["parental_consent", "magistrate_requisition", "operator_danger_assessment"],
  }).notNull(),
  /** Free text (may name the parents): purged with the alert. */
  note: text("note"),
  recordedBy: text("recorded_by").notNull(),
  recordedRole: text("recorded_role").notNull(),
  createdAt: text("created_at").notNull().default(now),
});

export const objections = sqliteTable("objections", {
  id: text("id").primaryKey(),
  alertId: text("alert_id")
    .notNull()
    .references(() => alerts.id),
  kind: text("kind", { enum: ["operator_refusal", "magistrate_opposition"] }).notNull(),
  reason: text("reason"),
  userId: text("user_id").notNull(),
  /** The state it blocked: a draft blocked before submission goes back to draft when lifted (never straight to concertation). */
  fromState: text("from_state"),
  createdAt: text("created_at").notNull().default(now),
  liftedAt: text("lifted_at"),
  liftedBy: text("lifted_by"),
});

/**
 * The people named on a case (issue 23): its magistrate in charge (one row with role
 * "magistrate") and its investigators. Changed only by the alert's command "assign".
 */
export const caseMembers = sqliteTable(
  "case_members",
  {
    alertId: text("alert_id")
      .notNull()
      .references(() => alerts.id),
    userId: text("user_id").notNull(),
    role: text("role", { enum: ["magistrate", "investigator"] }).notNull(),
    assignedBy: text("assigned_by"),
    assignedAt: text("assigned_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.alertId, t.userId] })],
);

/** Photos of a version, by their own hash; bytes live in R2 under `alerts/<alertId>/`. */
export const photos = sqliteTable("photos", {
  hash: text("hash").notNull(),
  alertId: text("alert_id")
    .notNull()
    .references(() => alerts.id),
  r2Key: text("r2_key").primaryKey(),
  contentType: text("content_type").notNull(),
  bytes: integer("bytes").notNull(),
  width: integer("width").notNull().default(0),
  height: integer("height").notNull().default(0),
  createdAt: text("created_at").notNull().default(now),
});

/**
 * Append-only, hash-chained audit log. `seq` is assigned by the writer as last+1, so
 * two concurrent writers cannot both extend the chain: the loser hits the primary
 * key and retries. Details are PII-free by construction (ids, roles, hashes, codes).
 */
export const auditEntries = sqliteTable(
  "audit_entries",
  {
    seq: integer("seq").primaryKey(),
    at: text("at").notNull(),
    alertId: text("alert_id"),
    actorUserId: text("actor_user_id"),
    actorRole: text("actor_role"),
    action: text("action").notNull(),
    details: text("details").notNull(),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [index("audit_alert").on(t.alertId)],
);

export const NOTICE_MAIL_STATUSES = ["sent", "no_relay", "no_address", "before_mail"] as const;

/** In-app notices to the authorities (DOMAIN rule 9): launch, update, stop, review due. */
export const notifications = sqliteTable(
  "notifications",
  {
    id: text("id").primaryKey(),
    alertId: text("alert_id").notNull(),
    recipientRole: text("recipient_role").notNull(),
    /** A notice for one person (of recipientRole) rather than everyone of the role: an account notice to the person concerned. */
    recipientUserId: text("recipient_user_id"),
    event: text("event").notNull(),
    /** Idempotency: one notice per (alert, event occurrence, role) whatever the redeliveries. */
    dedupeKey: text("dedupe_key").notNull().unique(),
    createdAt: text("created_at").notNull().default(now),
    readAt: text("read_at"),
    /** The e-mail of this notice: null while to be sent, then when it was handled and how. */
    mailedAt: text("mailed_at"),
    mailStatus: text("mail_status", { enum: NOTICE_MAIL_STATUSES }),
    /** One sender at a time: a run claims the notice until this time (a crashed run's claim runs out). */
    mailClaimUntil: text("mail_claim_until"),
  },
  (t) => [index("notifications_role").on(t.recipientRole), index("notifications_unmailed").on(t.mailedAt)],
);

/** A person's inbox: which notices each person has read (a notice addressed to a role is read per person). */
export const noticeReads = sqliteTable(
  "notice_reads",
  {
    notificationId: text("notification_id").notNull(),
    userId: text("user_id").notNull(),
    readAt: text("read_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.notificationId, t.userId] })],
);

/** Each address a notice's e-mail was accepted for: a retried job never mails an address twice. Purged with the alert. */
export const noticeMails = sqliteTable(
  "notice_mails",
  {
    notificationId: text("notification_id").notNull(),
    alertId: text("alert_id").notNull(),
    address: text("address").notNull(),
    sentAt: text("sent_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.notificationId, t.address] })],
);

export { AUTHORITY_MAILBOXES };

/** Rule 9: the functional mailboxes of the federal police and the missing-persons cell (set by the admin). */
export const authorityMailboxes = sqliteTable(
  "authority_mailboxes",
  {
    kind: text("kind", { enum: AUTHORITY_MAILBOXES }).notNull(),
    address: text("address").notNull(),
    updatedBy: text("updated_by").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.address] })],
);

/**
 * A foreign organisation's request to publish an alert's posters (protocol §2.3.3.4):
 * recorded by the operator, granted only once the federal prosecutor's office and the
 * cell are informed (the notice `notice_id` mailed to their mailboxes).
 */
export const foreignRequests = sqliteTable(
  "foreign_requests",
  {
    id: text("id").primaryKey(),
    alertId: text("alert_id").notNull(),
    organisation: text("organisation").notNull(),
    /** ISO 3166-1 alpha-2 (rule 13 decides whether the posters may go there). */
    country: text("country").notNull(),
    requestedBy: text("requested_by").notNull(),
    requestedAt: text("requested_at").notNull(),
    grantedBy: text("granted_by"),
    grantedAt: text("granted_at"),
  },
  (t) => [index("foreign_requests_alert").on(t.alertId)],
);

/** Rendered posters of a version (PNG in R2 under `alerts/<alertId>/posters/<inputsHash>/`). */
export const posters = sqliteTable(
  "posters",
  {
    r2Key: text("r2_key").primaryKey(),
    alertId: text("alert_id").notNull(),
    versionId: text("version_id").notNull(),
    /** SHA-256 of everything the image depends on: template version, publishable content, photo, QR target. */
    inputsHash: text("inputs_hash").notNull(),
    format: text("format").notNull(),
    lang: text("lang").notNull(),
    /** Rendered with the accompanying-person section (only after its authorisation). */
    withAccompanying: integer("with_accompanying", { mode: "boolean" }).notNull(),
    width: integer("width").notNull(),
    height: integer("height").notNull(),
    bytes: integer("bytes").notNull(),
    createdAt: text("created_at").notNull().default(now),
  },
  (t) => [index("posters_version").on(t.versionId)],
);

/**
 * Web-push subscriptions of citizens. `seq` (the rowid) pages the fan-out: pages are
 * seq ranges, so planning a million recipients needs no query per page. Nothing here
 * identifies a person beyond the push endpoint the browser gave us.
 */
export const subscriptions = sqliteTable(
  "subscriptions",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull().unique(),
    endpoint: text("endpoint").notNull().unique(),
    p256dh: text("p256dh").notNull(),
    auth: text("auth").notNull(),
    lang: text("lang").notNull(),
    /** JSON array of regions (BE, BE-xxx, FR, NL, DE, LU). */
    regions: text("regions").notNull(),
    exercise: integer("exercise", { mode: "boolean" }).notNull(),
    /** Issue 29: also the search notices of these regions (opted in separately; never by default). */
    notices: integer("notices", { mode: "boolean" }).notNull().default(false),
    createdAt: text("created_at").notNull().default(now),
    lastSuccessAt: text("last_success_at"),
    failureCount: integer("failure_count").notNull().default(0),
  },
  // A drill or a search notice reaches only those who opted in: its pages are cut over these (db/subscriptions.ts optInTerms).
  (t) => [index("subscriptions_exercise").on(t.seq).where(sql`exercise = 1`), index("subscriptions_notices").on(t.seq).where(sql`notices = 1`)],
);

/** Jobs that exhausted their retries (from the dead-letter queue): ids and types only, no content. */
export const deadLetters = sqliteTable(
  "dead_letters",
  {
    id: text("id").primaryKey(),
    jobType: text("job_type").notNull(),
    alertId: text("alert_id"),
    /** The job as queued (identifiers and page bounds only). */
    job: text("job").notNull(),
    createdAt: text("created_at").notNull().default(now),
  },
  (t) => [index("dead_letters_alert").on(t.alertId)],
);

/** Per-channel switches set by the admin (audited). A missing row means "on". */
export const channelSettings = sqliteTable("channel_settings", {
  channel: text("channel").primaryKey(),
  enabled: integer("enabled", { mode: "boolean" }).notNull(),
  updatedBy: text("updated_by").notNull(),
  updatedAt: text("updated_at").notNull().default(now),
});

/**
 * The broadcast outbox: every launch, published update and stop writes its broadcast
 * intent here in the same D1 batch as the state change, so a committed command always
 * broadcasts. The alert's Durable Object plans it (inline, then its alarm, then the cron
 * as a safety net) and stamps `planned_at`; nothing personal is stored here.
 */
export const broadcasts = sqliteTable(
  "broadcasts",
  {
    id: text("id").primaryKey(),
    alertId: text("alert_id").notNull(),
    event: text("event", { enum: BROADCAST_EVENTS }).notNull(),
    versionId: text("version_id").notNull(),
    version: integer("version").notNull(),
    stopReason: text("stop_reason"),
    createdAt: text("created_at").notNull(),
    plannedAt: text("planned_at"),
  },
  (t) => [index("broadcasts_alert").on(t.alertId), index("broadcasts_unplanned").on(t.plannedAt)],
);

/** States of an e-mail subscriber: only "active" ones receive alerts (double opt-in). */
export const EMAIL_STATUSES = ["pending", "active", "unsubscribed", "bounced"] as const;

/**
 * E-mail subscribers: the address (normalised), language, regions, exercise opt-in. Only
 * what sending needs; addresses are never listed back by any API. A confirmation token is
 * stored only as its hash, single use, expiring.
 */
export const emailSubscribers = sqliteTable(
  "email_subscribers",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull().unique(),
    address: text("address").notNull().unique(),
    lang: text("lang").notNull(),
    /** JSON array of regions (BE, BE-xxx, FR, NL, DE, LU). */
    regions: text("regions").notNull(),
    exercise: integer("exercise", { mode: "boolean" }).notNull(),
    /** Issue 29: also the search notices of these regions (opted in separately; never by default). */
    notices: integer("notices", { mode: "boolean" }).notNull().default(false),
    status: text("status", { enum: EMAIL_STATUSES }).notNull(),
    /** Preferences asked for and not yet confirmed (JSON {lang, regions, exercise, notices}). */
    pending: text("pending"),
    confirmHash: text("confirm_hash"),
    confirmExpiresAt: text("confirm_expires_at"),
    confirmSentAt: text("confirm_sent_at"),
    createdAt: text("created_at").notNull().default(now),
    confirmedAt: text("confirmed_at"),
    lastSuccessAt: text("last_success_at"),
    failureCount: integer("failure_count").notNull().default(0),
  },
  (t) => [
    index("email_subscribers_status").on(t.status, t.seq),
    // A drill or a search notice reaches only those who opted in: its pages are cut over these (db/email.ts).
    index("email_subscribers_exercise").on(t.seq).where(sql`status = 'active' AND exercise = 1`),
    index("email_subscribers_notices").on(t.seq).where(sql`status = 'active' AND notices = 1`),
  ],
);

/**
 * Partners (issue 13): newspapers, municipalities, transport operators… that show the
 * alert. The API key is stored hashed (shown once); the webhook secret is ours to sign
 * with (Standard Webhooks). `seq` is the fan-out's page key for the webhooks channel.
 */
export const partners = sqliteTable("partners", {
  seq: integer("seq").primaryKey({ autoIncrement: true }),
  id: text("id").notNull().unique(),
  name: text("name").notNull(),
  /** JSON array of the web domains the partner shows the alert on (the widget's hosts). */
  domains: text("domains").notNull(),
  /** ISO 3166-1 alpha-2: decides whether the child's data may go to them (rule 13). */
  country: text("country").notNull(),
  /** JSON array of languages, the first the primary one. */
  languages: text("languages").notNull(),
  lang: text("lang").notNull(),
  /** JSON array of the regions they serve (BE = the whole country). */
  regions: text("regions").notNull(),
  exercise: integer("exercise", { mode: "boolean" }).notNull(),
  /** Issue 29: "child_alert" (Child Alerts only, the default) or "both" (search notices too). */
  kinds: text("kinds").notNull().default("child_alert"),
  /** SHA-256 of the API key; its first characters shown to tell keys apart. */
  keyHash: text("key_hash").notNull().unique(),
  keyPrefix: text("key_prefix").notNull(),
  webhookUrl: text("webhook_url"),
  /** `whsec_…` (Standard Webhooks); null without a webhook. */
  webhookSecret: text("webhook_secret"),
  /** Consecutive failed deliveries; the webhook is switched off at WEBHOOK_DISABLE_AFTER. */
  webhookFailures: integer("webhook_failures").notNull().default(0),
  webhookDisabledAt: text("webhook_disabled_at"),
  createdAt: text("created_at").notNull().default(now),
  revokedAt: text("revoked_at"),
});

/** Each webhook delivery to a partner (the delivery log the admin reads): no child data. */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    partnerId: text("partner_id").notNull(),
    alertId: text("alert_id").notNull(),
    /** alert.launched | alert.updated | alert.stopped */
    type: text("type").notNull(),
    version: integer("version").notNull(),
    /** sent | failed | retry | gone */
    outcome: text("outcome").notNull(),
    status: integer("status"),
    detail: text("detail"),
    at: text("at").notNull(),
  },
  (t) => [index("webhook_deliveries_partner").on(t.partnerId, t.at)],
);

/**
 * Tips (issue 14, rule 10): what the public tells the hotline about a live (or just
 * stopped) alert, from the web form or a call taken by a call-taker. The columns marked
 * PII are emptied by the retention purge (ERASED_BY_PURGE); the row stays as PII-free
 * figures (source, urgency, times, assessment, usefulness) for the statistics.
 */
export const tips = sqliteTable(
  "tips",
  {
    id: text("id").primaryKey(),
    alertId: text("alert_id").notNull(),
    source: text("source", { enum: ["web", "call"] }).notNull(),
    /** A web tip's client-chosen id: a resent form is one tip, never two. */
    clientRef: text("client_ref"),
    receivedAt: text("received_at").notNull(),
    urgent: integer("urgent", { mode: "boolean" }).notNull().default(false),
    /** PII: what was seen, where and when. */
    text: text("text"),
    seenWhere: text("seen_where"),
    seenAt: text("seen_at"),
    anonymous: integer("anonymous", { mode: "boolean" }).notNull(),
    /** PII: the contact details of an identified citizen or caller. */
    contactName: text("contact_name"),
    contactPhone: text("contact_phone"),
    contactEmail: text("contact_email"),
    /** A call: the caller was told the call is recorded and did not object ("given"), or objected ("refused"). */
    recording: text("recording", { enum: ["given", "refused"] }),
    /** The call-taker's assessment of the information (required for an anonymous caller). */
    assessment: text("assessment", { enum: ["reliable", "plausible", "doubtful"] }),
    /** PII: the R2 key of the photo sent with a web tip (under the alert's prefix). */
    photoKey: text("photo_key"),
    callSid: text("call_sid"),
    takenBy: text("taken_by"),
    /** When the investigators' open screens were sent it (the forwarding). */
    forwardedAt: text("forwarded_at"),
    ackedAt: text("acked_at"),
    ackedBy: text("acked_by"),
    useful: integer("useful", { mode: "boolean" }),
    usefulAt: text("useful_at"),
    /** 0: with the case's investigators; 1: escalated to the cell; 2: to the magistrate and the operator. */
    escalation: integer("escalation").notNull().default(0),
    /**
     * A web tip's anti-abuse check: "unverified" when Turnstile could not be reached — the
     * tip is kept (a witness is never lost) and shown to the investigators as unverified.
     */
    challenge: text("challenge", { enum: ["passed", "unverified"] }),
  },
  (t) => [index("tips_alert").on(t.alertId, t.receivedAt), uniqueIndex("tips_client_ref").on(t.alertId, t.clientRef)],
);

/**
 * The 116 000 intake line (issue 14), set by the admin: the telephony provider (TwiML
 * dialect), the routing number callers dial, and the normal hotline callers are put
 * through to when no alert line is open. One row ("line"); the provider's auth token is a
 * secret (TELEPHONY_AUTH_TOKEN), never stored here.
 */
export const intakeLine = sqliteTable("intake_line", {
  id: text("id").primaryKey(),
  provider: text("provider", { enum: ["twilio", "signalwire", "telnyx", "other"] }).notNull(),
  routingNumber: text("routing_number").notNull(),
  fallbackNumber: text("fallback_number").notNull(),
  updatedBy: text("updated_by").notNull(),
  updatedAt: text("updated_at").notNull(),
});

/**
 * Staff devices that asked to be woken by a new tip (issue 14): a web-push subscription
 * per device of a person. The push says only that a tip came in, never what it says.
 */
export const staffPush = sqliteTable(
  "staff_push",
  {
    endpoint: text("endpoint").primaryKey(),
    userId: text("user_id").notNull(),
    p256dh: text("p256dh").notNull(),
    auth: text("auth").notNull(),
    createdAt: text("created_at").notNull().default(now),
  },
  (t) => [index("staff_push_user").on(t.userId)],
);

/**
 * The official social-network accounts (issue 15), one row per account and language: the
 * social channels' recipients. The credentials are sealed with AES-GCM under the Worker
 * secret SOCIAL_CREDENTIALS_KEY (worker/channels/social/credentials.ts): never in clear
 * here, never shown back, never logged.
 */
export const socialAccounts = sqliteTable(
  "social_accounts",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull().unique(),
    network: text("network", { enum: SOCIAL_NETWORKS }).notNull(),
    /** How staff know it: "@childalert_fr". */
    name: text("name").notNull(),
    lang: text("lang").notNull(),
    /** JSON array of regions whose alerts it posts (BE = the whole country). */
    regions: text("regions").notNull(),
    /** Posts exercises (a test account); the official accounts do not. */
    exercise: integer("exercise", { mode: "boolean" }).notNull(),
    /** Where: the Mastodon instance or Bluesky service origin, the Facebook page id, the Telegram chat; "" for X. */
    target: text("target").notNull(),
    /** base64url(iv ‖ AES-GCM ciphertext) of the credentials' JSON, the account id as additional data. */
    credentials: text("credentials").notNull(),
    createdAt: text("created_at").notNull().default(now),
    disabledAt: text("disabled_at"),
  },
  (t) => [index("social_accounts_network").on(t.network, t.seq)],
);

/**
 * Receipts of what we published on the social networks, kept until the retraction
 * confirms each post is gone. No child data: the network's post id and its link.
 */
export const socialPosts = sqliteTable(
  "social_posts",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    network: text("network").notNull(),
    alertId: text("alert_id").notNull(),
    version: integer("version").notNull(),
    /** content (the alert with the child's face) | stop (found — thank you / ended) */
    kind: text("kind", { enum: ["content", "stop"] }).notNull(),
    /** The network's id (status id, at:// URI, tweet id, Facebook post id, Telegram chat:message). */
    postId: text("post_id").notNull(),
    /** A direct link for the operator. */
    url: text("url"),
    /** live | deleted | stuck (a deletion the network refused for good: the operator removes it by hand) */
    state: text("state", { enum: ["live", "deleted", "stuck"] }).notNull(),
    /** The last deletion failure (network and status, no content). */
    lastError: text("last_error"),
    createdAt: text("created_at").notNull(),
    deletedAt: text("deleted_at"),
  },
  (t) => [index("social_posts_alert").on(t.alertId, t.accountId)],
);

/**
 * Channel health (issue 27): the latest result of each check of a channel's far side (the
 * relay, a social account, a partner's webhook, the VAPID keys), what it said, since when
 * it has been in that state, and the incident a red state opened (its notices' id). No
 * child data; account and partner names only.
 */
export const healthChecks = sqliteTable(
  "health_checks",
  {
    channel: text("channel").notNull(),
    /** What was checked within the channel: "relay", "vapid", an account's or a partner's id. */
    target: text("target").notNull(),
    /** How staff name it (an account's name, a partner's). */
    label: text("label").notNull(),
    status: text("status", { enum: ["ok", "failing", "off"] }).notNull(),
    /** What the far side answered (an HTTP status and message, an SMTP reply): never a secret. */
    detail: text("detail"),
    checkedAt: text("checked_at").notNull(),
    /** Since when it has been in this status. */
    since: text("since").notNull(),
    /** The latest incident (the id its notices carry): opened when the check turned red, closed when green again. */
    incidentId: text("incident_id"),
    /** What the far side answered when that incident opened (its notices' e-mails say it, whatever happened since). */
    incidentDetail: text("incident_detail"),
  },
  (t) => [primaryKey({ columns: [t.channel, t.target] })],
);

/** Drill targets (issue 27): the admin's, per step; a target never set is the domain's default (domain/drill.ts). */
export const drillTargets = sqliteTable("drill_targets", {
  key: text("key").primaryKey(),
  ms: integer("ms").notNull(),
  updatedBy: text("updated_by").notNull(),
  updatedAt: text("updated_at").notNull(),
});

/**
 * A drill's scorecard (issue 27), kept once the drill ended and every channel withdrew
 * it: times and counts only — no child data, so it outlives the drill's purge.
 */
export const drillScorecards = sqliteTable("drill_scorecards", {
  alertId: text("alert_id").primaryKey(),
  /** When the drill's alert was created (the history's order). */
  startedAt: text("started_at").notNull(),
  /** The scorecard as shown (JSON). */
  card: text("card").notNull(),
  keptAt: text("kept_at").notNull(),
});

/**
 * Peer alerting systems abroad (issue 28: neighbouring countries' Child Alert / AMBER
 * operators or NGOs): where they take CAP, and their country (rule 13 decides whether the
 * child's data may go there). Registered by the admin.
 */
export const peers = sqliteTable("peers", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** ISO 3166-1 alpha-2: the alerts that target it are handed off; rule 13 decides what they get. */
  country: text("country").notNull(),
  capEndpoint: text("cap_endpoint").notNull(),
  /** The peer's signing key (PEM: SPKI or X.509 certificate): its CAP messages to us are verified with it; without it none is accepted. */
  publicKey: text("public_key"),
  createdAt: text("created_at").notNull(),
  revokedAt: text("revoked_at"),
});

/**
 * A peer's request to relay its alert (issue 28, inbound): one per alert of theirs (its
 * Alert, then the Updates and the Cancel that reference it), shown to the cell — never
 * published by itself. Relaying creates a draft that goes through the whole concertation.
 */
export const peerRequests = sqliteTable(
  "peer_requests",
  {
    id: text("id").primaryKey(),
    peerId: text("peer_id").notNull(),
    /** The identifier of the peer's first message of this alert. */
    firstIdentifier: text("first_identifier").notNull(),
    /** CAP status: Actual, or Exercise (a relayed exercise is an exercise draft). */
    capStatus: text("cap_status").notNull(),
    /** The newest message's type and sending time. */
    msgType: text("msg_type").notNull(),
    sent: text("sent").notNull(),
    /** The newest message's texts per language (JSON); dropped when the peer cancels it, and 30 days after its last message. */
    infos: text("infos"),
    /** open | relayed | dismissed — and cancelledAt once the peer withdrew it. */
    state: text("state").notNull(),
    alertId: text("alert_id"),
    handledBy: text("handled_by"),
    handledAt: text("handled_at"),
    reason: text("reason"),
    cancelledAt: text("cancelled_at"),
    receivedAt: text("received_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("peer_requests_updated").on(t.updatedAt)],
);

/** Each CAP message a peer sent us (one row per identifier: a message sent twice is recorded once). */
export const peerMessages = sqliteTable(
  "peer_messages",
  {
    id: text("id").primaryKey(),
    requestId: text("request_id").notNull(),
    peerId: text("peer_id").notNull(),
    identifier: text("identifier").notNull(),
    msgType: text("msg_type").notNull(),
    sent: text("sent").notNull(),
    receivedAt: text("received_at").notNull(),
  },
  (t) => [uniqueIndex("peer_messages_one").on(t.peerId, t.identifier)],
);

/** An alert handed off to a peer: recorded with its notice; sent only once the authorities are informed. */
export const peerHandoffs = sqliteTable(
  "peer_handoffs",
  {
    id: text("id").primaryKey(),
    alertId: text("alert_id").notNull(),
    peerId: text("peer_id").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [uniqueIndex("peer_handoffs_one").on(t.alertId, t.peerId)],
);

/** Each CAP message sent to a peer, and what its endpoint answered (the alert screen's receipts). */
export const peerReceipts = sqliteTable(
  "peer_receipts",
  {
    id: text("id").primaryKey(),
    handoffId: text("handoff_id").notNull(),
    /** The CAP message's identifier (alert id.n). */
    identifier: text("identifier").notNull(),
    /** accepted (2xx) | refused | retry */
    outcome: text("outcome").notNull(),
    status: integer("status"),
    /** Whether the child's personal data went (rule 13): false for a peer without adequate protection. */
    personalData: integer("personal_data", { mode: "boolean" }).notNull(),
    at: text("at").notNull(),
  },
  (t) => [index("peer_receipts_handoff").on(t.handoffId, t.identifier)],
);
