// The e-mails citizens get: alert, update, the stop messages ("found — thank you" and
// "ended", without name or photo), and the subscription confirmation. Both parts: plain
// text and HTML built for mail clients (tables, inline styles, no CSS classes, no
// scripts, no remote images: the poster travels inline). The per-recipient unsubscribe
// link is left as UNSUBSCRIBE_URL and filled in at send time.
import type { Language } from "../../worker/domain/index.ts";
import { esc } from "../html.ts";
import { ageText, CATALOGUES, type Catalogue, endsLine, formatWhen, HOTLINE, HOTLINE_ABROAD } from "../i18n/index.ts";

export const UNSUBSCRIBE_URL = "%%UNSUBSCRIBE_URL%%";
/** Content-ID of the inline landscape poster. */
export const POSTER_CID = "poster@child-alert";
const POSTER_START = "<!--poster-->";
const POSTER_END = "<!--/poster-->";

/** The HTML without its poster row: for a message sent before the poster set was rendered (no broken image). */
export const withoutPoster = (html: string) => html.replace(new RegExp(`${POSTER_START}[\\s\\S]*?${POSTER_END}`), "");

/** What an alert e-mail shows, already decided (each language's own texts). */
export interface AlertMailModel {
  event: "alert" | "update" | "stop";
  lang: Language;
  exercise: boolean;
  /** Issue 29: a search notice (to those who opted in) says so. */
  notice?: boolean;
  alertUrl: string;
  /** The end of the alert (content events). */
  endsAt: string | null;
  /** Content events only. */
  text?: { name: string; age: number; lastSeenAt: string; place: string; description: string; clothing?: string; vehicle?: string; accompanying?: string; showHotline: boolean };
  /** Stop only. */
  found?: boolean;
}

export interface Mail {
  subject: string;
  text: string;
  html: string;
  lang: Language;
  /** The landscape poster goes inline (content events). */
  withPoster: boolean;
}

const RED = "#C8102E";
const YELLOW = "#FFD200";

function frame(c: Catalogue, lang: Language, exercise: boolean, title: string, inner: string, footer: string): string {
  const band = exercise ? `CHILD ALERT — ${esc(c.exercise)}` : "CHILD ALERT";
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title></head>
<body style="margin:0;padding:0;background:#f2f2f2;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f2f2f2;"><tr><td align="center" style="padding:12px;">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:600px;background:#ffffff;font-family:Arial,Helvetica,sans-serif;color:#111111;">
<tr><td style="background:${exercise ? YELLOW : RED};color:${exercise ? "#111111" : "#ffffff"};padding:14px 18px;font-size:20px;font-weight:bold;letter-spacing:2px;">${band}</td></tr>
${exercise ? `<tr><td style="background:${YELLOW};padding:0 18px 12px 18px;font-size:15px;font-weight:bold;color:#111111;">${esc(c.exerciseNote)}</td></tr>` : ""}
${inner}
<tr><td style="padding:14px 18px;font-size:12px;line-height:18px;color:#555555;border-top:1px solid #dddddd;">${footer}</td></tr>
</table></td></tr></table></body></html>`;
}

const hotlineHtml = (c: Catalogue) =>
  `<tr><td style="padding:6px 18px 16px 18px;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr><td style="background:#111111;color:${YELLOW};padding:12px;text-align:center;font-size:15px;"><span style="color:#ffffff;">${esc(c.call)}</span><br><a href="tel:116000" style="color:${YELLOW};font-size:34px;font-weight:bold;text-decoration:none;">${HOTLINE}</a><br><span style="color:#ffffff;font-size:13px;">${esc(c.free)} · ${HOTLINE_ABROAD} ${esc(c.abroad)}</span></td></tr></table></td></tr>`;

const callText = (c: Catalogue) => `${c.call} ${HOTLINE} (${c.free}) · ${HOTLINE_ABROAD} ${c.abroad}`;

/** Alert, update or stop, in one language. */
export function alertMail(m: AlertMailModel): Mail {
  const c = CATALOGUES[m.lang];
  const prefix = m.exercise ? `${c.exercise} — ` : "";
  const unsubscribeText = `${c.mailWhy}\n${c.mailUnsubscribe}: ${UNSUBSCRIBE_URL}`;
  const footer = `${esc(c.mailWhy)} <a href="${UNSUBSCRIBE_URL}" style="color:#555555;">${esc(c.mailUnsubscribe)}</a><br>${esc(c.mailNoReply)}`;
  if (m.event === "stop") {
    const title = m.found ? c.foundTitle : c.endedTitle;
    const body = m.found ? c.foundBody : c.endedBody;
    const subject = `${prefix}CHILD ALERT: ${title}`;
    // Rule 8: the line stays open after the stop — both numbers, as on the alert.
    const inner = `<tr><td style="padding:22px 18px;background:${m.found ? "#0B6E4F" : "#111111"};color:#ffffff;"><div style="font-size:24px;font-weight:bold;">${esc(title)}</div><div style="font-size:16px;line-height:24px;padding-top:8px;">${esc(body)}</div></td></tr>
${hotlineHtml(c)}`;
    return {
      subject,
      lang: m.lang,
      withPoster: false,
      text: [m.exercise ? c.exerciseNote : null, title, body, "", callText(c), c.mailNoReply, "", unsubscribeText].filter((x) => x !== null).join("\n"),
      html: frame(c, m.lang, m.exercise, subject, inner, footer),
    };
  }
  const t = m.text!;
  const age = ageText(c, t.age);
  const update = m.event === "update" ? `${c.mailUpdate}: ` : "";
  const brand = m.notice ? c.noticeBrand : "CHILD ALERT";
  const headline = m.notice ? c.noticeHeadline : c.headline;
  const subject = `${prefix}${update}${brand}: ${t.name}, ${age}`;
  const rows: [string, string | undefined][] = [
    [c.lastSeen, `${formatWhen(c, t.lastSeenAt)}, ${t.place}`],
    [c.clothing, t.clothing],
    [c.description, t.description],
    [c.vehicle, t.vehicle],
    [c.accompanying, t.accompanying],
  ];
  const shown = rows.filter((r): r is [string, string] => !!r[1]);
  const ends = m.endsAt ? endsLine(c, m.endsAt) : null;
  const inner = `<tr><td style="padding:16px 18px 4px 18px;font-size:15px;font-weight:bold;color:${RED};">${esc(update)}${esc(headline)}</td></tr>
<tr><td style="padding:4px 18px;font-size:26px;font-weight:bold;color:${RED};">${esc(t.name)}</td></tr>
<tr><td style="padding:0 18px 10px 18px;font-size:16px;font-weight:bold;">${esc(age)}</td></tr>
${POSTER_START}<tr><td style="padding:0 18px;"><img src="cid:${POSTER_CID}" width="564" alt="${esc(`${brand}: ${t.name}, ${age}`)}" style="display:block;width:100%;max-width:564px;height:auto;border:0;"></td></tr>${POSTER_END}
${shown.map(([k, v]) => `<tr><td style="padding:10px 18px 0 18px;font-size:13px;font-weight:bold;color:${RED};text-transform:uppercase;">${esc(k)}</td></tr><tr><td style="padding:2px 18px 0 18px;font-size:16px;line-height:23px;">${esc(v)}</td></tr>`).join("\n")}
${t.showHotline ? hotlineHtml(c) : ""}
<tr><td style="padding:4px 18px 12px 18px;font-size:16px;"><a href="${esc(m.alertUrl)}" style="color:${RED};font-weight:bold;">${esc(c.mailFullAlert)}</a>${ends ? `<br><span style="font-size:13px;color:#555555;">${esc(ends)}</span>` : ""}</td></tr>`;
  const text = [
    m.exercise ? `${c.exerciseNote}\n` : null,
    `${update}${headline}`,
    `${t.name}, ${age}`,
    "",
    ...shown.map(([k, v]) => `${k}: ${v}`),
    "",
    t.showHotline ? callText(c) : null,
    `${c.mailFullAlert}: ${m.alertUrl}`,
    ends,
    "",
    c.mailNoReply,
    "",
    unsubscribeText,
  ].filter((x) => x !== null);
  return { subject, lang: m.lang, withPoster: true, text: text.join("\n"), html: frame(c, m.lang, m.exercise, subject, inner, footer) };
}

/** The double opt-in message: the single-use link, nothing about any alert. */
export function confirmationMail(lang: Language, confirmUrl: string): Mail {
  const c = CATALOGUES[lang];
  const inner = `<tr><td style="padding:18px;font-size:16px;line-height:24px;">${esc(c.confirmBody)}</td></tr>
<tr><td style="padding:0 18px 18px 18px;"><a href="${esc(confirmUrl)}" style="display:inline-block;background:${RED};color:#ffffff;font-weight:bold;font-size:16px;padding:12px 18px;text-decoration:none;">${esc(c.confirmButton)}</a></td></tr>`;
  return {
    subject: c.confirmSubject,
    lang,
    withPoster: false,
    text: `${c.confirmBody}\n\n${c.confirmButton}: ${confirmUrl}\n\n${c.confirmIgnore}`,
    html: frame(c, lang, false, c.confirmSubject, inner, esc(c.confirmIgnore)),
  };
}
