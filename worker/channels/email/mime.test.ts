import DataStream from "nodemailer/lib/smtp-connection/data-stream";
import { describe, expect, it } from "vitest";
import { nodeBuffer, originalTransform, useFastDataEncoding } from "./data-stream.ts";
import { buildTemplate, KEY_PLACEHOLDER, personalise, qpInline, qpTolerant, TO_PLACEHOLDER, WireTemplate } from "./mime.ts";

const URL_PLACEHOLDER = "%%UNSUBSCRIBE_URL%%";
const qpDecode = (s: string) => {
  const latin = s.replace(/=\r\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return new TextDecoder().decode(Uint8Array.from(latin, (c) => c.charCodeAt(0)));
};
const part = (raw: string, type: string) => {
  const i = raw.indexOf(`Content-Type: ${type}`);
  const start = raw.indexOf("\r\n\r\n", i) + 4;
  return raw.slice(start, raw.indexOf("\r\n--", start));
};

describe("one MIME build per page, personalised per recipient", () => {
  it("finds the link wherever quoted-printable wrapped it, and writes each recipient's in lines of legal length", async () => {
    const url = "https://alert.example.org/email/unsubscribe?s=2b0c5e0e-8f7c-4a51-9d7e-0d8f3a3c1e11&t=Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5";
    // Every offset of the link on a long line: some fall across a soft line break.
    for (let pad = 60; pad < 80; pad++) {
      const tpl = await buildTemplate({
        from: "Child Alert <alerts@example.org>",
        to: TO_PLACEHOLDER,
        subject: "Alerte enlèvement",
        text: `${"é".repeat(pad)} ${URL_PLACEHOLDER} fin`,
        html: `<p>${"x".repeat(pad)}<a href="${URL_PLACEHOLDER}">se désabonner</a></p>`,
        messageId: `<a.alert.1.${KEY_PLACEHOLDER}@example.org>`,
        headers: { "List-Unsubscribe": `<${URL_PLACEHOLDER}>` },
      });
      const raw = personalise(tpl, { to: "anna@example.org", key: 42, url: { placeholder: qpTolerant(URL_PLACEHOLDER), value: url } });
      expect(raw).toContain("\r\nTo: anna@example.org\r\n");
      expect(raw).toContain("Message-ID: <a.alert.1.42@example.org>");
      expect(raw).toContain(`List-Unsubscribe: <${url}>`);
      expect(raw).not.toMatch(/UNSUBSCRIBE|rcpt-3c9d1f|KEY7f3a/);
      expect(qpDecode(part(raw, "text/plain"))).toBe(`${"é".repeat(pad)} ${url} fin`);
      expect(qpDecode(part(raw, "text/html"))).toContain(`<a href="${url}">`);
      // Body lines within quoted-printable's 76 (+ soft break); a header carrying the whole URL within RFC 5322's 998.
      const [head, body] = [raw.slice(0, raw.indexOf("\r\n\r\n")), raw.slice(raw.indexOf("\r\n\r\n"))];
      for (const line of body.split("\r\n")) expect(line.length).toBeLessThanOrEqual(77);
      for (const line of head.split("\r\n")) expect(line.length).toBeLessThanOrEqual(998);
    }
  });

  it("in DATA form: each recipient's copy is the text's encoding by nodemailer's DataStream, byte for byte, and the SMTP connection passes it through untouched", async () => {
    const B = nodeBuffer()!;
    type State = { inByteCount: number; outByteCount: number; lastByte: number | false; out: Uint8Array[]; push(c: Uint8Array): boolean };
    /** nodemailer's own transform and flush over the whole text: what the text path sends. */
    const theirs = (text: string) => {
      const st: State = { inByteCount: 0, outByteCount: 0, lastByte: false, out: [], push: (c) => st.out.push(c) > 0 };
      originalTransform.call(st, B.from(text), "buffer", () => undefined);
      (DataStream.prototype as unknown as { _flush(this: State, done: () => void): void })._flush.call(st, () => undefined);
      return B.concat(st.out);
    };
    const base = "https://alert.example.org/email/unsubscribe/";
    const urls = [
      "https://alert.example.org/email/unsubscribe?s=2b0c5e0e-8f7c-4a51-9d7e-0d8f3a3c1e11&t=Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5",
      // The link's second quoted-printable line would start with "." (SMTP doubles such a dot).
      `${base}${"a".repeat(70 - base.length)}.well-known/x`,
    ];
    expect(qpInline(urls[1]!).split("\r\n")[2]).toMatch(/^=2E/);
    useFastDataEncoding();
    for (let pad = 60; pad < 80; pad += 3) {
      const raw = await buildTemplate({
        from: "Child Alert <alerts@example.org>",
        to: TO_PLACEHOLDER,
        subject: "Alerte enlèvement",
        // Lines that start with a dot, in the text and after the link.
        text: `.début\n..deux\n${"é".repeat(pad)} ${URL_PLACEHOLDER}.\n.fin`,
        html: `<p>${"x".repeat(pad)}<a href="${URL_PLACEHOLDER}">se désabonner</a></p>`,
        messageId: `<a.alert.1.${KEY_PLACEHOLDER}@example.org>`,
        headers: { "List-Unsubscribe": `<${URL_PLACEHOLDER}>` },
      });
      const wire = new WireTemplate(raw, qpTolerant(URL_PLACEHOLDER));
      for (const [i, url] of urls.entries()) {
        // The second recipient's address is internationalised (UTF-8 in the header, as the text path sends it).
        const personal = { to: i ? "zoë.ß@example.org" : "anna@example.org", key: 40 + i, url: { placeholder: qpTolerant(URL_PLACEHOLDER), value: url } };
        const ready = wire.message(personal);
        expect(B.concat([ready]).toString("latin1"), `pad ${pad}, link ${i}`).toBe(theirs(personalise(raw, personal)).toString("latin1"));
        // Through the connection's DATA stream: the same bytes, no second terminator.
        const stream = new DataStream() as unknown as { on(e: string, f: (c?: Uint8Array) => void): void; end(c: Uint8Array): void };
        const out: Uint8Array[] = [];
        const ended = new Promise<void>((resolve) => stream.on("end", () => resolve()));
        stream.on("data", (c) => out.push(c!));
        stream.end(ready);
        await ended;
        expect(B.concat(out).toString()).toBe(B.concat([ready]).toString());
      }
    }
    // A header value with a line break would change the message's shape: refused.
    const wire = new WireTemplate(`To: ${TO_PLACEHOLDER}\r\n\r\nx\r\n`, qpTolerant(URL_PLACEHOLDER));
    expect(() => wire.message({ to: "a@example.org\r\nBcc: b@example.org", key: 1, url: { placeholder: qpTolerant(URL_PLACEHOLDER), value: "x" } })).toThrow(/line break/);
  });

  it("escapes what quoted-printable must, and never splits an escape", () => {
    const out = qpInline("a=b".repeat(40));
    expect(qpDecode(out)).toBe("a=b".repeat(40));
    // "=" is either a soft break at the end of a line or starts a whole escape.
    for (const line of out.split("\r\n")) expect(line).not.toMatch(/=(?![0-9A-F]{2}|$)/);
  });
});
