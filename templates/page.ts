// The shell of every server-rendered public page (the alert page, the tip form, the
// e-mail subscription pages, the partner page): one stylesheet, no script of its own,
// and the language switcher. Pure strings; the routes fill the body.
import { LANGUAGES, type Language } from "../worker/domain/content.ts";
import { esc } from "./html.ts";

export function page(lang: Language, title: string, body: string, extraHead = ""): string {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title>${extraHead}
<style>
:root{font:17px/1.5 system-ui,sans-serif;color:#111;background:#fff}body{margin:0}
header{background:#C8102E;color:#fff;padding:.7rem 1rem;font-weight:800;letter-spacing:.06em}
header.ex{background:#FFD200;color:#111}header.notice{background:#0B3C8C}main{max-width:44rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;line-height:1.2;margin:.6rem 0}.poster{width:100%;height:auto;border:1px solid #ddd}
.call{display:block;background:#111;color:#FFD200;text-decoration:none;font-size:2.2rem;font-weight:900;text-align:center;padding:.6rem;border-radius:8px;margin:1rem 0 .3rem}
.muted{color:#444}.found{background:#0B6E4F;color:#fff;padding:1.2rem;border-radius:8px}.ended{background:#111;color:#fff;padding:1.2rem;border-radius:8px}
dl dt{font-weight:700;color:#C8102E;margin-top:.6rem}dl dd{margin:0}
fieldset{border:1px solid #ccc;border-radius:8px;margin:1rem 0}label{display:block;padding:.2rem 0}
textarea,input[type=text],input[type=tel],input[type=email]{display:block;width:100%;box-sizing:border-box;font:inherit;padding:.5rem;border:2px solid #555;border-radius:6px;margin:.2rem 0 .6rem}[aria-invalid=true]{border-color:#b00020}.problem{color:#b00020}#tip{border-top:2px solid #111;margin-top:1.5rem}
button{font:inherit;font-weight:700;padding:.7rem 1.2rem;border-radius:8px;border:2px solid #111;background:#111;color:#fff;cursor:pointer;margin:.3rem .3rem .3rem 0}
button.secondary{background:#fff;color:#111}button:focus-visible,a:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid #0a58ca;outline-offset:2px}
nav a{margin-right:.8rem}#status{min-height:1.5rem;font-weight:600}
.photos{list-style:none;padding:0;margin:.8rem 0;display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.5rem}.photos img{width:100%;height:auto;border:1px solid #ddd;border-radius:4px}
</style></head><body>${body}</body></html>`;
}

export function langNav(path: string, current: Language): string {
  return `<nav aria-label="Language">${LANGUAGES.map((l) => (l === current ? `<strong>${l.toUpperCase()}</strong>` : `<a href="${path}?lang=${l}" hreflang="${l}" lang="${l}">${l.toUpperCase()}</a>`)).join(" ")}</nav>`;
}
