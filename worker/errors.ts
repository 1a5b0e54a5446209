// One catalogue of errors: a stable code, its HTTP status and a plain message.
// Every refusal the API gives comes from here and is returned by app.onError as
// application/problem+json (RFC 9457) with `code` and, when useful, `detail`/`errors`.

export const ERRORS = {
  E_MALFORMED_JSON: { status: 400, title: "The request body is not valid JSON." },
  E_VALIDATION: { status: 400, title: "The request does not match the expected shape." },
  E_UNAUTHENTICATED: { status: 401, title: "Sign in first." },
  E_BAD_ASSERTION: { status: 401, title: "The passkey signature could not be verified." },
  E_CHALLENGE_INVALID: { status: 401, title: "The passkey challenge is unknown, expired or already used." },
  E_TOKEN_INVALID: { status: 410, title: "The link is unknown, expired or already used." },
  E_INVITATION_PENDING: { status: 409, title: "This link needs a second administrator's approval before it works." },
  E_SECOND_ADMIN_NEEDED: { status: 409, title: "This change needs a second administrator's approval, and there is no other active administrator: create the second one from the command line (npm run invite -- --role admin)." },
  E_INVITATION_INVALID: { status: 401, title: "The invitation link is unknown, expired or already used." },
  E_FORBIDDEN_ROLE: { status: 403, title: "Your role may not do this." },
  E_BAD_ORIGIN: { status: 403, title: "Cross-site request refused." },
  E_NOT_FOUND: { status: 404, title: "Not found." },
  E_PAYLOAD_TOO_LARGE: { status: 413, title: "The request body is too large." },
  E_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: "Unsupported content type." },
  E_BAD_IMAGE: { status: 422, title: "The file is not a usable photo." },
  E_PUSH_ENDPOINT: { status: 422, title: "The push endpoint is not an allowed push service." },
  E_NO_SUBSCRIPTION: { status: 404, title: "No such subscription (or the key does not match)." },
  E_UNKNOWN_PHOTO: { status: 422, title: "The content refers to a photo that was not uploaded for this alert." },
  E_INVALID_TRANSITION: { status: 409, title: "The alert is not in a state that allows this." },
  E_SIGNOFFS_PENDING: { status: 409, title: "Required sign-offs are missing for the current version." },
  E_NOT_AUTHORISED: { status: 409, title: "The magistrate has not authorised the current version." },
  E_CONSENT_MISSING: { status: 409, title: "The parents' side is not settled (consent, requisition or danger assessment)." },
  E_BLOCKED: { status: 409, title: "An operator refusal or a magistrate opposition blocks the alert." },
  E_CONTENT_CHANGED: { status: 409, title: "The content changed since the signature was requested; review it and sign again." },
  E_ALREADY_SIGNED: { status: 409, title: "This sign-off is already recorded for the current version." },
  E_NOT_ON_CASE: { status: 403, title: "Only the people named on this alert (its magistrate in charge, its investigators) may do this." },
  E_PV_MISSING: { status: 422, title: "The police report (PV) number of the case is required before submission (rule 11: the alert must match the judicial file)." },
  E_FILE_CLOSED: { status: 403, title: "The magistrate in charge has closed this alert's file to your role." },
  E_WIDGET_SITE: { status: 403, title: "This partner's widget is not issued for the site the browser says it is on." },
  E_NOT_INFORMED: { status: 409, title: "The federal prosecutor's office and the missing-persons cell must be informed first." },
  E_ONE_SEAT: { status: 409, title: "One person gives one of the alert's sign-offs: this one must come from someone else." },
  E_CRITERIA_NOT_MET: { status: 422, title: "The launch criteria are not all met." },
  E_TRANSLATION_MISSING: { status: 422, title: "A targeted language lacks a text; every language needs its own before submission." },
  E_RULE: { status: 422, title: "The request breaks a rule of the Child Alert protocol." },
  E_EXTENSIONS_EXHAUSTED: { status: 409, title: "The alert has been extended the maximum number of times." },
  E_CONFLICT: { status: 409, title: "A concurrent change won; retry." },
  E_CHALLENGE_FAILED: { status: 403, title: "The anti-abuse check (Turnstile) failed; reload the page and send again." },
  E_CALL_TAKEN: { status: 409, title: "Another call-taker already took this call." },
  E_SIGNATURE: { status: 403, title: "The telephony webhook's signature is missing, wrong or replayed." },
  E_CAP_SIGNATURE: { status: 403, title: "The CAP message is unsigned, or its XML signature does not verify with the key registered for this peer." },
  E_CAP_INVALID: { status: 422, title: "The CAP message is not one we take from a peer (well-formed CAP 1.2; Actual or Exercise; Alert, Update or Cancel)." },
  E_RATE_LIMITED: { status: 429, title: "Too many requests; slow down." },
  E_INTERNAL: { status: 500, title: "Internal error. The incident was logged without personal data." },
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** Thrown anywhere (domain, services, routes); rendered once by app.onError. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly detail?: string;
  readonly extra?: Record<string, unknown>;

  constructor(code: ErrorCode, detail?: string, extra?: Record<string, unknown>) {
    super(detail ? `${code}: ${detail}` : code);
    this.name = "AppError";
    this.code = code;
    this.detail = detail;
    this.extra = extra;
  }

  get status(): number {
    return ERRORS[this.code].status;
  }

  /** RFC 9457 problem document. `type` points at the error's entry in the API docs. */
  toProblem(instance?: string): Record<string, unknown> {
    return {
      type: `/api/v1/docs#${this.code}`,
      title: ERRORS[this.code].title,
      status: this.status,
      code: this.code,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(instance ? { instance } : {}),
      ...this.extra,
    };
  }
}

/** Serialisable form used across Durable Object RPC (class identity does not cross it). */
export type ErrorPayload = { code: ErrorCode; detail?: string; extra?: Record<string, unknown> };

export const toPayload = (e: AppError): ErrorPayload => ({ code: e.code, detail: e.detail, extra: e.extra });
export const fromPayload = (p: ErrorPayload): AppError => new AppError(p.code, p.detail, p.extra);
