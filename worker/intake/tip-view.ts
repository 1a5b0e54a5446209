// A tip as its readers see it: the API's schema and the live feed's message. A leaf
// module: the alert's object (which forwards tips to screens) and the intake (which
// records them) both name it without importing each other.
import { z } from "@hono/zod-openapi";
import { TIP_ASSESSMENTS } from "../domain/index.ts";

/** A tip as its readers see it (the API's schema and the live feed's message). */
export const TipSchema = z
  .object({
    id: z.string(),
    alertId: z.string(),
    source: z.enum(["web", "call"]),
    receivedAt: z.string(),
    urgent: z.boolean(),
    text: z.string().nullable(),
    seenWhere: z.string().nullable(),
    seenAt: z.string().nullable(),
    anonymous: z.boolean(),
    contact: z.object({ name: z.string().nullable(), phone: z.string().nullable(), email: z.string().nullable() }).nullable(),
    recording: z.enum(["given", "refused"]).nullable(),
    assessment: z.enum(TIP_ASSESSMENTS).nullable(),
    photoUrl: z.string().nullable().describe("the photo sent with a web tip (staff route), or null"),
    takenBy: z.string().nullable(),
    forwardedAt: z.string().nullable(),
    ackedAt: z.string().nullable(),
    ackedBy: z.string().nullable(),
    useful: z.boolean().nullable(),
    escalation: z.number().int(),
    challenge: z.enum(["passed", "unverified"]).nullable().describe("a web tip's anti-abuse check: unverified when it could not be run (the tip is kept)"),
  })
  .openapi("Tip");
export type TipView = z.infer<typeof TipSchema>;
