// HTML text escaping, one definition for everything rendered as HTML on the server: the
// e-mails (citizens' and staff's), the public pages and the API reference.
export const esc = (s: unknown): string => String(s ?? "").replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
