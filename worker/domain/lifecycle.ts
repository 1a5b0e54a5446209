// The alert lifecycle and the concertation rules of DOMAIN.md, as pure functions over
// a snapshot. The alert's Durable Object loads a snapshot, asks these functions, and
// writes what they decide; nothing here does I/O.
import { AppError } from "../errors.ts";
import { type CaseMembers, checkCaseInvestigator, checkMagistrateInCharge, isMagistrateInCharge } from "./case.ts";
import { type AlertContent, assertTranslated } from "./content.ts";
import { checkFileNamed, type JudicialFile } from "./file.ts";
import { type AlertKind, needsLaunchCriteria } from "./kinds.ts";
import type { Role } from "./roles.ts";

export const STATES = ["draft", "concertation", "authorised", "live", "stopped", "cancelled", "blocked", "purged"] as const;
export type AlertState = (typeof STATES)[number];

export const SIGN_OFF_KINDS = ["investigator", "cell", "operator", "authorisation", "accompanying_person"] as const;
export type SignOffKind = (typeof SIGN_OFF_KINDS)[number];

/** Who gives each signature. The magistrate's authorisation is the decisive, last one. */
export const SIGN_OFF_ROLE: Record<SignOffKind, Role> = {
  investigator: "investigator",
  cell: "cell",
  operator: "operator",
  authorisation: "magistrate",
  accompanying_person: "magistrate",
};

/**
 * The seat a sign-off takes in the decision: each concertation party is one seat, the
 * magistrate's authorisation and its accompanying-person part are the magistrate's seat.
 * One person holds at most one seat per alert, whatever roles they are given meanwhile:
 * the concertation is between different people (rule 2).
 */
export const SIGN_OFF_SEAT: Record<SignOffKind, string> = {
  investigator: "investigator",
  cell: "cell",
  operator: "operator",
  authorisation: "magistrate",
  accompanying_person: "magistrate",
};

/** The concertation that must precede the magistrate's authorisation (rule 2). */
export const CONCERTATION_KINDS = ["investigator", "cell", "operator"] as const satisfies readonly SignOffKind[];

export const CONSENT_BASES = ["parental_consent", "magistrate_requisition", "operator_danger_assessment"] as const;
export type ConsentBasis = (typeof CONSENT_BASES)[number];

/** Rule 3: who may record each of the three ways the parents' side is satisfied. */
export const CONSENT_RECORDER: Record<ConsentBasis, readonly Role[]> = {
  parental_consent: ["counsellor", "operator"],
  magistrate_requisition: ["magistrate"],
  operator_danger_assessment: ["operator"],
};

export const OBJECTION_KINDS = ["operator_refusal", "magistrate_opposition"] as const;
export type ObjectionKind = (typeof OBJECTION_KINDS)[number];
export const OBJECTION_ROLE: Record<ObjectionKind, Role> = {
  operator_refusal: "operator",
  magistrate_opposition: "magistrate",
};

export const STOP_REASONS = ["found_safe", "found_other", "withdrawn", "expired"] as const;
/** "expired" is the system's (the end of the alert's time), never a person's choice. */
export const STAFF_STOP_REASONS = ["found_safe", "found_other", "withdrawn"] as const satisfies readonly (typeof STOP_REASONS)[number][];
export type StopReason = (typeof STOP_REASONS)[number];

/** Minimum length of written reasons/assessments: a word or two is not a reason. */
export const MIN_WRITTEN_REASON = 10;
export const MIN_RISK_ASSESSMENT = 20;

/** The launch checklist shown to the magistrate (DOMAIN "Typical criteria to launch"). */
export const CRITERIA = ["minorOrProtected", "immediateDanger", "enoughInformation", "broadcastNotRiskier"] as const;
export type Criteria = Record<(typeof CRITERIA)[number], boolean>;

export interface VersionView {
  id: string;
  number: number;
  contentHash: string;
  content: AlertContent | null;
}

export interface SignOffView {
  kind: SignOffKind;
  versionId: string;
  contentHash: string;
  userId: string;
  voided: boolean;
}

export interface ObjectionView {
  id: string;
  kind: ObjectionKind;
  lifted: boolean;
  /** Who raised it: they (or, for an opposition, the magistrate in charge) lift it. */
  raisedBy: string;
  /** The state the alert was in when it was blocked (null: recorded before this was kept). */
  fromState?: AlertState | null;
}

export interface AlertSnapshot {
  id: string;
  /** A Child Alert, or a search notice (issue 29: domain/kinds.ts). */
  kind: AlertKind;
  /** A search notice's social networks, at the magistrate's request (§2.3.3.1). */
  socialRequested: boolean;
  state: AlertState;
  exercise: boolean;
  current: VersionView | null;
  pending: VersionView | null;
  signOffs: SignOffView[];
  consents: ConsentBasis[];
  objections: ObjectionView[];
  launchedAt: string | null;
  endsAt: string | null;
  extensions: number;
  /** The case's named people (domain/case.ts). */
  members: CaseMembers;
  /** The judicial file: its PV number, and whom the magistrate closed it to (domain/file.ts). */
  file: JudicialFile;
}

/** Every allowed state change; anything else is E_INVALID_TRANSITION. */
// "→ purged" before launch: the system's purge of an unfinished alert left without activity (rule 14).
const TRANSITIONS: Record<AlertState, readonly AlertState[]> = {
  draft: ["concertation", "cancelled", "blocked", "purged"],
  concertation: ["authorised", "blocked", "cancelled", "concertation", "purged"],
  authorised: ["live", "concertation", "blocked", "cancelled", "purged"],
  // Lifted: back to concertation — or to draft, for a draft blocked before it was ever submitted.
  blocked: ["concertation", "draft", "cancelled", "blocked", "purged"],
  live: ["live", "stopped"],
  stopped: ["purged"],
  cancelled: ["purged"],
  purged: [],
};

export function canTransition(from: AlertState, to: AlertState): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: AlertState, to: AlertState): void {
  if (!canTransition(from, to)) {
    throw new AppError("E_INVALID_TRANSITION", `an alert in state "${from}" cannot become "${to}"`);
  }
}

/** Sign-offs that still count: on this version, on its current hash, not voided. */
export function validSignOffs(s: AlertSnapshot, version: VersionView | null): SignOffView[] {
  if (!version) return [];
  return s.signOffs.filter((o) => o.versionId === version.id && o.contentHash === version.contentHash && !o.voided);
}

export function hasSignOff(s: AlertSnapshot, version: VersionView | null, kind: SignOffKind): boolean {
  return validSignOffs(s, version).some((o) => o.kind === kind);
}

export function openObjections(s: AlertSnapshot): ObjectionView[] {
  return s.objections.filter((o) => !o.lifted);
}

export function consentSettled(s: AlertSnapshot): boolean {
  return s.consents.length > 0;
}

/** The version the next signature applies to: the pending update while live, else the current one. */
export function versionUnderReview(s: AlertSnapshot): VersionView | null {
  return s.state === "live" ? s.pending : s.current;
}

/** Why a launch is refused now, the first reason first: what the dashboard shows beside the disabled button. */
export const LAUNCH_BLOCKERS = ["state", "objections", "sign_offs", "consent", "authorisation"] as const;
export type LaunchBlocker = (typeof LAUNCH_BLOCKERS)[number];

export interface Readiness {
  /** The first thing that stands between this alert and its launch (null: it may be launched, or is past that). */
  launchBlocker: LaunchBlocker | null;
  missingSignOffs: SignOffKind[];
  consentSettled: boolean;
  openObjections: ObjectionKind[];
  authorised: boolean;
  canLaunch: boolean;
  /** What the dashboard says about who is waiting on whom. */
  waitingOn: Role[];
}

export function readiness(s: AlertSnapshot): Readiness {
  const v = versionUnderReview(s);
  const live = s.state === "live";
  const required: SignOffKind[] = live ? ["authorisation"] : [...CONCERTATION_KINDS, "authorisation"];
  const missing = required.filter((k) => !hasSignOff(s, v, k));
  const objections = openObjections(s).map((o) => o.kind);
  const consent = consentSettled(s);
  let waitingOn: Role[] = [];
  if (s.state === "draft") waitingOn = ["cell", "investigator"]; // the drafters submit it first
  else if (s.state === "authorised") waitingOn = ["cell", "operator"]; // the launch
  else if (s.state === "blocked") waitingOn = [...new Set(objections.map((k) => OBJECTION_ROLE[k]))]; // to lift their objection
  else if (s.state === "concertation" || (live && v)) {
    const w = new Set<Role>(missing.map((k) => SIGN_OFF_ROLE[k]));
    if (!consent && !live) w.add("counsellor");
    waitingOn = [...w];
  }
  const authorised = hasSignOff(s, s.current, "authorisation");
  const canLaunch = s.state === "authorised" && authorised && consent && objections.length === 0;
  return {
    launchBlocker: launchBlocker(s, { missing, objections, consent, authorised, canLaunch }),
    missingSignOffs: missing,
    consentSettled: consent,
    openObjections: objections,
    authorised,
    canLaunch,
    waitingOn,
  };
}

function launchBlocker(
  s: AlertSnapshot,
  r: { missing: SignOffKind[]; objections: ObjectionKind[]; consent: boolean; authorised: boolean; canLaunch: boolean },
): LaunchBlocker | null {
  if (s.state === "live" || ENDED_STATES.includes(s.state)) return null;
  if (s.state === "draft") return "state";
  if (r.objections.length) return "objections";
  if (r.missing.some((k) => k !== "authorisation")) return "sign_offs";
  if (!r.consent) return "consent";
  if (!r.authorised) return "authorisation";
  return r.canLaunch ? null : "state";
}

// ---------------------------------------------------------------- commands

export type EditOutcome = { kind: "unchanged" } | { kind: "new_version"; nextState: AlertState; asPending: boolean };

/**
 * Saving content. Before launch the new version replaces the current one and, since
 * sign-offs are bound to the old hash, every sign-off stops counting (rule 2): an
 * authorised alert falls back to concertation. While live the new version waits as
 * `pending` for the magistrate's authorisation (rule 11) and the published one stays.
 */
export function decideEdit(s: AlertSnapshot, newHash: string, content: AlertContent): EditOutcome {
  assertEditable(s.state);
  const compareTo = s.state === "live" ? (s.pending ?? s.current) : s.current;
  if (compareTo && compareTo.contentHash === newHash) return { kind: "unchanged" };
  // Once submitted, every version is whole in every targeted language (signers approve them all).
  if (s.state !== "draft") assertTranslated(content);
  if (s.state === "live") return { kind: "new_version", nextState: "live", asPending: true };
  const nextState: AlertState = s.state === "authorised" ? "concertation" : s.state;
  return { kind: "new_version", nextState, asPending: false };
}

/** States in which content (texts, photos) may still change. */
export const EDITABLE_STATES: readonly AlertState[] = ["draft", "concertation", "authorised", "blocked", "live"];

/** Before the launch: the parents' side is recorded, the alert may be abandoned, the launch is still ahead. */
export const PRE_LAUNCH_STATES: readonly AlertState[] = ["draft", "concertation", "authorised", "blocked"];

/** Over: nothing more is decided or published. */
export const ENDED_STATES: readonly AlertState[] = ["stopped", "cancelled", "purged"];

export function assertEditable(state: AlertState): void {
  if (!EDITABLE_STATES.includes(state)) {
    throw new AppError("E_INVALID_TRANSITION", `an alert in state "${state}" cannot be edited`);
  }
}

export function decideSubmit(s: AlertSnapshot): AlertState {
  assertTransition(s.state, "concertation");
  if (s.state !== "draft") throw new AppError("E_INVALID_TRANSITION", "only a draft is submitted for concertation");
  if (s.current?.content) assertTranslated(s.current.content);
  // Rule 11: signers compare the alert with the judicial file, so the file is named first.
  checkFileNamed(s.file);
  return "concertation";
}

/** What the magistrate writes with a signature: the decision (authorisation) or the terms (accompanying person). */
export interface SignOffDecision {
  criteria?: Partial<Criteria>;
  riskAssessment?: string;
  terms?: string;
}

/**
 * May this signature be given now? Concertation sign-offs are given during
 * concertation; the authorisation is the last signature and needs the concertation,
 * the parents' side settled, no objection, the criteria met and a written risk
 * assessment (rules 1–5). While live, the authorisation approves a pending update.
 */
export function checkSignOff(
  s: AlertSnapshot,
  kind: SignOffKind,
  signer: { userId: string; role: Role },
  decision?: SignOffDecision,
): { version: VersionView } {
  if (SIGN_OFF_ROLE[kind] !== signer.role) {
    throw new AppError("E_FORBIDDEN_ROLE", `the "${kind}" sign-off is given by the ${SIGN_OFF_ROLE[kind]}`);
  }
  checkOneSeat(s, kind, signer.userId);
  checkCaseInvestigator(s.members, signer, "give the investigators' sign-off");
  checkMagistrateInCharge(s.members, signer, kind === "authorisation" ? "authorise it" : "authorise its accompanying-person section");
  const version = versionUnderReview(s);
  if (s.state === "live") {
    if (!version) throw new AppError("E_INVALID_TRANSITION", "no pending update to authorise");
    if (kind !== "authorisation" && kind !== "accompanying_person") {
      throw new AppError("E_INVALID_TRANSITION", "an update needs only the magistrate's authorisation");
    }
  } else if (s.state === "authorised" && kind === "accompanying_person") {
    // allowed: the magistrate may add the section's authorisation before launch
  } else if (s.state !== "concertation") {
    throw new AppError("E_INVALID_TRANSITION", `sign-offs are given during concertation, not in state "${s.state}"`);
  }
  if (!version || !version.content) throw new AppError("E_INVALID_TRANSITION", "the alert has no content to sign");
  if (hasSignOff(s, version, kind)) throw new AppError("E_ALREADY_SIGNED", `"${kind}" is already signed for this version`);
  // Whatever path the version took here (a blocked draft lifted back into concertation was
  // never submitted), no one signs a text that a targeted language lacks (issue 24).
  assertTranslated(version.content);

  if (kind === "accompanying_person") {
    if (!version.content.accompanyingPerson) {
      throw new AppError("E_RULE", "this version has no accompanying-person section to authorise");
    }
    if ((decision?.terms ?? "").trim().length < MIN_WRITTEN_REASON) {
      throw new AppError("E_RULE", "the magistrate sets the terms of publication in writing (rule 6)");
    }
  }
  if (kind === "authorisation") {
    if (s.state !== "live") {
      const missing = CONCERTATION_KINDS.filter((k) => !hasSignOff(s, version, k));
      if (missing.length > 0) {
        throw new AppError("E_SIGNOFFS_PENDING", `missing sign-offs: ${missing.join(", ")}`, { missing });
      }
    }
    if (!consentSettled(s)) throw new AppError("E_CONSENT_MISSING");
    if (openObjections(s).length > 0) throw new AppError("E_BLOCKED");
    checkDecision(decision, s.kind);
  }
  return { version };
}

/** One person, one seat per alert: any sign-off they gave (any version, even voided) in another seat refuses this one. */
export function checkOneSeat(s: AlertSnapshot, kind: SignOffKind, userId: string): void {
  const other = s.signOffs.find((o) => o.userId === userId && SIGN_OFF_SEAT[o.kind] !== SIGN_OFF_SEAT[kind]);
  if (other) {
    throw new AppError("E_ONE_SEAT", `you already signed this alert as "${SIGN_OFF_SEAT[other.kind]}"; the "${SIGN_OFF_SEAT[kind]}" sign-off must come from someone else`);
  }
}

export function checkDecision(decision: SignOffDecision | undefined, kind: AlertKind = "child_alert"): void {
  // A search notice's evaluation (§2.3.3.1: its opportunity and its terms) is written; the four launch criteria are the Child Alert's.
  if (!needsLaunchCriteria(kind)) {
    if ((decision?.riskAssessment ?? "").trim().length < MIN_RISK_ASSESSMENT) {
      throw new AppError("E_RULE", `the magistrate's evaluation of the search notice must be written out (at least ${MIN_RISK_ASSESSMENT} characters)`);
    }
    return;
  }
  if (!decision?.criteria) throw new AppError("E_RULE", "the authorisation needs the criteria checklist and a risk assessment");
  const criteria = decision.criteria;
  const unmet = CRITERIA.filter((c) => criteria[c] !== true);
  if (unmet.length > 0) {
    throw new AppError("E_CRITERIA_NOT_MET", `criteria not met: ${unmet.join(", ")}`, { unmet });
  }
  if ((decision.riskAssessment ?? "").trim().length < MIN_RISK_ASSESSMENT) {
    throw new AppError("E_RULE", `the risk assessment must be written out (at least ${MIN_RISK_ASSESSMENT} characters)`);
  }
}

/** After a signature: the authorisation moves concertation → authorised, or publishes a live update. */
export function stateAfterSignOff(s: AlertSnapshot, kind: SignOffKind): { state: AlertState; publishPending: boolean } {
  if (kind !== "authorisation") return { state: s.state, publishPending: false };
  if (s.state === "live") return { state: "live", publishPending: true };
  return { state: "authorised", publishPending: false };
}

export function checkConsent(s: AlertSnapshot, basis: ConsentBasis, role: Role, note: string | undefined): void {
  if (!PRE_LAUNCH_STATES.includes(s.state)) {
    throw new AppError("E_INVALID_TRANSITION", `the parents' side is recorded before launch, not in state "${s.state}"`);
  }
  if (!CONSENT_RECORDER[basis].includes(role)) {
    throw new AppError("E_FORBIDDEN_ROLE", `"${basis}" is recorded by: ${CONSENT_RECORDER[basis].join(", ")}`);
  }
  if (basis === "operator_danger_assessment" && (note ?? "").trim().length < MIN_RISK_ASSESSMENT) {
    throw new AppError("E_RULE", "the operator's danger assessment must be written (rule 3)");
  }
}

export function checkObjection(s: AlertSnapshot, kind: ObjectionKind, actor: { userId: string; role: Role }, reason: string): AlertState {
  if (OBJECTION_ROLE[kind] !== actor.role) {
    throw new AppError("E_FORBIDDEN_ROLE", `a ${kind.replace("_", " ")} is made by the ${OBJECTION_ROLE[kind]}`);
  }
  checkMagistrateInCharge(s.members, actor, "oppose it");
  if (reason.trim().length < MIN_WRITTEN_REASON) {
    throw new AppError("E_RULE", "a refusal or opposition needs a written reason (rule 4)");
  }
  if (s.state === "live") {
    throw new AppError("E_INVALID_TRANSITION", "the alert is live: use the stop command");
  }
  assertTransition(s.state, "blocked");
  return "blocked";
}

export function checkLiftObjection(s: AlertSnapshot, objection: ObjectionView, actor: { userId: string; role: Role }): AlertState {
  if (OBJECTION_ROLE[objection.kind] !== actor.role) {
    throw new AppError("E_FORBIDDEN_ROLE", `only the ${OBJECTION_ROLE[objection.kind]} lifts a ${objection.kind}`);
  }
  // Its author lifts it; an opposition, the magistrate in charge too (a hand-over must not leave the case blocked).
  const author = objection.raisedBy === actor.userId;
  const inCharge = objection.kind === "magistrate_opposition" && isMagistrateInCharge(s.members, actor.userId);
  if (!author && !inCharge) {
    throw new AppError("E_NOT_ON_CASE", objection.kind === "magistrate_opposition" ? "only the magistrate who opposed, or the magistrate in charge, lifts this opposition" : "only the operator who refused lifts this refusal");
  }
  if (objection.lifted) throw new AppError("E_INVALID_TRANSITION", "this objection is already lifted");
  const remaining = openObjections(s).filter((o) => o.id !== objection.id);
  if (remaining.length > 0) return "blocked";
  if (s.state !== "blocked") return s.state;
  // A draft blocked before it was submitted goes back to draft: it is submitted (and its
  // translations checked) like any other, never slipped into concertation (issue 24).
  const blockedFrom = s.objections.map((o) => o.fromState).filter((f) => f && f !== "blocked");
  return blockedFrom.length > 0 && blockedFrom.every((f) => f === "draft") ? "draft" : "concertation";
}

/** Rule 1–4 at the moment of launch: every check is repeated, nothing is trusted from earlier. */
export function checkLaunch(s: AlertSnapshot): void {
  if (s.state === "live") throw new AppError("E_INVALID_TRANSITION", "the alert is already live");
  if (openObjections(s).length > 0) throw new AppError("E_BLOCKED");
  assertTransition(s.state, "live");
  if (!hasSignOff(s, s.current, "authorisation")) throw new AppError("E_NOT_AUTHORISED");
  const missing = CONCERTATION_KINDS.filter((k) => !hasSignOff(s, s.current, k));
  if (missing.length > 0) throw new AppError("E_SIGNOFFS_PENDING", `missing sign-offs: ${missing.join(", ")}`, { missing });
  if (!consentSettled(s)) throw new AppError("E_CONSENT_MISSING");
  // And nothing goes out with a targeted language missing, whatever path led here.
  if (s.current?.content) assertTranslated(s.current.content);
}

/**
 * What a stop ends the alert as: a live alert is stopped (found, withdrawn, expired); an
 * authorised one that has not gone out is withdrawn before its launch — DOMAIN.md's
 * cancel (nothing to retract). The stop button works on both; it never fails for a
 * reason other than the state, so it always wins over a launch not yet committed.
 */
export function stopEndsAs(state: AlertState): "stopped" | "cancelled" {
  return state === "authorised" ? "cancelled" : "stopped";
}

export function checkStop(s: AlertSnapshot, reason: StopReason): "stopped" | "cancelled" {
  if (s.state === "stopped") throw new AppError("E_INVALID_TRANSITION", "the alert is already stopped");
  if (reason === "expired" && s.state !== "live") throw new AppError("E_INVALID_TRANSITION", "only a live alert expires");
  const to = stopEndsAs(s.state);
  assertTransition(s.state, to);
  return to;
}

export function checkCancel(s: AlertSnapshot): void {
  assertTransition(s.state, "cancelled");
}

/** Only a live alert is extended (DOMAIN "Duration"). */
export function checkExtend(s: AlertSnapshot, launchedAt: string | null): { launchedAt: Date; endsAt: Date } {
  if (s.state !== "live" || !launchedAt || !s.endsAt) {
    throw new AppError("E_INVALID_TRANSITION", `only a live alert is extended, not one in state "${s.state}"`);
  }
  return { launchedAt: new Date(launchedAt), endsAt: new Date(s.endsAt) };
}

/**
 * Rule 6: the accompanying-person section is published only when the magistrate's
 * separate authorisation signed this exact version; otherwise it is removed from
 * everything any channel receives.
 */
export function publishableContent(s: AlertSnapshot, version: VersionView): AlertContent | null {
  if (!version.content) return null;
  if (!version.content.accompanyingPerson) return version.content;
  if (hasSignOff(s, version, "accompanying_person")) return version.content;
  const { accompanyingPerson: _withheld, ...rest } = version.content;
  return rest as AlertContent;
}

/** What the public page (and every pull surface) shows of an alert. */
export type PublicFace = "alert" | "found" | "ended" | "none";

/**
 * Rule 12 and the protocol's "the public sees an alert only once launched": the content
 * while live; after a launched alert ends, only "found — thank you" or "the alert has
 * ended" (no name, no photo); nothing at all for an alert that never went out, even
 * after it was stopped, cancelled or purged.
 */
export function publicFace(a: { state: AlertState; launchedAt: string | null; stopReason: string | null }): PublicFace {
  if (a.state === "live") return "alert";
  if (!a.launchedAt || !ENDED_STATES.includes(a.state)) return "none";
  return a.stopReason === "found_safe" ? "found" : "ended";
}
