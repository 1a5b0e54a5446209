// What a command is, what it returns, and what it runs with (the alert's object passes the context).

import { type Db } from "../../db/client.ts";
import { type AlertKind, type Initiative, type AlertContent, type AlertState, type ConsentBasis, type ObjectionKind, type SignOffDecision, type SignOffKind, type StopReason, type Actor, type Assignment, type CaseMembers, type JudicialFileInput } from "../../domain/index.ts";
import type { BroadcastIntent } from "../../db/broadcasts.ts";
import type { BroadcastSource } from "../../channels/channel.ts";






/** The WebAuthn assertion a sign-off was verified from, stored as evidence. */
export interface SignOffEvidence {
  credentialId: string;
  challenge: string;
  authenticatorData: string;
  clientDataJson: string;
  signature: string;
}

export type AlertCommand =
  | {
      type: "create";
      actor: Actor;
      exercise: boolean;
      content: AlertContent;
      file?: JudicialFileInput;
      /** Issue 29: a search notice (with its initiative), or a Child Alert (the default). */
      kind?: AlertKind;
      initiative?: Initiative;
      /** Escalated from a search notice, or continued from an ended Child Alert (the content carried over). */
      /** Escalated or continued from another alert of the same case: its people come along (magistrate in charge, investigators). */
      origin?: { alertId: string; how: "escalated" | "continued"; members?: CaseMembers };
      /** A drill's exercise alert (issue 27): run by those the route lets run drills (drill.run), not only the drafters. */
      drill?: true;
    }
  /** Issue 29: the magistrate asks for a search notice on the social networks (§2.3.3.1), before it is published. */
  | { type: "requestSocial"; actor: Actor }
  | { type: "edit"; actor: Actor; content: AlertContent }
  | { type: "submit"; actor: Actor }
  | {
      type: "signOff";
      actor: Actor;
      kind: SignOffKind;
      versionId: string;
      contentHash: string;
      evidence: SignOffEvidence;
      decision?: SignOffDecision;
    }
  | { type: "consent"; actor: Actor; basis: ConsentBasis; note?: string }
  | { type: "object"; actor: Actor; kind: ObjectionKind; reason: string }
  | { type: "lift"; actor: Actor; objectionId: string }
  | { type: "launch"; actor: Actor }
  | { type: "stop"; actor: Actor; reason: StopReason }
  | { type: "extend"; actor: Actor }
  | { type: "cancel"; actor: Actor }
  /** The case's people (domain/case.ts): name an investigator or the magistrate in charge, or remove an investigator. */
  | { type: "assign"; actor: Actor; change: Assignment }
  /** The judicial file (domain/file.ts): its PV number before submission; whom the magistrate in charge closes it to. */
  | { type: "file"; actor: Actor; file: JudicialFileInput }
  | { type: "closeFile"; actor: Actor; closedTo: string[] }
  /** Protocol §2.3.3.4: a foreign organisation asks for the posters; granted once the federal prosecutor's office and the cell are informed. */
  | { type: "foreignRequest"; actor: Actor; requestId: string; organisation: string; country: string }
  | { type: "grantForeign"; actor: Actor; requestId: string }
  /** System commands, from the Durable Object's alarm (or the cron safety net). */
  | { type: "tick" };

/** Timers the Durable Object must hold after a command (absolute ISO times; null clears). */
export interface Timers {
  review?: string | null;
  expiry?: string | null;
  purge?: string | null;
}

/** Background work a command asks for once it has committed (sent to the FANOUT queue). */
export type Job =
  | { type: "render_posters"; alertId: string; versionId: string }
  | { type: "mail_notices"; alertId: string }
  | { type: "anchor_audit"; reason: string };

/** A broadcast just recorded, with what it is made of (so planning it right away reads nothing again). */
export interface RecordedBroadcast {
  intent: BroadcastIntent;
  source: BroadcastSource;
}

export interface CommandResult {
  alertId: string;
  state: AlertState;
  versionId?: string;
  contentHash?: string;
  endsAt?: string | null;
  timers?: Timers;
  jobs?: Job[];
  /** Broadcasts recorded in the outbox with this command's commit. */
  broadcasts?: RecordedBroadcast[];
  changed: boolean;
}

export interface CommandContext {
  db: Db;
  media: R2Bucket;
  retentionHours: number;
  /** Hours without activity before an unfinished alert is purged (rule 14). */
  inactiveRetentionHours: number;
  now: Date;
  /**
   * Called once the rules have accepted ending a live alert (stop, expiry), before the
   * commit: the alert's object closes the stop fence there. Returns when the end takes effect.
   */
  beforeEndingLive?: () => Promise<Date>;
  /** What the command recorded that needs work once committed (shared by copies of the context). */
  after?: { mailNotices: boolean };
}
