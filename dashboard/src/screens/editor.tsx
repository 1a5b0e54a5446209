// The editor of a draft or of a new version: every field with inline validation (the
// very zod schema the Worker validates with), photo upload with preview, targeting,
// the exercise flag, the accompanying-person section, and the poster previews.
import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { AlertContent, type Language, LANGUAGES, type LocalizedField, REGIONS } from "../../../worker/domain/content.ts";
import { EDITABLE_STATES } from "../../../worker/domain/lifecycle.ts";
import { INITIATIVES } from "../../../worker/domain/kinds.ts";
import { type AlertDetail, api, ApiError, must, type Permission } from "../api/client";
import { languageName, regionName, t, TEXT_LABEL } from "../i18n";
import { useAlertLive } from "../lib/live";
import { navigate } from "../lib/router";
import { ErrorBox, useAction, useFocusHeading } from "../ui";
import { PosterPreviews } from "./posters";

/** The translated texts of the form and where each goes in the content (the domain's LOCALIZED_FIELDS). */
const TEXTS = {
  description: "child.description",
  clothing: "child.clothing",
  place: "lastSeen.place",
  circumstances: "circumstances",
  vehicleDescription: "vehicle.description",
  accompanying: "accompanyingPerson.description",
} as const satisfies Record<string, LocalizedField>;
type TextKey = keyof typeof TEXTS;
/** One text per language (languages not targeted keep theirs in the form, unsent, until ticked again). */
type Texts = Record<Language, string>;
const noTexts = (): Texts => ({ fr: "", nl: "", de: "", en: "" });

interface Form {
  firstName: string;
  lastName: string;
  age: string;
  protectedAdult: boolean;
  sex: "female" | "male" | "unspecified";
  heightCm: string;
  description: Texts;
  clothing: Texts;
  photos: string[];
  place: Texts;
  at: string;
  circumstances: Texts;
  vehicleDescription: Texts;
  plate: string;
  accompanying: Texts;
  regions: string[];
  languages: Language[];
  showHotline: boolean;
  purposeAttestation: boolean;
  /** Texts copied from another language and not edited since: "clothing.nl". */
  copied: string[];
}

const EMPTY: Form = {
  firstName: "",
  lastName: "",
  age: "",
  protectedAdult: false,
  sex: "unspecified",
  heightCm: "",
  description: noTexts(),
  clothing: noTexts(),
  photos: [],
  place: noTexts(),
  at: "",
  circumstances: noTexts(),
  vehicleDescription: noTexts(),
  plate: "",
  accompanying: noTexts(),
  regions: ["BE"],
  languages: [...LANGUAGES],
  showHotline: true,
  purposeAttestation: false,
  copied: [],
};

/** datetime-local (the person's local time) ⇄ ISO 8601; seconds shown only when the time has them. */
const toLocalInput = (iso: string) => {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  const s = d.getSeconds() || d.getMilliseconds() ? `:${p(d.getSeconds())}${d.getMilliseconds() ? `.${p(d.getMilliseconds(), 3)}` : ""}` : "";
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}${s}`;
};
const fromLocalInput = (v: string) => (v ? new Date(v).toISOString() : undefined);

const textsOf = (v: Partial<Texts> | undefined): Texts => ({ ...noTexts(), ...v });
const fieldKey = (field: LocalizedField) => (Object.keys(TEXTS) as TextKey[]).find((k) => TEXTS[k] === field)!;

function fromContent(c: Record<string, any>): Form {
  return {
    firstName: c.child?.firstName ?? "",
    lastName: c.child?.lastName ?? "",
    age: c.child?.age === undefined ? "" : String(c.child.age),
    protectedAdult: c.child?.protectedAdult ?? false,
    sex: c.child?.sex ?? "unspecified",
    heightCm: c.child?.heightCm === undefined ? "" : String(c.child.heightCm),
    description: textsOf(c.child?.description),
    clothing: textsOf(c.child?.clothing),
    photos: c.child?.photos ?? [],
    place: textsOf(c.lastSeen?.place),
    at: c.lastSeen?.at ? toLocalInput(c.lastSeen.at) : "",
    circumstances: textsOf(c.circumstances),
    vehicleDescription: textsOf(c.vehicle?.description),
    plate: c.vehicle?.plate ?? "",
    accompanying: textsOf(c.accompanyingPerson?.description),
    regions: c.targeting?.regions ?? ["BE"],
    languages: c.targeting?.languages ?? [...LANGUAGES],
    showHotline: c.showHotline ?? true,
    purposeAttestation: c.purposeAttestation === true,
    copied: (c.untranslated ?? []).map((u: { field: LocalizedField; lang: Language }) => `${fieldKey(u.field)}.${u.lang}`),
  };
}

function toContent(f: Form): unknown {
  const opt = (s: string) => (s.trim() ? s.trim() : undefined);
  const num = (s: string) => (s.trim() === "" ? undefined : Number(s));
  // The targeted languages' texts only; an untouched field is absent (required ones then say so).
  const localized = (k: TextKey) => Object.fromEntries(f.languages.filter((l) => f[k][l].trim()).map((l) => [l, f[k][l].trim()]));
  const optLocalized = (k: TextKey) => (Object.keys(localized(k)).length ? localized(k) : undefined);
  const untranslated = f.copied
    .map((c) => c.split(".") as [TextKey, Language])
    .filter(([k, l]) => f.languages.includes(l) && f[k][l].trim())
    .map(([k, l]) => ({ field: TEXTS[k], lang: l }));
  return {
    child: {
      firstName: f.firstName.trim(),
      lastName: opt(f.lastName),
      age: num(f.age),
      protectedAdult: f.protectedAdult,
      sex: f.sex,
      heightCm: num(f.heightCm),
      description: localized("description"),
      clothing: optLocalized("clothing"),
      photos: f.photos,
    },
    // Any form of the same instant hashes alike (domain contentHash): an untouched time changes nothing.
    lastSeen: { place: localized("place"), at: fromLocalInput(f.at) },
    circumstances: optLocalized("circumstances"),
    vehicle: optLocalized("vehicleDescription") || f.plate.trim() ? { description: localized("vehicleDescription"), plate: opt(f.plate) } : undefined,
    accompanyingPerson: optLocalized("accompanying") ? { description: localized("accompanying") } : undefined,
    targeting: { regions: f.regions, languages: f.languages },
    showHotline: f.showHotline,
    purposeAttestation: f.purposeAttestation || undefined,
    untranslated: untranslated.length ? untranslated : undefined,
  };
}

/** Errors are keyed by form field, or "field.lang" for one language's text. */
function errorKey(path: string): string | undefined {
  const parts = path.split(".");
  const last = parts.at(-1) as Language;
  if (LANGUAGES.includes(last)) {
    const k = PATHS[parts.slice(0, -1).join(".")];
    if (k && k in TEXTS) return `${k}.${last}`;
  }
  return PATHS[parts.slice(0, 2).join(".")] ?? PATHS[parts[0]!];
}

/** Form field → content path, for the messages of the schema and of the server. */
const PATHS: Record<string, keyof Form> = {
  "child.firstName": "firstName",
  "child.lastName": "lastName",
  "child.age": "age",
  "child.protectedAdult": "protectedAdult",
  "child.heightCm": "heightCm",
  "child.photos": "photos",
  "lastSeen.at": "at",
  "vehicle.plate": "plate",
  // The translated texts: their content paths are TEXTS'.
  ...(Object.fromEntries(Object.entries(TEXTS).map(([key, path]) => [path, key])) as Record<LocalizedField, TextKey>),
  "targeting.regions": "regions",
  "targeting.languages": "languages",
  purposeAttestation: "purposeAttestation",
};

type Issue = { code: string; path: PropertyKey[]; message: string; minimum?: unknown; maximum?: unknown; input?: unknown; origin?: string };

function issueText(i: Issue): string {
  const path = i.path.join(".");
  if (path === "purposeAttestation") return t("v.purpose");
  if (path === "child.protectedAdult") return t("v.protectedAdult");
  if (path === "lastSeen.at") return t("v.datetime");
  if (i.input === undefined && (i.code === "invalid_type" || i.code === "invalid_value")) return t("v.required");
  if (i.code === "custom" && i.path.length && LANGUAGES.includes(String(i.path.at(-1)) as Language)) return i.message;
  if (i.code === "custom" && i.path.map(String).join(".") in PATHS) return t("v.required");
  if (i.code === "too_small" && i.origin === "string") return t("v.required");
  if (i.code === "too_small" && i.origin === "array") return t("v.pickOne");
  if (i.code === "too_big" && i.origin === "string") return t("v.tooLong", { max: String(i.maximum) });
  if ((i.code === "too_small" || i.code === "too_big") && i.origin === "number") return t("v.range");
  if (i.code === "invalid_type") return t("v.number");
  return i.message;
}

function validate(f: Form): Record<string, string> {
  const r = AlertContent.safeParse(toContent(f));
  const out: Record<string, string> = {};
  if (!r.success) for (const i of r.error.issues as Issue[]) {
    const field = errorKey(i.path.map(String).join("."));
    if (field && !out[field]) out[field] = issueText(i);
  }
  return out;
}

/** Scales a photo down in the browser (≤ 1600 px, JPEG) before upload: less to send at 3 a.m. on a phone. */
async function downscale(file: File): Promise<Blob> {
  const MAX = 1600;
  const bitmap = await createImageBitmap(file).catch(() => null);
  if (!bitmap) return file; // let the server say what is wrong with it
  const scale = Math.min(1, MAX / Math.max(bitmap.width, bitmap.height));
  if (scale === 1 && file.size < 2_000_000) return file;
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d")!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve) => canvas.toBlob((b) => resolve(b ?? file), "image/jpeg", 0.9));
}

export function Editor({ alertId, role, can, kind = "child_alert" }: { alertId: string | null; role: string; can: (p: Permission) => boolean; kind?: "child_alert" | "search_notice" }) {
  const [form, setForm] = useState<Form>(EMPTY);
  /** Issue 29: a new search notice records whose initiative it is (§2.3.3.1). */
  const [initiative, setInitiative] = useState("");
  const [exercise, setExercise] = useState(true);
  const [detail, setDetail] = useState<AlertDetail | null>(null);
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState<string | null>(null);
  const [posterKey, setPosterKey] = useState(0);
  const [run, busy, error] = useAction();
  const [upload, uploading, uploadError] = useAction();
  const h1 = useFocusHeading(`${alertId}:${detail ? "ready" : "loading"}`);
  // The poster set of a saved version is announced over the alert's live feed.
  useAlertLive(alertId, (m) => m.type === "posters" && setPosterKey((k) => k + 1));

  useEffect(() => {
    if (!alertId) return;
    must(api.GET("/alerts/{id}", { params: { path: { id: alertId } } })).then((d) => {
      const v = d.versions.find((x) => x.id === (d.pendingVersionId ?? d.currentVersionId)) ?? d.versions.at(-1);
      if (v?.content) setForm(fromContent(v.content));
      setExercise(d.exercise);
      setDetail(d);
    });
  }, [alertId]);

  const errors = useMemo(() => ({ ...validate(form), ...serverErrors }), [form, serverErrors]);
  const shown = (k: string) => (submitted || touched.has(k) ? errors[k] : undefined);
  const set = <K extends keyof Form>(k: K, v: Form[K]) => {
    setForm((f) => ({ ...f, [k]: v }));
    setServerErrors(({ [k]: _drop, ...rest }) => rest);
    setSaved(null);
  };
  /** One language's text; typing in it ends its "copied" mark. */
  const setText = (k: TextKey, l: Language, v: string, copiedFrom?: Language) => {
    const key = `${k}.${l}`;
    setForm((f) => ({
      ...f,
      [k]: { ...f[k], [l]: v },
      copied: copiedFrom ? [...f.copied.filter((c) => c !== key), key] : f.copied.filter((c) => c !== key),
    }));
    setServerErrors(({ [key]: _drop, ...rest }) => rest);
    setSaved(null);
  };
  const touch = (k: string) => setTouched((s) => new Set(s).add(k));
  const editable = !detail || EDITABLE_STATES.includes(detail.state);

  const save = () =>
    run(async () => {
      setSubmitted(true);
      if (Object.keys(validate(form)).length) {
        document.querySelector<HTMLElement>("[aria-invalid=true]")?.focus();
        return;
      }
      const content = toContent(form) as never;
      try {
        if (!alertId) {
          const r = await must(api.POST("/alerts", { body: { exercise, content, kind, ...(kind === "search_notice" && initiative ? { initiative: initiative as never } : {}) } }));
          navigate(`/alerts/${r.alertId}/edit`, true);
          return;
        }
        const r = await must(api.PUT("/alerts/{id}/content", { params: { path: { id: alertId } }, body: { content } }));
        setSaved(r.changed ? t("editor.savedNew") : t("editor.savedSame"));
        setPosterKey((k) => k + 1);
      } catch (e) {
        const list = e instanceof ApiError ? e.problem?.errors : undefined;
        if (list?.length) {
          const mapped: Record<string, string> = {};
          for (const x of list) {
            const field = errorKey(x.path.replace(/^content\./, ""));
            if (field) mapped[field] = x.message;
          }
          setServerErrors(mapped);
        }
        throw e;
      }
    });

  const addPhotos = (files: FileList | null) =>
    upload(async () => {
      if (!alertId || !files) return;
      for (const file of [...files].slice(0, 4 - form.photos.length)) {
        const body = await downscale(file);
        const res = await fetch(`/api/v1/alerts/${alertId}/photos`, { method: "POST", body, credentials: "same-origin", headers: { "Content-Type": "application/octet-stream", "X-Requested-With": "child-alert" } });
        const data = await res.json();
        if (!res.ok) throw new ApiError(data);
        setForm((f) => ({ ...f, photos: f.photos.includes(data.hash) ? f.photos : [...f.photos, data.hash] }));
      }
    });

  const field = (k: keyof Form, label: string, input: JSX.Element, hint?: string) => (
    <div class={`field ${shown(k) ? "invalid" : ""}`}>
      <label for={`f-${k}`}>{label}</label>
      {hint && <small id={`h-${k}`}>{hint}</small>}
      {input}
      {shown(k) && (
        <small class="field-error" id={`e-${k}`}>
          {shown(k)}
        </small>
      )}
    </div>
  );
  const text = (k: keyof Form, opts: { multiline?: boolean; max?: number; type?: "text" | "number" | "datetime-local" } = {}) => {
    const common = {
      id: `f-${k}`,
      value: form[k] as string,
      "aria-invalid": shown(k) ? true : undefined,
      "aria-describedby": shown(k) ? `e-${k}` : undefined,
      onInput: (e: Event) => set(k, (e.target as HTMLInputElement).value as never),
      onBlur: () => touch(k),
      disabled: !editable,
    };
    if (opts.multiline) return <textarea {...common} rows={3} maxLength={opts.max} />;
    if (opts.type === "number") return <input {...common} type="number" inputMode="numeric" />;
    if (opts.type === "datetime-local") return <input {...common} type="datetime-local" step="any" />;
    return <input {...common} type="text" maxLength={opts.max} />;
  };
  const toggleIn = <K extends "regions" | "languages">(k: K, v: Form[K][number]) =>
    set(k, ((form[k] as string[]).includes(v) ? (form[k] as string[]).filter((x) => x !== v) : [...form[k], v]) as Form[K]);
  /** A translated text: one box per targeted language, side by side, with copy-from and the "copied" mark. */
  const texts = (k: TextKey, opts: { multiline?: boolean; max: number; hint?: string }) => {
    const label = t(TEXT_LABEL[TEXTS[k]]);
    const langs = LANGUAGES.filter((l) => form.languages.includes(l));
    const invalid = langs.some((l) => shown(`${k}.${l}`)) || !!shown(k);
    return (
      <div class={`field texts-field ${invalid ? "invalid" : ""}`} role="group" aria-labelledby={`g-${k}`}>
        <span class="label" id={`g-${k}`}>{label}</span>
        {opts.hint && <small>{opts.hint}</small>}
        <div class="langs">
          {langs.map((l, i) => {
            const key = `${k}.${l}`;
            const err = shown(key) ?? (i === 0 ? shown(k) : undefined);
            const copied = form.copied.includes(key);
            const empty = !form[k][l].trim();
            const sources = langs.filter((o) => o !== l && form[k][o].trim());
            const common = {
              id: `f-${k}-${l}`,
              lang: l,
              value: form[k][l],
              "aria-label": `${label} (${languageName(l)})`,
              "aria-invalid": err ? true : undefined,
              "aria-describedby": [err && `e-${key}`, copied && `c-${key}`].filter(Boolean).join(" ") || undefined,
              onInput: (e: Event) => setText(k, l, (e.target as HTMLInputElement).value),
              onBlur: () => touch(key),
              disabled: !editable,
            };
            return (
              <div class={`lang ${copied ? "copied" : ""}`} key={l}>
                <label for={common.id} aria-hidden="true">{languageName(l)}</label>
                {opts.multiline ? <textarea {...common} rows={3} maxLength={opts.max} /> : <input {...common} type="text" maxLength={opts.max} />}
                {copied && (
                  <small class="copied-note" id={`c-${key}`}>
                    {t("editor.copied")}{" "}
                    {editable && (
                      <button type="button" class="link" onClick={() => setText(k, l, form[k][l])}>
                        {t("editor.keepCopy")}
                      </button>
                    )}
                  </small>
                )}
                {empty && sources.length > 0 && (
                  <small>
                    {t("editor.textNeeded")}{" "}
                    {editable &&
                      sources.map((o) => (
                        <button type="button" class="link" key={o} onClick={() => setText(k, l, form[k][o], o)}>
                          {t("editor.copyFrom", { lang: languageName(o) })}
                        </button>
                      ))}
                  </small>
                )}
                {err && (
                  <small class="field-error" id={`e-${key}`}>
                    {err}
                  </small>
                )}
              </div>
            );
          })}
        </div>
      </div>
    );
  };

  // Never show an existing alert's form before its content is in: typing would be overwritten.
  if (alertId && !detail) return <p>{t("common.loading")}</p>;
  return (
    <>
      <p>
        <a href={alertId ? `/alerts/${alertId}` : "/"}>← {alertId ? t("nav.backToAlert") : t("nav.alerts")}</a>
      </p>
      <h1 tabIndex={-1} ref={h1}>{alertId ? t("editor.titleEdit") : t(kind === "search_notice" ? "editor.titleNewNotice" : "editor.titleNew")}</h1>
      {!alertId && kind === "search_notice" && (
        <div class="field">
          <label for="initiative">{t("notice.initiative")}</label>
          <select id="initiative" required value={initiative} onChange={(e) => setInitiative((e.target as HTMLSelectElement).value)}>
            <option value="">—</option>
            {INITIATIVES.map((i) => (
              <option key={i} value={i}>{t(`initiative.${i}` as never)}</option>
            ))}
          </select>
          <small>{t("notice.editorHint")}</small>
        </div>
      )}
      {detail && ["concertation", "authorised", "live"].includes(detail.state) && <p class="notice">{t("editor.resetWarning")}</p>}
      <form
        class="editor"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <fieldset>
          <legend>{t("editor.child")}</legend>
          <div class="grid">
            {field("firstName", t("f.firstName"), text("firstName", { max: 60 }))}
            {field("lastName", t("f.lastName"), text("lastName", { max: 60 }))}
            {field("age", t("f.age"), text("age", { type: "number" }))}
            {field("heightCm", t("f.heightCm"), text("heightCm", { type: "number" }))}
            <div class="field">
              <label for="f-sex">{t("f.sex")}</label>
              <select id="f-sex" value={form.sex} disabled={!editable} onChange={(e) => set("sex", (e.target as HTMLSelectElement).value as Form["sex"])}>
                {(["unspecified", "female", "male"] as const).map((s) => (
                  <option value={s}>{t(`sex.${s}`)}</option>
                ))}
              </select>
            </div>
            <div class={`field check ${shown("protectedAdult") ? "invalid" : ""}`}>
              <label>
                <input type="checkbox" checked={form.protectedAdult} disabled={!editable} onChange={(e) => set("protectedAdult", (e.target as HTMLInputElement).checked)} /> {t("f.protectedAdult")}
              </label>
              {shown("protectedAdult") && <small class="field-error">{shown("protectedAdult")}</small>}
            </div>
          </div>
          <p class="muted">{t("editor.translations")}</p>
          {texts("description", { multiline: true, max: 600 })}
          {texts("clothing", { multiline: true, max: 400 })}
          <div class="field">
            <span class="label" id="photos-label">{t("f.photos")}</span>
            <ul class="photos" aria-labelledby="photos-label">
              {form.photos.map((h, i) => (
                <li key={h}>
                  <img src={`/api/v1/alerts/${alertId}/photos/${h}`} alt={t("editor.photoAlt", { n: String(i + 1) })} />
                  <button type="button" class="secondary" disabled={!editable} onClick={() => set("photos", form.photos.filter((x) => x !== h))}>
                    {t("editor.removePhoto", { n: String(i + 1) })}
                  </button>
                </li>
              ))}
            </ul>
            {alertId ? (
              form.photos.length < 4 && editable && (
                <>
                  <label for="f-photo-file" class="sr-only">{t("editor.addPhoto")}</label>
                  <input id="f-photo-file" type="file" accept="image/jpeg,image/png,image/webp" multiple disabled={uploading} onChange={(e) => void addPhotos((e.target as HTMLInputElement).files)} />
                  <small>{uploading ? t("editor.uploading") : t("editor.photoHint")}</small>
                </>
              )
            ) : (
              <small>{t("editor.photoAfterCreate")}</small>
            )}
            <ErrorBox error={uploadError} />
          </div>
        </fieldset>

        <fieldset>
          <legend>{t("editor.lastSeen")}</legend>
          {field("at", t("f.at"), text("at", { type: "datetime-local" }))}
          {texts("place", { max: 200 })}
          {texts("circumstances", { multiline: true, max: 1000 })}
          {texts("vehicleDescription", { max: 200 })}
          {field("plate", t("f.plate"), text("plate", { max: 20 }))}
        </fieldset>

        <fieldset>
          <legend>{t("editor.accompanying")}</legend>
          {texts("accompanying", { multiline: true, max: 600, hint: t("editor.accompanyingHint") })}
        </fieldset>

        <fieldset>
          <legend>{t("editor.targeting")}</legend>
          <div class={`field ${shown("regions") ? "invalid" : ""}`}>
            <span class="label" id="regions-label">{t("f.regions")}</span>
            <div class="checks" role="group" aria-labelledby="regions-label">
              {REGIONS.map((r) => (
                <label key={r}>
                  <input type="checkbox" name="region" value={r} checked={form.regions.includes(r)} disabled={!editable} onChange={() => toggleIn("regions", r)} /> {regionName(r)}
                </label>
              ))}
            </div>
            {shown("regions") && <small class="field-error">{shown("regions")}</small>}
          </div>
          <div class={`field ${shown("languages") ? "invalid" : ""}`}>
            <span class="label" id="languages-label">{t("f.languages")}</span>
            <div class="checks" role="group" aria-labelledby="languages-label">
              {LANGUAGES.map((l) => (
                <label key={l}>
                  <input type="checkbox" name="language" value={l} checked={form.languages.includes(l)} disabled={!editable} onChange={() => toggleIn("languages", l)} />{" "}
                  {languageName(l)}
                </label>
              ))}
            </div>
            {shown("languages") && <small class="field-error">{shown("languages")}</small>}
          </div>
          <div class="field check">
            <label>
              <input type="checkbox" checked={exercise} disabled={!!alertId} onChange={(e) => setExercise((e.target as HTMLInputElement).checked)} /> {t("f.exercise")}
            </label>
            <small>{alertId ? t("editor.exerciseFixed") : t("editor.exerciseHint")}</small>
          </div>
          <div class="field check">
            <label>
              <input type="checkbox" checked={form.showHotline} disabled={!editable || role !== "operator"} onChange={(e) => set("showHotline", (e.target as HTMLInputElement).checked)} /> {t("f.showHotline")}
            </label>
            {role !== "operator" && <small>{t("editor.hotlineOperatorOnly")}</small>}
          </div>
        </fieldset>

        <fieldset>
          <legend>{t("editor.purpose")}</legend>
          <div class={`field check ${shown("purposeAttestation") ? "invalid" : ""}`}>
            <label>
              <input
                type="checkbox"
                id="f-purposeAttestation"
                checked={form.purposeAttestation}
                disabled={!editable}
                aria-invalid={shown("purposeAttestation") ? true : undefined}
                onChange={(e) => set("purposeAttestation", (e.target as HTMLInputElement).checked)}
              />{" "}
              {t("f.purposeAttestation")}
            </label>
            {shown("purposeAttestation") && <small class="field-error">{shown("purposeAttestation")}</small>}
          </div>
        </fieldset>

        {editable && (can("alert.edit") || (!alertId && can("alert.create"))) && (
          <p>
            <button type="submit" disabled={busy}>
              {alertId ? t("editor.save") : t("editor.create")}
            </button>{" "}
            {saved && (
              <span role="status" class="ok">
                {saved}
              </span>
            )}
          </p>
        )}
        {submitted && Object.keys(errors).length > 0 && (
          <p class="error" role="alert">
            {t("editor.fixFields", { n: String(Object.keys(errors).length) })}
          </p>
        )}
        <ErrorBox error={error} />
      </form>
      {alertId && <PosterPreviews alertId={alertId} refreshKey={posterKey} />}
    </>
  );
}
