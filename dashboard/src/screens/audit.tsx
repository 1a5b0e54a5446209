// The alert's audit trail, with the verdict on the whole hash chain.
import { useEffect, useState } from "preact/hooks";
import { api, type ChainVerdict, must } from "../api/client";
import type { paths } from "../api/schema";

type AuditEntry = paths["/alerts/{id}/audit"]["get"]["responses"][200]["content"]["application/json"]["entries"][number];
import { t } from "../i18n";
import { ErrorBox, fmtTime, useFocusHeading, THead } from "../ui";

export function Audit({ id }: { id: string }) {
  const [data, setData] = useState<{ entries: AuditEntry[]; chain: ChainVerdict } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const h1 = useFocusHeading(id);
  useEffect(() => {
    must(api.GET("/alerts/{id}/audit", { params: { path: { id } } })).then(setData, setError);
  }, [id]);
  return (
    <>
      <p>
        <a href={`/alerts/${id}`}>← {t("nav.backToAlert")}</a>
      </p>
      <h1 tabIndex={-1} ref={h1}>{t("audit.title")}</h1>
      <ErrorBox error={error} />
      {data && (
        <>
          <p id="chain-status" class={data.chain.ok ? "ok" : "error"} role="status">
            {data.chain.ok
              ? t("audit.chainOk", { n: String(data.chain.entries) })
              : t("audit.chainBroken", { seq: String(data.chain.firstBroken), reason: data.chain.reason ?? "" })}
          </p>
          <table id="audit">
            <THead cols={["#", t("audit.when"), t("audit.action"), t("audit.who"), t("audit.details"), t("audit.hash")]} />
            <tbody>
              {data.entries.map((e) => (
                <tr key={e.seq} class={!data.chain.ok && data.chain.firstBroken === e.seq ? "broken" : ""}>
                  <td>{e.seq}</td>
                  <td>{fmtTime(e.at)}</td>
                  <td>{e.action}</td>
                  <td>{e.actorRole && e.actorRole !== "system" ? `${e.actorName ?? "?"} (${t(`role.${e.actorRole}` as never)})` : t("audit.system")}</td>
                  <td>
                    <Details json={e.details} />
                  </td>
                  <td>
                    <code>{e.hash.slice(0, 10)}…</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}

/** The entry's details (ids, hashes, codes — never free text) as key: value lines. */
function Details({ json }: { json: string }) {
  let obj: Record<string, unknown>;
  try {
    obj = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return <code class="details">{json}</code>;
  }
  const show = (v: unknown): string =>
    typeof v === "string" && /^[0-9a-f]{64}$/.test(v) ? `${v.slice(0, 12)}…` : typeof v === "object" && v !== null ? JSON.stringify(v) : String(v);
  return (
    <ul class="details">
      {Object.entries(obj).map(([k, v]) => (
        <li key={k}>
          <span>{k}</span>: <code>{show(v)}</code>
        </li>
      ))}
    </ul>
  );
}
