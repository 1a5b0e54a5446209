// One MIME build per language and page, not one per recipient: the message (text and HTML
// as quoted-printable, the inline poster as base64) is built once by nodemailer's own
// composer with placeholders, and each recipient's copy swaps in its address, message id
// and unsubscribe link. Building a message with a ~100 KB inline poster costs ~20 ms of
// CPU in workerd; a copy costs a few string replacements. WireTemplate goes one step further
// for the fan-out: the template is also put in SMTP's DATA form once (dot-stuffing), cut at
// its placeholders, and each recipient's message is the static bytes with the values in
// between — no scan of the ~80 KB per recipient, by us or by the SMTP connection.
import MailComposer from "nodemailer/lib/mail-composer";
import { encodeChunk, markDataReady, type NodeBuffer, nodeBuffer, terminatorAfter } from "./data-stream.ts";

/** Placeholders: ASCII without whitespace, so neither header folding nor quoted-printable escapes them. */
export const TO_PLACEHOLDER = "rcpt-3c9d1f@child-alert.invalid";
export const KEY_PLACEHOLDER = "KEY7f3a9c2e";

export type MailOptions = ConstructorParameters<typeof MailComposer>[0];

/** The raw message with placeholders (the caller puts TO_PLACEHOLDER, KEY_PLACEHOLDER and its URL placeholder in). */
export async function buildTemplate(mail: MailOptions): Promise<string> {
  const raw = await new MailComposer({ ...mail, textEncoding: "quoted-printable" }).compile().build();
  return raw.toString("latin1");
}

/**
 * A pattern for `placeholder` that also matches it split by quoted-printable soft line
 * breaks ("=\r\n" may fall between any two characters of a long line).
 */
export function qpTolerant(placeholder: string): RegExp {
  const chars = [...placeholder].map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(chars.join("(?:=\\r\\n)?"), "g");
}

/** An ASCII value as quoted-printable that keeps lines short wherever it lands: a soft break, then ≤ 70 per line. */
export function qpInline(value: string): string {
  const escape = (c: string) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`;
  const encoded = value.replace(/[=\x00-\x1f\x7f-\xff]/g, escape);
  const lines: string[] = [];
  for (let i = 0; i < encoded.length; ) {
    let end = Math.min(i + 70, encoded.length);
    // Never split an escape ("=3D").
    if (encoded[end - 1] === "=") end -= 1;
    else if (encoded[end - 2] === "=") end -= 2;
    // A line never starts with "." (SMTP would have to double it): written "=2E", as QP allows.
    const line = encoded.slice(i, end);
    lines.push(line.startsWith(".") ? escape(".") + line.slice(1) : line);
    i = end;
  }
  return `=\r\n${lines.join("=\r\n")}=\r\n`;
}

export interface Personal {
  to: string;
  key: number;
  /** The URL placeholder and its value for this recipient. */
  url: { placeholder: RegExp; value: string };
}

/** One recipient's copy of the template. */
export function personalise(template: string, p: Personal): string {
  const split = template.indexOf("\r\n\r\n");
  const head = template.slice(0, split);
  const body = template.slice(split);
  // In the header the URL stands whole (List-Unsubscribe); in the parts it is quoted-printable.
  const h = head.replace(TO_PLACEHOLDER, p.to).replace(KEY_PLACEHOLDER, String(p.key)).replace(p.url.placeholder, p.url.value);
  const b = body.replace(p.url.placeholder, () => qpInline(p.url.value));
  return h + b;
}

type Slot = "to" | "key" | "urlHead" | "urlBody";

/** A value's bytes must not change under SMTP's DATA encoding where it lands. */
const UNSAFE_IN_HEADER = /[\r\n]/;

/**
 * A template in SMTP's DATA form, cut at its placeholders: `message(p)` is the recipient's
 * copy exactly as `personalise` would build it, already dot-stuffed and terminated, for the
 * SMTP connection to send as is (data-stream.ts passes it through). The values keep the
 * encoding unchanged: header values have no line break, the body's link is `qpInline`
 * (lines never start with "."), so each static part is encoded once with what precedes it.
 */
export class WireTemplate {
  /** The template as text (for a message that is signed before it is sent). */
  readonly raw: string;
  /** The static parts before each slot, in DATA form, as latin1 strings (one byte per character). */
  private readonly parts: string[] = [];
  private readonly slots: Slot[] = [];
  /** After the last slot (the poster's base64, mostly), terminator included: shared by every copy. */
  private readonly tail: Uint8Array;

  constructor(raw: string, urlPattern: RegExp) {
    this.raw = raw;
    const split = raw.indexOf("\r\n\r\n");
    const found: { at: number; end: number; slot: Slot }[] = [];
    const first = (needle: string, slot: Slot) => {
      const at = raw.indexOf(needle);
      if (at >= 0 && at < split) found.push({ at, end: at + needle.length, slot });
    };
    first(TO_PLACEHOLDER, "to");
    first(KEY_PLACEHOLDER, "key");
    const pattern = new RegExp(urlPattern.source, "g");
    for (const m of raw.matchAll(pattern)) found.push({ at: m.index, end: m.index + m[0].length, slot: m.index < split ? "urlHead" : "urlBody" });
    found.sort((a, b) => a.at - b.at);
    // Each static part encoded with the byte before it: the start, a header value's last
    // character (neither CR nor LF), or the body link's final "=\r\n".
    let from = 0;
    let before: number | false = false;
    for (const f of found) {
      this.parts.push(encoded(raw.slice(from, f.at), before).toString("latin1"));
      this.slots.push(f.slot);
      from = f.end;
      before = f.slot === "urlBody" ? 0x0a : 0x61;
    }
    const last = raw.slice(from);
    const lastByte = last ? last.charCodeAt(last.length - 1) : before;
    this.tail = buffers().concat([encoded(last, before), buffers().from(terminatorAfter(lastByte), "utf8")]);
  }

  /** The recipient's message in DATA form (marked for the SMTP connection to send as is). */
  message(p: Personal): Uint8Array {
    let head = "";
    let link: string | undefined; // the body's link, the same in the text and the HTML part
    for (let i = 0; i < this.slots.length; i++) {
      const slot = this.slots[i]!;
      let v: string;
      if (slot === "urlBody") v = link ??= qpInline(p.url.value);
      else {
        v = slot === "to" ? p.to : slot === "key" ? String(p.key) : p.url.value;
        if (UNSAFE_IN_HEADER.test(v)) throw new Error("a header value with a line break");
        // As the text path sends it: UTF-8 (an internationalised address), here one byte per character.
        if (NON_ASCII.test(v)) v = buffers().from(v, "utf8").toString("latin1");
      }
      head += this.parts[i]! + v;
    }
    const bytes = buffers().from(head, "latin1");
    return markDataReady(buffers().concat([bytes, this.tail], bytes.length + this.tail.length));
  }
}

const NON_ASCII = /[^\x00-\x7f]/;

/** `text` in SMTP's DATA form, after a byte `before` (false: the start of the message). */
function encoded(text: string, before: number | false) {
  const Buffer = buffers();
  const out: Uint8Array[] = [];
  const state = { inByteCount: 0, outByteCount: 0, lastByte: before, push: (c: Uint8Array) => out.push(c) > 0 };
  // As the SMTP connection turns a string into bytes (UTF-8; the composer's output is ASCII).
  encodeChunk.call(state, Buffer.from(text, "utf8"), (s) => Buffer.from(s, "utf8") as never, (l, n) => Buffer.concat(l, n));
  return Buffer.concat(out);
}

function buffers(): NodeBuffer {
  const B = nodeBuffer();
  if (!B) throw new Error("the SMTP path needs the nodejs_compat flag (node:buffer)");
  return B;
}
