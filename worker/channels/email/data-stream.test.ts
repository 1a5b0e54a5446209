// The fast DATA encoding is nodemailer's, byte for byte: both run on the same random
// messages (CR, LF, dots and text in every order, cut into random chunks).
import { describe, expect, it } from "vitest";
import { encodeChunk, originalTransform } from "./data-stream.ts";

type State = { inByteCount: number; outByteCount: number; lastByte: number | false; out: number[]; push(c: Uint8Array): boolean };
const state = (): State => {
  const s: State = { inByteCount: 0, outByteCount: 0, lastByte: false, out: [], push: (c) => (s.out.push(...c), true) };
  return s;
};

/** A deterministic generator, so a failure can be replayed. */
function random(seed: number) {
  let x = seed >>> 0 || 1;
  return () => ((x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32);
}

describe("SMTP DATA encoding (dot-stuffing, CRLF)", () => {
  it("matches nodemailer's DataStream on 2,000 random messages and chunkings", () => {
    const rnd = random(20261203);
    const alphabet = [0x0d, 0x0a, 0x2e, 0x61, 0x3d, 0x20];
    const B = (globalThis as unknown as { Buffer: { from(x: Uint8Array | string): Uint8Array; concat(l: Uint8Array[], n: number): Uint8Array } }).Buffer;
    for (let n = 0; n < 2000; n++) {
      const bytes = Uint8Array.from({ length: Math.floor(rnd() * 60) }, () => alphabet[Math.floor(rnd() * alphabet.length)]!);
      const cuts: Uint8Array[] = [];
      for (let i = 0; i < bytes.length; ) {
        const len = 1 + Math.floor(rnd() * 12);
        cuts.push(B.from(bytes.slice(i, i + len)));
        i += len;
      }
      const theirs = state();
      const ours = state();
      for (const c of cuts) {
        originalTransform.call(theirs, c, "buffer", () => undefined);
        encodeChunk.call(ours, c, (s) => B.from(s) as never, (l, len) => B.concat(l, len));
      }
      expect({ out: ours.out, in: ours.inByteCount, outCount: ours.outByteCount, last: ours.lastByte }, `message ${n}: ${[...bytes]}`).toEqual({
        out: theirs.out,
        in: theirs.inByteCount,
        outCount: theirs.outByteCount,
        last: theirs.lastByte,
      });
    }
  });

  it("a message's encoding: leading dots doubled, bare LF and CR made CRLF, text untouched", () => {
    const s = state();
    encodeChunk.call(s, ".start\n.dot\r\nline\rend", (x) => new TextEncoder().encode(x) as never, (l, len) => {
      const out = new Uint8Array(len);
      let o = 0;
      for (const p of l) (out.set(p, o), (o += p.length));
      return out;
    });
    expect(new TextDecoder().decode(Uint8Array.from(s.out))).toBe("..start\r\n..dot\r\nline\r\nend");
  });
});
