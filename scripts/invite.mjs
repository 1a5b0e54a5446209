// `npm run invite -- --email a@b.be --role magistrate [--name "Full Name"] [--remote]`
// Writes a one-time invitation into D1 (local by default, --remote for production) and
// prints the link. This is how the first admin is created; later, admins invite from
// the dashboard or POST /api/v1/admin/invitations.
import { createInvitations, DEFAULT_PORT, parseArgs, ROLES } from "./lib/local.mjs";

const a = parseArgs(process.argv.slice(2));
if (!a.email || !a.role) {
  console.error(`usage: npm run invite -- --email someone@example.be --role <${ROLES.join("|")}> [--name "Full Name"] [--remote] [--origin https://…]`);
  process.exit(2);
}
const origin = a.origin ?? process.env.APP_ORIGIN ?? `http://localhost:${DEFAULT_PORT}`;
try {
  const [inv] = createInvitations([{ email: a.email, displayName: a.name ?? a.email, role: a.role }], { origin, remote: !!a.remote });
  console.log(`${inv.existing ? "Link to add a passkey for" : "Invitation for"} ${inv.email} (${inv.role}), valid 72 h:\n${inv.link}`);
} catch (e) {
  console.error(`invite: ${e.message}`);
  process.exit(1);
}
