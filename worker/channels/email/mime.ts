// One MIME build per language and page, not one per recipient: the message (text and HTML
// as quoted-printable, the inline poster as base64) is built once by nodemailer's own
// composer with placeholders, and each recipient's copy swaps in its address, message id
// and unsubscribe link. Building a message with a ~100 KB inline poster costs ~20 ms of
// CPU in workerd; a copy costs a few string replacements.
import MailComposer from "nodemailer/lib/mail-composer";

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
  const encoded = value.replace(/[=\x00-\x1f\x7f-\xff]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
  const lines: string[] = [];
  for (let i = 0; i < encoded.length; ) {
    let end = Math.min(i + 70, encoded.length);
    // Never split an escape ("=3D").
    if (encoded[end - 1] === "=") end -= 1;
    else if (encoded[end - 2] === "=") end -= 2;
    lines.push(encoded.slice(i, end));
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
