// The e-mail a staff member or an authority's mailbox gets for a notice (rule 9, sign-off
// request, review prompt, purge notice). No child data: the alert's id, its state and the
// event, with a link to the dashboard, where the person signs in to see the rest. In the
// four languages of the platform (Belgian authorities work in French, Dutch and German).
import type { InformEvent, Language } from "../../worker/domain/index.ts";
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
}


export function noticeMail(m: NoticeMailModel): { subject: string; text: string; html: string } {
  const ref = m.alertId.slice(0, 8);
  const subject = `${m.exercise ? "[EXERCISE] " : ""}Child Alert ${ref}: ${SUBJECT[m.event]}`;
  const lines = (["fr", "nl", "de", "en"] as const).map((l) => LINES[m.event][l]);
  const facts = [`Alert / Alerte / Alert / Alarm: ${m.alertId}`, `State / État / Status / Status: ${m.state}`, ...(m.endsAt ? [`Ends / Fin / Einde / Ende: ${m.endsAt}`] : [])];
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
