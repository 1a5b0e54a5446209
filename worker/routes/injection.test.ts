// Issue 23, item 1, written as the attacker's steps: markup reflected into a page of our
// origin, and a same-origin form that makes a signed-in staff member's browser act.
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { api, as, authorisedAlert, liveAlert, makeTeam, ORIGIN, type Team } from "../test/helpers.ts";

let t: Team;
let live: string;
beforeAll(async () => {
  t = await makeTeam();
  live = await liveAlert(t);
});

/** What the attacker wants on our page: a redirect, a fake hotline, a planted form. */
const HOSTILE = `"'><meta http-equiv=refresh content="0;url=https://evil.test"><b id=pwn>call 0900</b><form action=/api/v1/alerts/x/launch method=post>`;
const MARKERS = ["<meta http-equiv=refresh", "<b id=pwn", "<form action=/api", "https://evil.test\"", "'><"];

async function send(method: string, path: string, init: { form?: Record<string, string>; multipart?: Record<string, string>; headers?: Record<string, string> } = {}) {
  let body: BodyInit | undefined;
  const headers: Record<string, string> = { "CF-Connecting-IP": `203.0.113.${Math.floor(Math.random() * 250)}`, ...init.headers };
  if (init.form) {
    body = new URLSearchParams(init.form).toString();
    headers["Content-Type"] = "application/x-www-form-urlencoded";
  } else if (init.multipart) {
    const fd = new FormData();
    for (const [k, v] of Object.entries(init.multipart)) fd.set(k, v);
    body = fd;
  }
  const res = await exports.default.fetch(new Request(`${ORIGIN}${path}`, { method, headers, body }));
  return { status: res.status, text: await res.text(), type: res.headers.get("Content-Type") ?? "" };
}

const q = encodeURIComponent(HOSTILE);

describe("no page of ours reflects markup (every public HTML route, hostile path, query and form values)", () => {
  const cases: [string, string, () => string, Parameters<typeof send>[2]?][] = [
    // The reported attack: the tip form's action took the path parameter as it came.
    ["POST", "tip form, hostile alert id in the path", () => `/alert/${HOSTILE}/tip`, { multipart: { text: "" } }],
    ["POST", "tip form, hostile id after a real one", () => `/alert/${live}${q}/tip`, { multipart: { text: "" } }],
    ["POST", "tip form, hostile fields sent back after a refusal", () => `/alert/${live}/tip?lang=${q}`, { multipart: { text: "", seenWhere: HOSTILE, seenAt: HOSTILE, name: HOSTILE, phone: HOSTILE, email: HOSTILE } }],
    ["GET", "alert page, hostile language", () => `/alert/${live}?lang=${q}`],
    ["GET", "alert page, hostile id", () => `/alert/${q}`],
    ["GET", "poster, hostile file name", () => `/alert/${live}/poster/${q}`],
    ["GET", "photo, hostile file name", () => `/alert/${live}/photo/${q}`],
    ["GET", "push subscription page", () => `/subscribe?lang=${q}`],
    ["GET", "e-mail subscription page", () => `/subscribe/email?lang=${q}`],
    ["POST", "e-mail subscription, hostile address", () => `/subscribe/email?lang=${q}`, { form: { email: HOSTILE, lang: HOSTILE, regions: HOSTILE } }],
    ["GET", "e-mail confirmation page", () => `/email/confirm?t=${q}&lang=${q}`],
    ["POST", "e-mail confirmation", () => `/email/confirm?lang=${q}`, { form: { t: HOSTILE } }],
    ["GET", "unsubscribe page", () => `/email/unsubscribe?s=${q}&t=${q}&lang=${q}`],
    ["POST", "unsubscribe", () => `/email/unsubscribe?s=${q}&t=${q}&lang=${q}`, { form: { "List-Unsubscribe": "One-Click" } }],
    ["GET", "widget frame, hostile partner and language", () => `/widget/frame?partner=${q}&lang=${q}`],
    ["GET", "widget data, hostile partner", () => `/api/v1/widget/${q}/alerts.json`],
    ["GET", "partners' page", () => `/partners?lang=${q}`],
    ["GET", "API reference", () => `/api/v1/docs?x=${q}`],
    ["GET", "unknown page", () => `/${q}`],
  ];
  for (const [method, name, path, init] of cases) {
    it(`${name}: nothing reflected raw`, async () => {
      const res = await send(method, path(), init);
      expect(res.status, name).toBeLessThan(500);
      for (const m of MARKERS) expect(res.text, `${name} reflects ${m}`).not.toContain(m);
    });
  }

  it("the tip form still comes back with what the citizen typed (escaped), after a refusal", async () => {
    const res = await send("POST", `/alert/${live}/tip?lang=en`, { multipart: { text: "", seenWhere: `Rue "du" <Marché>` } });
    expect(res.status).toBe(400);
    expect(res.text).toContain(`value="Rue &#34;du&#34; &#60;Marché&#62;"`);
    expect(res.text).toContain(`action="/alert/${live}/tip?lang=en"`);
  });

  it("a path parameter that is not a record id reaches no handler (404)", async () => {
    for (const path of [`/alert/${live}x`, `/alert/${live.toUpperCase()}`, `/alert/1/tip`]) {
      expect((await send("GET", path)).status, path).toBe(404);
    }
  });
});

describe("no form can act for a signed-in staff member (CSRF, even from a page of our origin)", () => {
  // A form planted on our origin (or an old injection) submits with our Origin and the
  // SameSite=Strict cookie: only the body types and headers a form can produce differ.
  const forged = (path: string, type: string | null, body = "") =>
    exports.default.fetch(
      new Request(`${ORIGIN}/api/v1${path}`, {
        method: "POST",
        headers: { Origin: ORIGIN, Cookie: t.cell.cookie, "CF-Connecting-IP": t.cell.ip, ...(type ? { "Content-Type": type } : {}) },
        body: type ? body : undefined,
      }),
    );

  it("a body-less command (launch) from a form is refused in every encoding a form has; the alert stays authorised", async () => {
    const id = await authorisedAlert(t);
    for (const type of ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain", null]) {
      const res = await forged(`/alerts/${id}/launch`, type, type?.startsWith("multipart") ? "--x--\r\n" : "");
      expect(res.status, String(type)).toBe(403);
      expect(((await res.json()) as { code: string }).code).toBe("E_BAD_ORIGIN");
    }
    // text/plain can even carry JSON-looking text: still a form's body.
    expect((await forged(`/alerts/${id}/stop`, "text/plain", `{"reason":"found_safe"}`)).status).toBe(403);
    expect((await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body.state).toBe("authorised");
    // The dashboard's own request (our client header) goes through.
    expect((await api("POST", `/alerts/${id}/launch`, undefined, as(t.cell))).status).toBe(200);
  });

  it("an admin's approval cannot be clicked through by a form either", async () => {
    const res = await exports.default.fetch(
      new Request(`${ORIGIN}/api/v1/admin/invitations/6f1c2b1e-8f0a-4a57-9d1c-3e5b2a9c7d10/approve`, {
        method: "POST",
        headers: { Origin: ORIGIN, Cookie: t.admin.cookie, "Content-Type": "application/x-www-form-urlencoded" },
        body: "",
      }),
    );
    expect(res.status).toBe(403);
  });
});
