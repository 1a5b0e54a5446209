// The e-mail a staff member or an authority's mailbox gets for a notice (rule 9, sign-off
// request, review prompt, purge notice). No child data: the alert's id, its state and the
// event, with a link to the dashboard, where the person signs in to see the rest. In the
// four languages of the platform (Belgian authorities work in French, Dutch and German).
import { type InformEvent, isAccountEvent, isHealthEvent, isPeerEvent, type Language } from "../../worker/domain/index.ts";
import { esc } from "../html.ts";

const LINES: Record<InformEvent, Record<Language, string>> = {
  launched: { en: "The alert was launched.", fr: "L'alerte a été lancée.", nl: "De alert werd gelanceerd.", de: "Der Alarm wurde ausgelöst." },
  updated: { en: "An update of the alert was published.", fr: "Une mise à jour de l'alerte a été publiée.", nl: "Een update van de alert werd gepubliceerd.", de: "Eine Aktualisierung des Alarms wurde veröffentlicht." },
  extended: { en: "The alert was extended.", fr: "L'alerte a été prolongée.", nl: "De alert werd verlengd.", de: "Der Alarm wurde verlängert." },
  stopped: { en: "The alert was stopped.", fr: "L'alerte a été arrêtée.", nl: "De alert werd stopgezet.", de: "Der Alarm wurde beendet." },
  expired: { en: "The alert expired.", fr: "L'alerte a expiré.", nl: "De alert is verlopen.", de: "Der Alarm ist abgelaufen." },
  withdrawn_before_launch: {
    en: "The authorised alert was withdrawn before its launch.",
    fr: "L'alerte autorisée a été retirée avant son lancement.",
    nl: "De toegestane alert werd vóór de lancering ingetrokken.",
    de: "Der genehmigte Alarm wurde vor dem Start zurückgezogen.",
  },
  review_due: {
    en: "The alert ends soon: extend it or let it end.",
    fr: "L'alerte se termine bientôt : prolongez-la ou laissez-la se terminer.",
    nl: "De alert loopt binnenkort af: verleng ze of laat ze aflopen.",
    de: "Der Alarm endet bald: verlängern Sie ihn oder lassen Sie ihn enden.",
  },
  purge_soon: {
    en: "This unfinished alert will be purged in a day for lack of activity.",
    fr: "Cette alerte inachevée sera purgée dans un jour faute d'activité.",
    nl: "Deze onafgewerkte alert wordt binnen een dag gewist wegens inactiviteit.",
    de: "Dieser unfertige Alarm wird mangels Aktivität in einem Tag gelöscht.",
  },
  social_post_stuck: {
    en: "A social network refused to delete a post with the child's face: open the alert in the dashboard, delete it by hand from its link, or try again.",
    fr: "Un réseau social a refusé de supprimer une publication avec le visage de l'enfant : ouvrez l'alerte dans le tableau de bord, supprimez-la à la main depuis son lien, ou réessayez.",
    nl: "Een sociaal netwerk weigerde een bericht met het gezicht van het kind te verwijderen: open de alert in het dashboard, verwijder het met de hand via de link, of probeer opnieuw.",
    de: "Ein soziales Netzwerk hat sich geweigert, einen Beitrag mit dem Gesicht des Kindes zu löschen: Öffnen Sie die Meldung im Dashboard, löschen Sie ihn von Hand über seinen Link oder versuchen Sie es erneut.",
  },
  partner_webhook_off: {
    en: "A partner's webhook was switched off after repeated failures: see Partners in the dashboard.",
    fr: "Le webhook d'un partenaire a été coupé après des échecs répétés : voir Partenaires dans le tableau de bord.",
    nl: "De webhook van een partner werd uitgeschakeld na herhaalde mislukkingen: zie Partners in het dashboard.",
    de: "Der Webhook eines Partners wurde nach wiederholten Fehlschlägen abgeschaltet: siehe Partner im Dashboard.",
  },
  tip_received: {
    en: "A new tip came in for this alert: read and acknowledge it in the dashboard.",
    fr: "Une nouvelle information est arrivée pour cette alerte : lisez-la et accusez-en réception dans le tableau de bord.",
    nl: "Er kwam een nieuwe tip binnen voor deze alert: lees en bevestig ze in het dashboard.",
    de: "Ein neuer Hinweis zu diesem Alarm ist eingegangen: lesen und bestätigen Sie ihn im Dashboard.",
  },
  tip_urgent: {
    en: "URGENT tip for this alert (confirmation of the phone call): read and acknowledge it in the dashboard now.",
    fr: "Information URGENTE pour cette alerte (confirmation de l'appel téléphonique) : lisez-la et accusez-en réception dans le tableau de bord.",
    nl: "DRINGENDE tip voor deze alert (bevestiging van het telefoongesprek): lees en bevestig ze nu in het dashboard.",
    de: "DRINGENDER Hinweis zu diesem Alarm (Bestätigung des Anrufs): lesen und bestätigen Sie ihn jetzt im Dashboard.",
  },
  tip_unacknowledged: {
    en: "A tip for this alert has not been acknowledged in time: make sure the investigators have it.",
    fr: "Une information pour cette alerte n'a pas été confirmée à temps : assurez-vous que les enquêteurs l'ont reçue.",
    nl: "Een tip voor deze alert werd niet op tijd bevestigd: zorg dat de speurders ze hebben.",
    de: "Ein Hinweis zu diesem Alarm wurde nicht rechtzeitig bestätigt: stellen Sie sicher, dass die Ermittler ihn haben.",
  },
  account_approval_needed: {
    en: "A change to a staff account waits for a second administrator's approval (a new account with a signing role, a new role, or re-enabling). Open Administration in the dashboard: approve it if you know it to be right; if it is about you and you did not ask for it, tell the other administrators.",
    fr: "Une modification d'un compte attend l'approbation d'un second administrateur (nouveau compte avec un rôle de validation, nouveau rôle ou réactivation). Ouvrez Administration dans le tableau de bord : approuvez-la si vous la savez juste ; si elle vous concerne et que vous ne l'avez pas demandée, prévenez les autres administrateurs.",
    nl: "Een wijziging van een account wacht op de goedkeuring van een tweede beheerder (nieuw account met een ondertekenende rol, nieuwe rol of heractivering). Open Beheer in het dashboard: keur ze goed als u weet dat ze klopt; gaat ze over u en vroeg u ze niet, waarschuw dan de andere beheerders.",
    de: "Eine Änderung an einem Konto wartet auf die Genehmigung eines zweiten Administrators (neues Konto mit Freigaberolle, neue Rolle oder Reaktivierung). Öffnen Sie die Verwaltung im Dashboard: genehmigen Sie sie, wenn Sie sie als richtig kennen; betrifft sie Sie und haben Sie sie nicht verlangt, warnen Sie die anderen Administratoren.",
  },
  account_change_approved: {
    en: "A second administrator approved a change to a staff account; it is now in effect. If it is about you and you did not ask for it, tell the administrators at once.",
    fr: "Un second administrateur a approuvé une modification d'un compte ; elle est en vigueur. Si elle vous concerne et que vous ne l'avez pas demandée, prévenez immédiatement les administrateurs.",
    nl: "Een tweede beheerder keurde een wijziging van een account goed; ze is nu van kracht. Gaat ze over u en vroeg u ze niet, waarschuw dan meteen de beheerders.",
    de: "Ein zweiter Administrator hat eine Änderung an einem Konto genehmigt; sie ist jetzt wirksam. Betrifft sie Sie und haben Sie sie nicht verlangt, warnen Sie sofort die Administratoren.",
  },
  foreign_poster_request: {
    en: "A foreign organisation asks to publish the alert's posters. It is granted only once the federal prosecutor's office and the missing-persons cell are informed (this message).",
    fr: "Une organisation étrangère demande à diffuser les affiches de l'alerte. La demande n'est accordée qu'une fois le parquet fédéral et la cellule personnes disparues avisés (ce message).",
    nl: "Een buitenlandse organisatie vraagt de affiches van de alert te verspreiden. Dit wordt pas toegestaan nadat het federaal parket en de cel vermiste personen zijn ingelicht (dit bericht).",
    de: "Eine ausländische Organisation bittet darum, die Plakate des Alarms zu verbreiten. Dies wird erst gewährt, wenn die föderale Staatsanwaltschaft und die Zelle für vermisste Personen informiert sind (diese Nachricht).",
  },
  channel_unhealthy: {
    en: "A channel's check turned red (credentials refused or far side unreachable): open Readiness in the dashboard, see what it answered and what to do, then check again.",
    fr: "Le contrôle d'un canal est passé au rouge (identifiants refusés ou service injoignable) : ouvrez Disponibilité dans le tableau de bord, voyez la réponse et que faire, puis contrôlez à nouveau.",
    nl: "De controle van een kanaal werd rood (inloggegevens geweigerd of dienst onbereikbaar): open Paraatheid in het dashboard, bekijk het antwoord en wat te doen, en controleer opnieuw.",
    de: "Die Prüfung eines Kanals ist rot (Zugangsdaten abgelehnt oder Dienst nicht erreichbar): Öffnen Sie Bereitschaft im Dashboard, sehen Sie die Antwort und was zu tun ist, und prüfen Sie erneut.",
  },
  channel_healthy: {
    en: "The channel's check is green again.",
    fr: "Le contrôle du canal est de nouveau au vert.",
    nl: "De controle van het kanaal is weer groen.",
    de: "Die Prüfung des Kanals ist wieder grün.",
  },
  channel_stalled: {
    en: "A channel of this live alert is failing or has stalled (recipients waiting, nothing delivered for 30 s): open the alert's live panel and the runbook for that channel now.",
    fr: "Un canal de cette alerte en cours échoue ou est bloqué (destinataires en attente, rien de livré depuis 30 s) : ouvrez maintenant le panneau en direct de l'alerte et la procédure de ce canal.",
    nl: "Een kanaal van deze lopende alert faalt of staat stil (ontvangers wachten, 30 s niets afgeleverd): open nu het live-paneel van de alert en het draaiboek van dat kanaal.",
    de: "Ein Kanal dieses laufenden Alarms schlägt fehl oder steht still (Empfänger warten, seit 30 s nichts zugestellt): Öffnen Sie jetzt das Live-Panel des Alarms und das Ablaufbuch dieses Kanals.",
  },
  channel_recovered: {
    en: "The channel delivers again for this alert.",
    fr: "Le canal livre à nouveau pour cette alerte.",
    nl: "Het kanaal levert weer af voor deze alert.",
    de: "Der Kanal stellt für diesen Alarm wieder zu.",
  },
  peer_handoff: {
    en: "The alert targets a country whose alerting system is registered as a peer: it is handed off to that system (signed CAP) once the federal prosecutor's office and the missing-persons cell are informed (this message). A country without adequate protection gets no personal data.",
    fr: "L'alerte vise un pays dont le système d'alerte est enregistré comme partenaire : elle lui est transmise (CAP signé) dès que le parquet fédéral et la cellule personnes disparues sont avisés (ce message). Un pays sans protection adéquate ne reçoit aucune donnée personnelle.",
    nl: "De alert is gericht op een land waarvan het alertsysteem als partner is geregistreerd: ze wordt eraan doorgegeven (ondertekende CAP) zodra het federaal parket en de cel vermiste personen zijn ingelicht (dit bericht). Een land zonder passende bescherming krijgt geen persoonsgegevens.",
    de: "Der Alarm betrifft ein Land, dessen Alarmsystem als Partner registriert ist: Er wird ihm (signiertes CAP) übergeben, sobald die föderale Staatsanwaltschaft und die Zelle für vermisste Personen informiert sind (diese Nachricht). Ein Land ohne angemessenen Schutz erhält keine personenbezogenen Daten.",
  },
  peer_request: {
    en: "A peer alerting system abroad sent a signed request to relay its alert (or updated or withdrew one). Nothing is published by itself: open From abroad in the dashboard to relay it as a draft, which goes through the whole concertation, or to dismiss it.",
    fr: "Un système d'alerte partenaire à l'étranger a envoyé une demande signée de relayer son alerte (ou l'a mise à jour ou retirée). Rien n'est publié de lui-même : ouvrez « De l'étranger » dans le tableau de bord pour la relayer comme brouillon, qui passe par toute la concertation, ou pour l'écarter.",
    nl: "Een partneralertsysteem in het buitenland stuurde een ondertekend verzoek om zijn alert door te geven (of werkte er een bij of trok er een in). Niets wordt vanzelf gepubliceerd: open « Uit het buitenland » in het dashboard om het als ontwerp door te geven, dat het hele overleg doorloopt, of om het af te wijzen.",
    de: "Ein Partner-Alarmsystem im Ausland hat eine signierte Anfrage gesendet, seinen Alarm weiterzugeben (oder eine aktualisiert oder zurückgezogen). Nichts wird von selbst veröffentlicht: Öffnen Sie „Aus dem Ausland“ im Dashboard, um sie als Entwurf weiterzugeben, der die ganze Abstimmung durchläuft, oder um sie abzulehnen.",
  },
  signoff_requested: {
    en: "Your sign-off is requested.",
    fr: "Votre validation est demandée.",
    nl: "Uw akkoord wordt gevraagd.",
    de: "Ihre Freigabe wird erbeten.",
  },
};

const SUBJECT: Record<InformEvent, string> = {
  launched: "launched",
  updated: "update published",
  extended: "extended",
  stopped: "stopped",
  expired: "expired",
  withdrawn_before_launch: "withdrawn before launch",
  review_due: "review due",
  purge_soon: "purge in a day",
  signoff_requested: "sign-off requested",
  partner_webhook_off: "a partner's webhook switched off",
  social_post_stuck: "a social post could not be deleted",
  tip_received: "new tip",
  tip_urgent: "URGENT tip",
  tip_unacknowledged: "tip not acknowledged",
  account_approval_needed: "an account change waits for a second administrator",
  account_change_approved: "an account change was approved",
  foreign_poster_request: "a foreign organisation asks for the posters",
  channel_unhealthy: "a channel's check is red",
  channel_healthy: "a channel's check is green again",
  channel_stalled: "a channel is failing or stalled",
  channel_recovered: "the channel delivers again",
  peer_handoff: "the alert is handed off abroad once you are informed",
  peer_request: "a peer system abroad asks us to relay its alert",
};

export interface NoticeMailModel {
  event: InformEvent;
  alertId: string;
  state: string;
  exercise: boolean;
  /** The end of a live alert (review prompt), ISO. */
  endsAt: string | null;
  /** The alert's screen in the dashboard. */
  url: string;
  /** A health notice: which channel and check, and what its far side answered (no secret). */
  check?: { channel: string; label: string; status: string; answered: string | null };
}


export function noticeMail(m: NoticeMailModel): { subject: string; text: string; html: string } {
  const ref = m.alertId.slice(0, 8);
  const account = isAccountEvent(m.event);
  const health = isHealthEvent(m.event);
  const peer = isPeerEvent(m.event);
  const subject = account || peer
    ? `Child Alert: ${SUBJECT[m.event]}`
    : health
      ? `Child Alert: ${SUBJECT[m.event]}${m.check ? ` — ${m.check.channel} (${m.check.label})` : ""}`
      : `${m.exercise ? "[EXERCISE] " : ""}Child Alert ${ref}: ${SUBJECT[m.event]}${m.check ? ` — ${m.check.channel}` : ""}`;
  const lines = (["fr", "nl", "de", "en"] as const).map((l) => LINES[m.event][l]);
  const facts = account || peer
    ? [`Request / Demande / Aanvraag / Antrag: ${m.alertId}`]
    : health
      ? [
          `Channel / Canal / Kanaal / Kanal: ${m.check?.channel ?? "?"} — ${m.check?.label ?? ""}`,
          ...(m.check?.answered ? [`Answer / Réponse / Antwoord / Antwort: ${m.check.answered}`] : []),
          `Now / Maintenant / Nu / Jetzt: ${m.check?.status ?? "?"}`,
          `Incident: ${m.alertId}`,
        ]
    : [
        `Alert / Alerte / Alert / Alarm: ${m.alertId}`,
        `State / État / Status / Status: ${m.state}`,
        ...(m.endsAt ? [`Ends / Fin / Einde / Ende: ${m.endsAt}`] : []),
        ...(m.check ? [`Channel / Canal / Kanaal / Kanal: ${m.check.channel} (${m.check.status})`] : []),
      ];
  const text = `${m.exercise ? "EXERCISE — EXERCICE — OEFENING — ÜBUNG\n\n" : ""}${lines.join("\n")}\n\n${facts.join("\n")}\n\n${m.url}\n`;
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${esc(subject)}</title></head>
<body style="margin:0;padding:12px;background:#f2f2f2;"><table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:600px;background:#ffffff;font-family:Arial,Helvetica,sans-serif;color:#111111;">
<tr><td style="background:${m.exercise ? "#FFD200" : "#C8102E"};color:${m.exercise ? "#111111" : "#ffffff"};padding:12px 16px;font-weight:bold;letter-spacing:2px;">CHILD ALERT${m.exercise ? " — EXERCISE" : ""}</td></tr>
<tr><td style="padding:16px;font-size:15px;line-height:22px;">${lines.map(esc).join("<br>")}</td></tr>
<tr><td style="padding:0 16px 16px 16px;font-size:13px;color:#555555;">${facts.map(esc).join("<br>")}</td></tr>
<tr><td style="padding:0 16px 18px 16px;"><a href="${esc(m.url)}" style="display:inline-block;background:#111111;color:#ffffff;font-weight:bold;padding:10px 16px;text-decoration:none;">Dashboard</a></td></tr>
</table></body></html>`;
  return { subject, text, html };
}

export interface PasskeyAddedModel {
  displayName: string;
  /** When the passkey was registered, ISO. */
  addedAt: string;
  /** Who made the link it was registered from: the owner themselves, or an admin (and who approved it). */
  how: { self: true } | { self: false; createdBy: string; approvedBy: string | null };
  /** The dashboard's account screen, where the owner sees and revokes their passkeys. */
  url: string;
}

const ADDED: Record<Language, { line: string; self: string; admin: (by: string, approved: string | null) => string; notYou: string }> = {
  fr: {
    line: "Une clé d'accès (passkey) a été ajoutée à votre compte Child Alert.",
    self: "Vous avez demandé ce lien vous-même.",
    admin: (by, ok) => `Lien créé par ${by}${ok ? `, approuvé par ${ok}` : ""}.`,
    notYou: "Si ce n'était pas vous : révoquez-la dans le tableau de bord (Mon compte) ou demandez-le à un administrateur, immédiatement.",
  },
  nl: {
    line: "Er werd een toegangssleutel (passkey) toegevoegd aan uw Child Alert-account.",
    self: "U hebt deze link zelf aangevraagd.",
    admin: (by, ok) => `Link aangemaakt door ${by}${ok ? `, goedgekeurd door ${ok}` : ""}.`,
    notYou: "Was u dit niet: trek de sleutel onmiddellijk in via het dashboard (Mijn account) of vraag het aan een beheerder.",
  },
  de: {
    line: "Ihrem Child-Alert-Konto wurde ein Passkey hinzugefügt.",
    self: "Sie haben diesen Link selbst angefordert.",
    admin: (by, ok) => `Link erstellt von ${by}${ok ? `, genehmigt von ${ok}` : ""}.`,
    notYou: "Waren Sie das nicht: widerrufen Sie ihn sofort im Dashboard (Mein Konto) oder bitten Sie einen Administrator darum.",
  },
  en: {
    line: "A passkey was added to your Child Alert account.",
    self: "You asked for this link yourself.",
    admin: (by, ok) => `Link made by ${by}${ok ? `, approved by ${ok}` : ""}.`,
    notYou: "If this was not you: revoke it at once in the dashboard (My account) or ask an admin to.",
  },
};

/** The owner's e-mail when a passkey is added to their account (issue 11: an admin cannot add one unseen). */
export function passkeyAddedMail(m: PasskeyAddedModel): { subject: string; text: string; html: string } {
  const subject = "Child Alert: a passkey was added to your account";
  const paragraphs = (["fr", "nl", "de", "en"] as const).map((l) => {
    const t = ADDED[l];
    return [t.line, m.how.self ? t.self : t.admin(m.how.createdBy, m.how.approvedBy), t.notYou].join(" ");
  });
  const facts = [`${m.displayName}`, `Added / Ajoutée / Toegevoegd / Hinzugefügt: ${m.addedAt}`];
  const text = `${paragraphs.join("\n\n")}\n\n${facts.join("\n")}\n\n${m.url}\n`;
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${esc(subject)}</title></head>
<body style="margin:0;padding:12px;background:#f2f2f2;"><table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:600px;background:#ffffff;font-family:Arial,Helvetica,sans-serif;color:#111111;">
<tr><td style="background:#111111;color:#ffffff;padding:12px 16px;font-weight:bold;letter-spacing:2px;">CHILD ALERT</td></tr>
${paragraphs.map((p) => `<tr><td style="padding:12px 16px 0 16px;font-size:15px;line-height:22px;">${esc(p)}</td></tr>`).join("\n")}
<tr><td style="padding:12px 16px 16px 16px;font-size:13px;color:#555555;">${facts.map(esc).join("<br>")}</td></tr>
<tr><td style="padding:0 16px 18px 16px;"><a href="${esc(m.url)}" style="display:inline-block;background:#111111;color:#ffffff;font-weight:bold;padding:10px 16px;text-decoration:none;">My account</a></td></tr>
</table></body></html>`;
  return { subject, text, html };
}
