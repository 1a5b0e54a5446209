// Demo data for local use: one staff member per role and a demo draft alert about a
// clearly fictional child. Idempotent; prints fresh one-time sign-in links each run.
import { canonicalJson, contentHash, AlertContent } from "../worker/domain/content.ts";
import { auditHash, GENESIS_HASH } from "../worker/domain/audit-chain.ts";
import { createInvitations, d1, ROLES } from "./lib/local.mjs";

export const DEMO_ALERT_ID = "00000000-0000-4000-8000-00000000de00";

export const DEMO_STAFF = {
  magistrate: "Magistrate Anne Demo",
  investigator: "Investigator Bram Demo",
  cell: "Missing-persons cell Chloé Demo",
  operator: "116 000 operator Dirk Demo",
  counsellor: "Counsellor Emma Demo",
  calltaker: "Call-taker Farid Demo",
  admin: "Admin Greet Demo",
};
export const demoEmail = (role) => `${role}@demo.child-alert.local`;
/** Rule 9: the demo's federal police and missing-persons cell mailboxes (the admin screen changes them). */
export const DEMO_MAILBOXES = { federal_police: "permanence@police.example", cell: "cell-desk@police.example", federal_prosecutor: "parquet-federal@justice.example" };

/**
 * The demo's official social accounts (issue 15): one French account per network, with
 * fixed local credentials that the social stand-in of `npm start` knows (`npm run demo`
 * adds them through the admin API; `npm start` tells the stand-in again after a restart).
 */
export const DEMO_SOCIAL = {
  mastodon: { name: "@alerte_demo (Mastodon)", target: (base) => base, credentials: { accessToken: "demo-mastodon-access-token-0123456789" } },
  bluesky: { name: "@alerte-demo.bsky.local (Bluesky)", target: (base) => base, credentials: { identifier: "alerte-demo.bsky.local", appPassword: "demo-1234-5678-9abc" } },
  x: { name: "@alerte_demo (X)", target: () => "", credentials: { consumerKey: "demo-consumer-key", consumerSecret: "demo-consumer-secret", accessToken: "1234567890-demo-access-token", accessTokenSecret: "demo-access-token-secret" } },
  facebook: { name: "Alerte Démo (Facebook Page)", target: () => "100000000000001", credentials: { pageAccessToken: "EAAB-demo-page-access-token", appSecret: "demo-app-secret" } },
  telegram: { name: "@alerte_demo (Telegram)", target: () => "@alerte_demo", credentials: { botToken: "1234567890:AAdemo-bot-token-0123456789abcdefgh" } },
};
/** What the stand-in must know of a demo account (its id is the Worker's). */
export const demoSocialStandIn = (id, network, base) => ({
  id,
  network,
  target: DEMO_SOCIAL[network].target(base),
  credentials: DEMO_SOCIAL[network].credentials,
  // A Bluesky handle is a domain name.
  handle: network === "bluesky" ? DEMO_SOCIAL.bluesky.credentials.identifier : "alerte_demo",
});

/** The demo case's judicial file: a fictional police report (PV) number, required before submission. */
export const DEMO_FILE = { pvNumber: "NA.55.LL.004521/2026", magistrateRef: "NA55.98.1234/26" };

/** The fictional child of the demo alert (invented name, no real photo). */
export const DEMO_CONTENT = AlertContent.parse({
  child: {
    firstName: "Noa",
    lastName: "Voorbeeld",
    age: 8,
    sex: "unspecified",
    heightCm: 128,
    // Each language its own text, typed by people (names and plates are not translated).
    description: {
      fr: "ENFANT FICTIF DE DÉMONSTRATION. Mince, cheveux noirs courts et bouclés, yeux bruns, lunettes à monture rouge.",
      nl: "FICTIEF DEMOKIND. Slank, kort zwart krullend haar, bruine ogen, bril met rood montuur.",
      de: "FIKTIVES DEMO-KIND. Schlank, kurze schwarze Locken, braune Augen, Brille mit rotem Rahmen.",
      en: "FICTIONAL DEMO CHILD. Slim, short curly black hair, brown eyes, glasses with a red frame.",
    },
    clothing: {
      fr: "Imperméable jaune, pantalon bleu foncé, bottes en caoutchouc vertes, petit sac à dos orange.",
      nl: "Gele regenjas, donkerblauwe broek, groene regenlaarzen, kleine oranje rugzak.",
      de: "Gelber Regenmantel, dunkelblaue Hose, grüne Gummistiefel, kleiner orangefarbener Rucksack.",
      en: "Yellow raincoat, dark blue trousers, green wellington boots, small orange backpack.",
    },
    photos: [],
  },
  lastSeen: {
    place: { fr: "Liège, place Saint-Lambert (démo)", nl: "Luik, Place Saint-Lambert (demo)", de: "Lüttich, Place Saint-Lambert (Demo)", en: "Liège, Place Saint-Lambert (demo)" },
    at: "2026-11-23T06:45:00+01:00",
  },
  circumstances: {
    fr: "Scénario de démonstration : vue emmenée dans une camionnette blanche près de l'arrêt de bus.",
    nl: "Demoscenario: gezien terwijl ze bij de bushalte in een witte bestelwagen werd geleid.",
    de: "Demo-Szenario: an der Bushaltestelle in einen weißen Lieferwagen geführt.",
    en: "Demo scenario: seen being led into a white van near the bus stop.",
  },
  vehicle: {
    description: { fr: "Fourgon blanc, rouille sur la porte arrière (démo)", nl: "Witte bestelwagen, roest op de achterdeur (demo)", de: "Weißer Kastenwagen, Rost an der Hecktür (Demo)", en: "White panel van, rust on the rear door (demo)" },
    plate: "DEMO-000",
  },
  targeting: { regions: ["BE", "BE-WLG", "NL", "DE"], languages: ["fr", "nl", "de", "en"] },
  purposeAttestation: true,
});

/** The demo content for fewer languages: the same texts, only those languages targeted. */
export function demoContentIn(languages, over = {}) {
  const only = (v) => v && Object.fromEntries(languages.map((l) => [l, v[l]]));
  const c = structuredClone(DEMO_CONTENT);
  c.child.description = only(c.child.description);
  c.child.clothing = only(c.child.clothing);
  c.lastSeen.place = only(c.lastSeen.place);
  c.circumstances = only(c.circumstances);
  if (c.vehicle) c.vehicle.description = only(c.vehicle.description);
  return { ...c, targeting: { ...c.targeting, languages }, ...over };
}

export async function seed({ origin, ...opts }) {
  const links = createInvitations(
    ROLES.map((role) => ({ email: demoEmail(role), displayName: DEMO_STAFF[role], role })),
    { origin, ...opts },
  );

  // The authorities' mailboxes, once per kind (an admin's later change stands; a kind added since is seeded).
  const seeded = new Set(d1("SELECT DISTINCT kind FROM authority_mailboxes", opts).map((r) => r.kind));
  const missing = Object.entries(DEMO_MAILBOXES).filter(([kind]) => !seeded.has(kind));
  if (missing.length) {
    const at = new Date().toISOString();
    d1(missing.map(([kind, address]) => `INSERT OR IGNORE INTO authority_mailboxes (kind, address, updated_by, updated_at) VALUES ('${kind}', '${address}', 'seed', '${at}')`).join(";\n"), opts);
  }

  const exists = d1(`SELECT id FROM alerts WHERE id = '${DEMO_ALERT_ID}'`, opts).length > 0;
  if (!exists) {
    const hash = await contentHash(DEMO_ALERT_ID, true, DEMO_CONTENT);
    const now = new Date().toISOString();
    const versionId = crypto.randomUUID();
    const head = d1("SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1", opts)[0];
    const entry = {
      seq: (head?.seq ?? 0) + 1,
      at: now,
      alertId: DEMO_ALERT_ID,
      actorUserId: null,
      actorRole: "system",
      action: "created",
      details: canonicalJson({ exercise: true, version: 1, contentHash: hash, seeded: true }),
    };
    const prev = head?.hash ?? GENESIS_HASH;
    const entryHash = await auditHash(prev, entry);
    const q = (v) => (v === null ? "NULL" : `'${String(v).replace(/'/g, "''")}'`);
    d1(
      [
        `INSERT INTO alerts (id, state, exercise, created_by, created_at, updated_at, current_version_id, pv_number, magistrate_ref) VALUES (${q(DEMO_ALERT_ID)}, 'draft', 1, 'seed', ${q(now)}, ${q(now)}, ${q(versionId)}, ${q(DEMO_FILE.pvNumber)}, ${q(DEMO_FILE.magistrateRef)})`,
        `INSERT INTO alert_versions (id, alert_id, number, content, content_hash, created_by, created_at) VALUES (${q(versionId)}, ${q(DEMO_ALERT_ID)}, 1, ${q(canonicalJson(DEMO_CONTENT))}, ${q(hash)}, 'seed', ${q(now)})`,
        `INSERT INTO audit_entries (seq, at, alert_id, actor_user_id, actor_role, action, details, prev_hash, hash) VALUES (${entry.seq}, ${q(now)}, ${q(DEMO_ALERT_ID)}, NULL, 'system', 'created', ${q(entry.details)}, ${q(prev)}, ${q(entryHash)})`,
      ].join(";\n"),
      opts,
    );
  }
  return { links, demoAlertCreated: !exists };
}
