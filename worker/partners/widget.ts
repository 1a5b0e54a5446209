// The embeddable widget's script (issue 13), served as /widget.js. Plain ES2020, no
// build step, no dependency: read it as it is sent. Kept as a string here so the Worker
// serves it without an asset pipeline; a browser test loads it on a hostile page.
export const WIDGET_JS = String.raw`/* Child Alert widget — the partner page: /partners. One tag, with your partner id:
   <script async src="https://ORIGIN/widget.js" data-partner="YOUR-PARTNER-ID" data-lang="nl"></script>
   Renders the live alert in a shadow root (no CSS in or out), sets no cookie,
   never throws into the page, polls every 5 s and disappears when the alert stops. */
(() => {
  try {
    const s = document.currentScript;
    if (!s) return;
    const origin = new URL(s.src).origin;
    const want = (s.dataset.lang || document.documentElement.lang || "fr").slice(0, 2).toLowerCase();
    const partner = s.dataset.partner || "";
    if (!/^[0-9a-f-]{36}$/.test(partner)) {
      console.warn("Child Alert widget: data-partner (your partner id) is missing: see " + origin + "/partners");
      return;
    }
    // Its own element name: the page's rules for div, p… do not match it.
    const host = document.createElement("child-alert");
    host.setAttribute("data-child-alert", "");
    s.parentNode.insertBefore(host, s.nextSibling);
    const root = host.attachShadow({ mode: "open" });
    const css = new CSSStyleSheet();
    css.replaceSync(
      ":host{all:initial!important;display:block!important}" +
        ".w{box-sizing:border-box;display:flex;gap:12px;align-items:center;flex-wrap:wrap;margin:8px 0;padding:10px;border:3px solid #C8102E;border-radius:8px;background:#fff;color:#111;font:600 15px/1.35 system-ui,sans-serif;text-align:left}" +
        ".w.x{border-color:#FFD200}.i{display:block;width:240px;max-width:100%;height:auto;border:0}" +
        ".t{flex:1 1 220px;min-width:0}.k{display:block;color:#C8102E;font-weight:900;letter-spacing:.06em;font-size:13px}" +
        ".h{display:block;font-size:19px;font-weight:800;margin:2px 0}.d{display:block;font-weight:400;color:#333}" +
        "a{color:inherit;text-decoration:none}a:focus-visible{outline:3px solid #0a58ca;outline-offset:2px}" +
        ".c{display:inline-block;margin-top:6px;padding:6px 10px;border-radius:6px;background:#111;color:#FFD200;font-weight:900}",
    );
    root.adoptedStyleSheets = [css];
    const EXERCISE = { fr: "EXERCICE", nl: "OEFENING", de: "ÜBUNG", en: "EXERCISE" };
    const MORE = { fr: "Voir l'alerte", nl: "Bekijk de alert", de: "Zum Alarm", en: "See the alert" };
    const el = (tag, cls, text) => {
      const e = document.createElement(tag);
      if (cls) e.className = cls;
      if (text) e.textContent = text;
      return e;
    };
    // Rule 8: 116 000 to tap, both numbers in the reader's language, then the current end.
    const numbers = (txt, hotline, call, ends) => {
      if (hotline) {
        const tap = el("a", "c", "☎ 116 000");
        tap.href = "tel:" + hotline;
        txt.append(el("br"), tap);
      }
      if (call) txt.append(el("span", "d", call));
      if (ends) txt.append(el("span", "d", ends));
    };
    let shown = "";
    // Rule 13 (a partner abroad without adequate protection): that an alert is in progress, where to read it, where to call.
    const minimal = (a) => {
      const box = el("div", a.exercise ? "w x" : "w");
      box.setAttribute("role", "alert");
      const link = el("a");
      link.href = a.url;
      link.target = "_blank";
      link.rel = "noopener";
      const msg = typeof a.message === "string" ? a.message : a.message[want] || Object.values(a.message)[0];
      link.append(el("span", "k", a.exercise ? "CHILD ALERT — " + (EXERCISE[want] || EXERCISE.en) : "CHILD ALERT"), el("span", "h", msg), el("span", "d", MORE[want] || MORE.en));
      const txt = el("div", "t");
      txt.append(link);
      numbers(txt, a.hotline, a.call, a.ends);
      box.append(txt);
      return box;
    };
    const render = (list) => {
      // The server chose what this partner shows (regions, exercises if it opted in, rule 13).
      const a = list[0];
      const l = a && (a.languages && a.languages.includes(want) ? want : a.languages ? a.languages[0] : want);
      const key = a ? a.id + "|" + (a.version || "") + "|" + a.endsAt + "|" + l : "";
      if (key === shown) return;
      shown = key;
      if (!a) return root.replaceChildren();
      if (a.personalData === false) return root.replaceChildren(minimal(a));
      const t = a.texts[l];
      const page = a.url + "?lang=" + l;
      const box = el("div", a.exercise ? "w x" : "w");
      box.setAttribute("role", "alert");
      const pic = el("a");
      pic.href = page;
      pic.target = "_blank";
      pic.rel = "noopener";
      const img = el("img", "i");
      img.src = a.posters[l].landscape;
      img.alt = t.headline;
      img.width = 240;
      img.height = 126;
      pic.append(img);
      const txt = el("div", "t");
      const link = el("a");
      link.href = page;
      link.target = "_blank";
      link.rel = "noopener";
      // "OEFENING — CHILD ALERT: Noa" (or a search notice's "OPSPORINGSBERICHT: Noa") → the brand and marking beside the title, the name below it.
      const parts = /^(?:(.*?) — )?([^:]+): (.*)$/.exec(t.headline) || [];
      const brand = parts[2] || "CHILD ALERT";
      const mark = parts[1] || "";
      link.append(el("span", "k", mark ? brand + " — " + mark : brand), el("span", "h", parts[3] || t.name), el("span", "d", t.lastSeen), el("span", "d", MORE[l] + " →"));
      txt.append(link);
      numbers(txt, a.hotline, t.call, t.ends);
      box.append(pic, txt);
      root.replaceChildren(box);
    };
    const tick = async () => {
      try {
        const r = await fetch(origin + "/api/v1/widget/" + partner + "/alerts.json", { credentials: "omit", cache: "no-cache" });
        if (r.ok) render((await r.json()).alerts || []);
      } catch (e) {
        /* offline or blocked: keep what is shown, try again */
      }
      setTimeout(tick, 5000);
    };
    tick();
  } catch (e) {
    /* never break the host page */
  }
})();
`;
