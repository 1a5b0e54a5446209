// The 116 000 line's voice answers (issue 14), in TwiML — the webhook dialect of Twilio,
// also served by SignalWire, Telnyx TeXML and others. Pure: each function returns the
// XML document for one step of a call.
//   entry    → language menu (1 FR, 2 NL, 3 DE, 4 EN; no key: French)
//   language → the recording notice (press 9 to object; no key: no objection)
//   consent  → <Enqueue> into the alert's own queue (hold message with position), or, if
//              the line closed meanwhile, "the alert has ended" and the normal 116 000 line
//   wait     → position and hold; <Leave/> once the line closed (the stop)
//   left     → after the queue: "ended" + the normal line when the line closed; nothing otherwise
//   agent    → the call-taker's leg: <Dial><Queue> (first in, first out, as the console's "take next")
import type { Language } from "../domain/index.ts";

const VOICE: Record<Language, string> = { fr: "fr-BE", nl: "nl-BE", de: "de-DE", en: "en-GB" };
export const MENU_DIGITS: Record<string, Language> = { "1": "fr", "2": "nl", "3": "de", "4": "en" };
export const OBJECT_DIGIT = "9";

const T = {
  menu: {
    fr: "Ligne 116 000 Child Alert. Pour le français, tapez 1.",
    nl: "Voor Nederlands, druk 2.",
    de: "Für Deutsch, drücken Sie 3.",
    en: "For English, press 4.",
  },
  notice: {
    fr: "Merci d'appeler au sujet de l'alerte en cours. Votre appel est enregistré afin que vos informations parviennent aux enquêteurs. Si vous vous y opposez, tapez 9. Vous pouvez aussi rester anonyme.",
    nl: "Bedankt om te bellen over de lopende alert. Uw oproep wordt opgenomen zodat uw informatie de speurders bereikt. Als u daartegen bezwaar hebt, druk 9. U mag ook anoniem blijven.",
    de: "Danke für Ihren Anruf zum laufenden Alarm. Ihr Anruf wird aufgezeichnet, damit Ihre Hinweise die Ermittler erreichen. Wenn Sie widersprechen, drücken Sie 9. Sie können auch anonym bleiben.",
    en: "Thank you for calling about the current alert. Your call is recorded so that your information reaches the investigators. If you object, press 9. You may also stay anonymous.",
  },
  objected: {
    fr: "Votre appel ne sera pas enregistré et vous ne serez pas identifié.",
    nl: "Uw oproep wordt niet opgenomen en u wordt niet geïdentificeerd.",
    de: "Ihr Anruf wird nicht aufgezeichnet und Sie werden nicht identifiziert.",
    en: "Your call will not be recorded and you will not be identified.",
  },
  hold: {
    fr: (n: number) => `Vous êtes le numéro ${n} dans la file. Un écoutant vous répond dans un instant. Restez en ligne.`,
    nl: (n: number) => `U bent nummer ${n} in de wachtrij. Een medewerker helpt u zo dadelijk. Blijf aan de lijn.`,
    de: (n: number) => `Sie sind Nummer ${n} in der Warteschlange. Gleich meldet sich jemand. Bleiben Sie dran.`,
    en: (n: number) => `You are number ${n} in the queue. Someone will answer in a moment. Please hold.`,
  },
  ended: {
    fr: "L'alerte est terminée. Merci. Nous vous transférons vers la ligne 116 000.",
    nl: "De alert is beëindigd. Bedankt. We verbinden u door met de lijn 116 000.",
    de: "Der Alarm ist beendet. Danke. Wir verbinden Sie mit der Rufnummer 116 000.",
    en: "The alert has ended. Thank you. We are transferring you to the 116 000 line.",
  },
  noAlert: {
    fr: "Aucune alerte n'est en cours. Nous vous transférons vers la ligne 116 000.",
    nl: "Er loopt geen alert. We verbinden u door met de lijn 116 000.",
    de: "Es läuft kein Alarm. Wir verbinden Sie mit der Rufnummer 116 000.",
    en: "No alert is running. We are transferring you to the 116 000 line.",
  },
};

export const xmlEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
const say = (lang: Language, text: string) => `<Say language="${VOICE[lang]}">${xmlEscape(text)}</Say>`;
const doc = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;
const attr = (url: string) => xmlEscape(url);

/** The queue of one alert at the provider. */
export const queueName = (alertId: string) => `child-alert-${alertId}`;

export function menuTwiml(langUrl: string): string {
  const prompts = (["fr", "nl", "de", "en"] as const).map((l) => say(l, T.menu[l])).join("");
  return doc(`<Gather input="dtmf" numDigits="1" timeout="5" action="${attr(langUrl)}" method="POST">${prompts}</Gather><Redirect method="POST">${attr(langUrl)}</Redirect>`);
}

export function noticeTwiml(lang: Language, consentUrl: string): string {
  return doc(`<Gather input="dtmf" numDigits="1" timeout="4" action="${attr(consentUrl)}" method="POST">${say(lang, T.notice[lang])}</Gather><Redirect method="POST">${attr(consentUrl)}</Redirect>`);
}

/** Into the alert's queue; the recording starts here only if the caller did not object (Twilio's <Start><Recording>). */
export function enqueueTwiml(lang: Language, alertId: string, objected: boolean, waitUrl: string, leftUrl: string): string {
  const before = objected ? say(lang, T.objected[lang]) : `<Start><Recording channels="dual"/></Start>`;
  return doc(`${before}<Enqueue waitUrl="${attr(waitUrl)}" waitUrlMethod="POST" action="${attr(leftUrl)}" method="POST">${queueName(alertId)}</Enqueue>`);
}

export function holdTwiml(lang: Language, position: number): string {
  return doc(`${say(lang, T.hold[lang](Math.max(1, position)))}<Pause length="20"/>`);
}

/** Said inside the queue's wait loop once the line closed: the caller leaves the queue (the action URL then says it ended). */
export const leaveTwiml = () => doc("<Leave/>");

export function endedTwiml(lang: Language, fallbackNumber: string): string {
  return doc(`${say(lang, T.ended[lang])}<Dial>${xmlEscape(fallbackNumber)}</Dial>`);
}

export function noAlertTwiml(fallbackNumber: string): string {
  return doc(`${(["fr", "nl", "de", "en"] as const).map((l) => say(l, T.noAlert[l])).join("")}<Dial>${xmlEscape(fallbackNumber)}</Dial>`);
}

/** The call-taker's leg: bridged to the queue's first caller (first in, first out, as the console's "take next"). */
export function agentTwiml(alertId: string): string {
  return doc(`<Dial><Queue>${queueName(alertId)}</Queue></Dial>`);
}

export const emptyTwiml = () => doc("");
