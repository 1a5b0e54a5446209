// The people of a case (issue 23: the case has members, named). An alert names its
// magistrate in charge and its investigators. They alone read its tips (with the callers'
// contact details) and give the investigators' sign-off; the magistrate in charge alone
// authorises, opposes, and — with the one who raised it — lifts an opposition. The cell,
// which coordinates, assigns them (the magistrate in charge too); a magistrate may take
// charge of a case that has none, and hands it over explicitly. Every change is audited.
import { AppError } from "../errors.ts";
import type { Role } from "./roles.ts";

export interface CaseMembers {
  magistrate: string | null;
  investigators: readonly string[];
}

export const NO_MEMBERS: CaseMembers = { magistrate: null, investigators: [] };

/** The roles a case names its people in. */
export const MEMBER_ROLES = ["magistrate", "investigator"] as const satisfies readonly Role[];
export type MemberRole = (typeof MEMBER_ROLES)[number];

export const isMagistrateInCharge = (m: CaseMembers, userId: string) => m.magistrate === userId;
export const isCaseInvestigator = (m: CaseMembers, userId: string) => m.investigators.includes(userId);

/** The magistrate's decisions on a case are the magistrate in charge's. */
export function checkMagistrateInCharge(m: CaseMembers, actor: { userId: string; role: Role }, what: string): void {
  if (actor.role !== "magistrate") return;
  if (!m.magistrate) throw new AppError("E_NOT_ON_CASE", `no magistrate is in charge of this alert yet: take charge of it first, then ${what}`);
  if (m.magistrate !== actor.userId) throw new AppError("E_NOT_ON_CASE", `only the magistrate in charge of this alert may ${what}`);
}

/** The investigators' part of a case is its named investigators'. */
export function checkCaseInvestigator(m: CaseMembers, actor: { userId: string; role: Role }, what: string): void {
  if (actor.role !== "investigator") return;
  if (!m.investigators.includes(actor.userId)) throw new AppError("E_NOT_ON_CASE", `only the investigators named on this alert may ${what}`);
}

export type Assignment = { type: "add"; userId: string; role: MemberRole } | { type: "remove"; userId: string };

/**
 * Who may change a case's people, and what the change is. Returns the members after it.
 * - investigators are named (or removed) by the cell or the magistrate in charge;
 * - a magistrate takes charge of a case without one (themself, or named by the cell);
 *   one in charge is replaced only by a hand-over from the cell or from themself;
 * - the magistrate in charge is never removed, only handed over.
 */
export function checkAssignment(
  m: CaseMembers,
  actor: { userId: string; role: Role },
  change: Assignment,
  target: { role: Role; active: boolean; drillSeat?: boolean } | null,
  alert: { exercise: boolean } = { exercise: false },
): CaseMembers {
  const coordinator = actor.role === "cell" || (actor.role === "magistrate" && m.magistrate === actor.userId);
  if (change.type === "remove") {
    if (change.userId === m.magistrate) throw new AppError("E_RULE", "the magistrate in charge is not removed: hand the case over to another magistrate");
    if (!m.investigators.includes(change.userId)) throw new AppError("E_NOT_FOUND", "this person is not on the case");
    if (!coordinator) throw new AppError("E_FORBIDDEN_ROLE", "the cell or the magistrate in charge changes the case's investigators");
    return { ...m, investigators: m.investigators.filter((i) => i !== change.userId) };
  }
  // A drill seat (domain/drill.ts) is never named on a real case: for it a real alert does not exist.
  if (!target || !target.active || (target.drillSeat && !alert.exercise)) throw new AppError("E_NOT_FOUND", "no such active staff member");
  if (target.role !== change.role) throw new AppError("E_RULE", `this person is not a${change.role === "investigator" ? "n" : ""} ${change.role}`);
  if (change.role === "investigator") {
    if (!coordinator) throw new AppError("E_FORBIDDEN_ROLE", "the cell or the magistrate in charge names the case's investigators");
    if (m.investigators.includes(change.userId)) return m;
    return { ...m, investigators: [...m.investigators, change.userId] };
  }
  if (m.magistrate === change.userId) return m;
  const takingCharge = !m.magistrate && actor.role === "magistrate" && actor.userId === change.userId;
  if (!takingCharge && !coordinator) {
    throw new AppError("E_FORBIDDEN_ROLE", m.magistrate ? "the case is handed over by the cell or by the magistrate in charge" : "the cell names the magistrate in charge, or a magistrate takes charge themself");
  }
  return { ...m, magistrate: change.userId };
}
