// The judicial file (issue 24.5; protocol §2.3.1 and §2.2.6). An alert belongs to a case
// whose police report (PV) number the drafters give before submission: rule 11 says the
// published data stays identical to the judicial file, and every signer sees which file
// (and which magistrate in charge) they sign against. The number is fixed once the alert
// is submitted — it is what every sign-off was given against. For the secrecy of the
// investigation, the magistrate in charge may close the file to the roles that do not
// sign (the family's counsellor, …): they then read nothing of it; the counsellor still
// records the parents' consent, which needs no reading of the file.
import { z } from "zod";
import { AppError } from "../errors.ts";
import { mayDo, ROLES, type Role } from "./roles.ts";

/** A PV number as the police write it ("BR.12.L1.012345/2026", "NA.55.LL.4521/26"): letters, digits and . / - and spaces. */
export const PvNumber = z
  .string()
  .trim()
  .min(4, "the PV number is at least 4 characters")
  .max(40, "the PV number is at most 40 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9./ -]*$/, "a PV number has letters, digits, dots, slashes, dashes and spaces only");

export const JudicialFileInput = z
  .object({
    pvNumber: PvNumber,
    magistrateRef: z.string().trim().min(1).max(60).regex(/^[^\u0000-\u001f<>]*$/, "no control characters or angle brackets").optional(),
  })
  .strict();
export type JudicialFileInput = z.infer<typeof JudicialFileInput>;

export interface JudicialFile {
  pvNumber: string | null;
  magistrateRef: string | null;
  /** The non-signing roles the magistrate in charge closed the file to. */
  closedTo: readonly Role[];
}

export const NO_FILE: JudicialFile = { pvNumber: null, magistrateRef: null, closedTo: [] };

/** The roles that read the file without signing it: the only ones it may be closed to. */
export const CLOSABLE_ROLES: readonly Role[] = ROLES.filter((r) => mayDo(r, "alert.read") && !mayDo(r, "alert.signOff"));

/** Rule 11 has something to check against only once the file is named. */
export function checkFileNamed(file: JudicialFile): void {
  if (!file.pvNumber) throw new AppError("E_PV_MISSING", "give the police report (PV) number of the case before submitting the alert");
}

/** A role the file is closed to reads nothing of it. */
export function checkFileOpenTo(file: Pick<JudicialFile, "closedTo">, role: Role): void {
  if (file.closedTo.includes(role)) throw new AppError("E_FILE_CLOSED", "the magistrate in charge has closed this alert's file to your role (secrecy of the investigation)");
}

/** Which roles the file may be closed to: non-signing ones only — a signer must read what it signs. */
export function checkClosable(roles: readonly string[]): Role[] {
  const wrong = roles.filter((r) => !(CLOSABLE_ROLES as readonly string[]).includes(r));
  if (wrong.length) throw new AppError("E_RULE", `the file can be closed only to roles that do not sign it (${CLOSABLE_ROLES.join(", ")}), not to ${wrong.join(", ")}`);
  return [...new Set(roles)] as Role[];
}
