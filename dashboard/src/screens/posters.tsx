// Poster previews of the version under review: every format, in the chosen language.
// The set renders in a queue job after each save; the job's end arrives over the live feed.
import { useEffect, useState } from "preact/hooks";
import { api, must, type PosterSet } from "../api/client";
import { lang, languageName, t } from "../i18n";
import { ErrorBox } from "../ui";

export function PosterPreviews({ alertId, refreshKey, bare = false }: { alertId: string; refreshKey: string | number; bare?: boolean }) {
  const [set, setSet] = useState<PosterSet | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [language, setLanguage] = useState<string>(lang());
  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async (safety: boolean) => {
      try {
        const s = await must(api.GET("/alerts/{id}/posters", { params: { path: { id: alertId } } }));
        if (stop) return;
        setSet(s);
        // The render job announces the finished set over the alert's live feed (refreshKey
        // changes). One late look covers a message lost to a reconnect.
        if (s.status === "rendering" && !safety) timer = setTimeout(() => void load(true), 30_000);
      } catch (e) {
        setError(e);
      }
    };
    void load(false);
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [alertId, refreshKey]);
  const langs = [...new Set(set?.posters.map((p) => p.lang) ?? [])];
  // The UI language when the alert targets it, else the alert's first language.
  const effective = langs.includes(language as never) ? language : langs[0];
  const shown = set?.posters.filter((p) => p.lang === effective) ?? [];
  return (
    <section class={bare ? "" : "card"} aria-label={t("posters.title")}>
      {!bare && <h2>{t("posters.title")}</h2>}
      <ErrorBox error={error} />
      {set?.status === "none" && <p>{t("posters.none")}</p>}
      {set?.status === "rendering" && (
        <p role="status">
          {t("posters.rendering", { done: String(set.posters.length), total: String(set.expected) })}
        </p>
      )}
      {langs.length > 0 && (
        <p>
          <label for="poster-lang">{t("posters.language")}</label>{" "}
          <select id="poster-lang" value={effective} onChange={(e) => setLanguage((e.target as HTMLSelectElement).value)}>
            {langs.map((l) => (
              <option value={l}>{languageName(l)}</option>
            ))}
          </select>
        </p>
      )}
      <ul class="posters">
        {shown.map((p) => (
          <li key={p.url}>
            <a href={p.url} target="_blank" rel="noopener">
              <img src={p.url} alt={`${t("posters.alt", { format: p.format, lang: p.lang.toUpperCase() })}: ${p.text}`} loading="lazy" />
            </a>
            <small>
              {p.format} · {p.width}×{p.height}
            </small>
          </li>
        ))}
      </ul>
    </section>
  );
}
