// A readable API reference rendered on the server from the OpenAPI document (no CDN,
// works offline), plus the error catalogue that problem `type` links point to.
import { esc } from "../../templates/html.ts";
import { ERRORS } from "../errors.ts";


type Op = {
  summary?: string;
  description?: string;
  tags?: string[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string }>;
};

export function renderDocs(doc: { info: { title: string; version: string }; paths?: Record<string, Record<string, Op>> }): string {
  const groups = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = op.tags?.[0] ?? "Other";
      const body = op.requestBody?.content?.["application/json"]?.schema;
      const html = `<section class="op"><h3><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>/api/v1${esc(path)}</code></h3>
<p>${esc(op.summary)}</p>${op.description ? `<p class="d">${esc(op.description).replace(/\n/g, "<br>")}</p>` : ""}
${body ? `<details><summary>Request body</summary><pre>${esc(JSON.stringify(body, null, 2))}</pre></details>` : ""}
<p class="r">${Object.entries(op.responses ?? {})
        .map(([code, r]) => `<span title="${esc(r.description)}">${esc(code)}</span>`)
        .join(" ")}</p></section>`;
      groups.set(tag, [...(groups.get(tag) ?? []), html]);
    }
  }
  const errors = Object.entries(ERRORS)
    .map(([code, e]) => `<tr id="${code}"><td><code>${code}</code></td><td>${e.status}</td><td>${esc(e.title)}</td></tr>`)
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(doc.info.title)} — API ${esc(doc.info.version)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
h1{margin-bottom:0}.op{border-top:1px solid #ddd;padding:.4rem 0}.op h3{font-size:1rem;margin:.4rem 0}
.m{display:inline-block;min-width:4.2rem;font-size:.8rem;padding:.1rem .4rem;border-radius:3px;color:#fff;background:#555;text-align:center}
.m.get{background:#1d6fa5}.m.post{background:#227a3a}.m.put,.m.patch{background:#9a6a00}.m.delete{background:#a12a2a}
.r span{display:inline-block;margin-right:.3rem;padding:0 .3rem;background:#eee;border-radius:3px;font-size:.85rem}
pre{background:#f6f6f6;padding:.6rem;overflow:auto;font-size:.8rem}table{border-collapse:collapse}td{border-top:1px solid #ddd;padding:.2rem .6rem}
.d{color:#444}</style></head><body>
<h1>${esc(doc.info.title)} API</h1><p>Version ${esc(doc.info.version)} · machine-readable: <a href="/api/v1/openapi.json">openapi.json</a>.
Staff routes need the session cookie from a passkey sign-in; state-changing requests must carry <code>Origin</code>.
Errors are <code>application/problem+json</code> with a stable <code>code</code> (see <a href="#errors">the catalogue</a>).</p>
${[...groups].map(([tag, ops]) => `<h2>${esc(tag)}</h2>${ops.join("")}`).join("")}
<h2 id="errors">Error catalogue</h2><table><tr><th>code</th><th>HTTP</th><th>meaning</th></tr>${errors}</table>
</body></html>`;
}
