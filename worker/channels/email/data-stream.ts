// SMTP's DATA encoding (RFC 5321 §4.5.2: a dot at the start of a line is doubled; bare CR
// and bare LF become CRLF) as nodemailer's DataStream does it, but looking only where it
// can matter. nodemailer's own `_transform` examines every byte in a JavaScript loop: in
// workerd that was the largest single cost of an alert e-mail (~30 % of the Worker's CPU
// at 430 messages/s of 81 KiB). The decisions happen only at byte 0, at each CR or LF and
// at the byte after one, so this version jumps between line ends with the built-in
// `indexOf` and runs the very same decision at those places. Output is byte-for-byte the
// same as the original's (data-stream.test.ts compares them on random input and chunking).
// A message already in DATA form (mime.ts's WireTemplate: encoded once per page) is passed
// through without a look.
import DataStream from "nodemailer/lib/smtp-connection/data-stream";

/** The typed array's own search (a V8 builtin): node:buffer's `indexOf` in workerd is written in JavaScript and was 11 % of the CPU. */
const find = Uint8Array.prototype.indexOf;
const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

type Bytes = Uint8Array & { slice(start?: number, end?: number): Bytes };
type Insert = Bytes | false;

interface Encoder {
  inByteCount: number;
  outByteCount: number;
  lastByte: number | false;
  push(chunk: Uint8Array): boolean;
}

/** nodemailer's inserted sequences, as its transform uses them. */
const fromText = (s: string) => new TextEncoder().encode(s) as Bytes;
const INSERT_LF = fromText("\n");
const INSERT_LF_DOT = fromText("\n.");
const INSERT_CR = fromText("\r");
const INSERT_DOT = fromText(".");

/** The DATA transform: same contract as nodemailer's (chunks in, escaped chunks out). */
export function encodeChunk(this: Encoder, input: Uint8Array | string, toBytes: (s: string) => Bytes, concat: (list: Uint8Array[], length: number) => Uint8Array): void {
  const chunk = (typeof input === "string" ? toBytes(input) : input) as Bytes;
  if (!chunk.length) return;
  this.inByteCount += chunk.length;
  const parts: Uint8Array[] = [];
  let length = 0;
  let lastPos = 0;
  // The original's decision for byte i, unchanged.
  const decide = (i: number) => {
    const byte = chunk[i]!;
    const prev = i ? chunk[i - 1]! : this.lastByte;
    let insert: Insert = false;
    if (prev === CR && byte !== LF) insert = byte === DOT ? INSERT_LF_DOT : INSERT_LF;
    else if (byte === LF && prev !== CR) insert = INSERT_CR;
    else if (byte === DOT && (prev === LF || prev === false)) insert = INSERT_DOT;
    if (!insert) return;
    if (i > lastPos) {
      const piece = chunk.slice(lastPos, i);
      parts.push(piece);
      length += piece.length;
    }
    parts.push(insert);
    length += insert.length;
    lastPos = i;
  };
  decide(0);
  let done = 0; // every index ≤ done has been decided
  let nextLf = find.call(chunk, LF, 0);
  let nextCr = find.call(chunk, CR, 0);
  while (nextLf >= 0 || nextCr >= 0) {
    const j = nextLf < 0 ? nextCr : nextCr < 0 ? nextLf : Math.min(nextLf, nextCr);
    if (j > done) decide(j);
    if (j + 1 < chunk.length && j + 1 > done) decide(j + 1);
    done = Math.max(done, j + 1);
    if (j === nextLf) nextLf = find.call(chunk, LF, j + 1);
    if (j === nextCr) nextCr = find.call(chunk, CR, j + 1);
  }
  if (parts.length) {
    if (lastPos < chunk.length) {
      const piece = chunk.slice(lastPos);
      parts.push(piece);
      length += piece.length;
    }
    this.outByteCount += length;
    this.push(concat(parts, length));
  } else {
    this.outByteCount += chunk.length;
    this.push(chunk);
  }
  this.lastByte = chunk[chunk.length - 1]!;
}

/**
 * Messages already in DATA form (dot-stuffed, CRLF only, the final "." line included): built
 * once per page and language by mime.ts's WireTemplate. The transform passes them through
 * untouched and adds no terminator of its own.
 */
const dataReady = new WeakSet<Uint8Array>();

/** Marks `bytes` as a whole message in DATA form, terminator included (see dataReady). */
export function markDataReady<T extends Uint8Array>(bytes: T): T {
  dataReady.add(bytes);
  return bytes;
}

/** The DATA terminator after a message ending in `lastByte`, as nodemailer's _flush writes it. */
export function terminatorAfter(lastByte: number | false): string {
  return lastByte === LF ? ".\r\n" : lastByte === CR ? "\n.\r\n" : "\r\n.\r\n";
}

type Passing = Encoder & { terminated?: boolean };
type TransformFn = (this: Passing, chunk: Uint8Array | string, encoding: string, done: () => void) => void;
type FlushFn = (this: Passing, done: () => void) => void;
const proto = DataStream.prototype as unknown as { _transform: TransformFn; _flush: FlushFn };

/** nodemailer's own transform and flush, kept for the equivalence tests. */
export const originalTransform: TransformFn = proto._transform;
const originalFlush: FlushFn = proto._flush;

/** node:buffer's Buffer (nodejs_compat), as far as the SMTP path uses it: the streams hand Buffers on as they are. */
type NodeBytes = Bytes & { toString(encoding?: "utf8" | "latin1"): string };
export interface NodeBuffer {
  from(s: string | Uint8Array, encoding?: "utf8" | "latin1"): NodeBytes;
  concat(list: Uint8Array[], length?: number): NodeBytes;
}
export const nodeBuffer = (): NodeBuffer | undefined => (globalThis as unknown as { Buffer?: NodeBuffer }).Buffer;

/** Makes every SMTP connection of this isolate use encodeChunk (idempotent). */
export function useFastDataEncoding(): void {
  if (proto._transform !== originalTransform) return;
  const B = nodeBuffer();
  if (!B) return; // no nodejs_compat Buffer: nodemailer's own transform stays
  proto._transform = function (this: Passing, chunk, _encoding, done) {
    if (typeof chunk !== "string" && dataReady.has(chunk)) {
      this.inByteCount += chunk.length;
      this.outByteCount += chunk.length;
      this.terminated = true;
      this.push(chunk);
      return done();
    }
    encodeChunk.call(this, chunk, (s) => B.from(s), (list, length) => B.concat(list, length));
    done();
  };
  proto._flush = function (this: Passing, done) {
    if (this.terminated) return done();
    originalFlush.call(this, done);
  };
}
