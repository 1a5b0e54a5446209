// Structured logs without personal data: callers pass ids, codes and counts only;
// errors are reduced to their name and message (never request bodies or content).
type Fields = Record<string, unknown>;

/**
 * An error as it may be logged: the root cause's name and message, never the query
 * parameters that wrappers (drizzle's "Failed query: … params: …") put in theirs, nor
 * an e-mail address an SMTP refusal quotes.
 */
export function safeError(e: Error): { name: string; message: string } {
  let root: Error = e;
  while (root.cause instanceof Error) root = root.cause;
  const message = root.message
    .replace(/params:[\s\S]*$/i, "params: [redacted]")
    .replace(/Failed query:[\s\S]*$/i, "Failed query: [redacted]")
    // Mail relays quote the recipient in their refusals ("550 <anna@example.org> unknown").
    .replace(/[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g, "[address]");
  return { name: root.name, message: message.slice(0, 300) };
}

function clean(fields: Fields): Fields {
  const out: Fields = {};
  for (const [k, v] of Object.entries(fields)) out[k] = v instanceof Error ? safeError(v) : v;
  return out;
}

export const log = {
  info: (event: string, fields: Fields = {}) => console.log(JSON.stringify({ level: "info", event, ...clean(fields) })),
  warn: (event: string, fields: Fields = {}) => console.warn(JSON.stringify({ level: "warn", event, ...clean(fields) })),
  error: (event: string, fields: Fields = {}) => console.error(JSON.stringify({ level: "error", event, ...clean(fields) })),
};
