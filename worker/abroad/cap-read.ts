// What a peer's CAP message says (issue 28, inbound), read from its verified <alert>
// (abroad/cap-verify.ts) and bounded like any input: the fields the cell needs to decide
// whether to relay — the message's identity and type, and per language the headline,
// description, instruction, area and web page. Nothing else of the message is kept.
import { z } from "zod";
import { CAP_NS, childrenNamed } from "./cap-verify.ts";

const line = (max: number) => z.string().trim().max(max).optional();

export const PeerInfo = z
  .object({
    language: z.string().trim().min(1).max(35),
    event: line(200),
    headline: line(300),
    description: line(4000),
    instruction: line(1000),
    areaDesc: line(1000),
    web: line(500),
    onset: line(40),
    expires: line(40),
  })
  .strict();
export type PeerInfo = z.infer<typeof PeerInfo>;

export const PeerCap = z
  .object({
    identifier: z.string().trim().min(1).max(200),
    sender: z.string().trim().min(1).max(200),
    sent: z.string().trim().min(1).max(40),
    status: z.enum(["Actual", "Exercise"], { error: "only Actual or Exercise messages are requests to relay (not System, Test or Draft)" }),
    msgType: z.enum(["Alert", "Update", "Cancel"], { error: "Alert, Update or Cancel" }),
    /** The earlier messages' identifiers this one refers to (CAP `references`: sender,identifier,sent …). */
    references: z.array(z.string().max(200)).max(100),
    infos: z.array(PeerInfo).max(10),
  })
  .strict();
export type PeerCap = z.infer<typeof PeerCap>;

const text = (el: Element, name: string): string | undefined => {
  const found = childrenNamed(el, CAP_NS, name)[0];
  return found ? (found.textContent ?? "").trim() || undefined : undefined;
};

/** The message's fields; a zod error when one is missing or out of bounds. */
export function readPeerCap(alert: Element): PeerCap {
  const infos = childrenNamed(alert, CAP_NS, "info").map((info) => ({
    language: text(info, "language") ?? "en-US", // CAP 1.2: en-US when absent
    event: text(info, "event"),
    headline: text(info, "headline"),
    description: text(info, "description"),
    instruction: text(info, "instruction"),
    areaDesc:
      childrenNamed(info, CAP_NS, "area")
        .map((a) => text(a, "areaDesc"))
        .filter(Boolean)
        .join("; ") || undefined,
    web: text(info, "web"),
    onset: text(info, "onset") ?? text(info, "effective"),
    expires: text(info, "expires"),
  }));
  return PeerCap.parse({
    identifier: text(alert, "identifier"),
    sender: text(alert, "sender"),
    sent: text(alert, "sent"),
    status: text(alert, "status"),
    msgType: text(alert, "msgType"),
    references: (text(alert, "references") ?? "")
      .split(/\s+/)
      .filter(Boolean)
      .map((r) => r.split(",")[1] ?? r),
    infos,
  });
}
