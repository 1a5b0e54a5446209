// Structured logs without personal data: callers pass ids, codes and counts only;
// errors are reduced to their name and message (never request bodies or content).
type Fields = Record<string, unknown>;

function clean(fields: Fields): Fields {
  const out: Fields = {};
  for (const [k, v] of Object.entries(fields)) {
    out[k] = v instanceof Error ? { name: v.name, message: v.message.slice(0, 300) } : v;
  }
  return out;
}

export const log = {
  info: (event: string, fields: Fields = {}) => console.log(JSON.stringify({ level: "info", event, ...clean(fields) })),
  warn: (event: string, fields: Fields = {}) => console.warn(JSON.stringify({ level: "warn", event, ...clean(fields) })),
  error: (event: string, fields: Fields = {}) => console.error(JSON.stringify({ level: "error", event, ...clean(fields) })),
};
