// Staff dashboard (first cut): passkey sign-in, invitation acceptance, and the alert
// list with who is waiting on whom. The full dashboard (issue 5) builds on this.
import { startAuthentication, startRegistration } from "@simplewebauthn/browser";
import { type AlertDetail, api, type FanoutCounters, problemText } from "./api/client";

const app = document.getElementById("app")!;
const who = document.getElementById("who")!;

type Problem = { code: string; title: string; detail?: string };

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`/api/v1${path}`, {
    method,
    credentials: "same-origin",
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) throw Object.assign(new Error((data as Problem)?.detail ?? (data as Problem)?.title ?? res.statusText), { problem: data as Problem, status: res.status });
  return data as T;
}

const esc = (s: unknown) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function showError(err: unknown) {
  const p = document.createElement("p");
  p.className = "error";
  p.setAttribute("role", "alert");
  p.textContent = err instanceof Error ? err.message : String(err);
  app.querySelector(".error")?.remove();
  app.append(p);
}

async function acceptInvitation(token: string) {
  const inv = await call<{ email: string; displayName: string; role: string }>("GET", `/auth/invitations/${encodeURIComponent(token)}`).catch(
    (e) => {
      app.innerHTML = `<div class="card"><h1>Invitation</h1><p class="error" role="alert">${esc(e.message)}</p></div>`;
      return null;
    },
  );
  if (!inv) return;
  app.innerHTML = `<div class="card"><h1>Welcome, ${esc(inv.displayName)}</h1>
    <p>You are invited as <strong>${esc(inv.role)}</strong> (${esc(inv.email)}). Create a passkey on this device to sign in.</p>
    <button id="register">Create my passkey</button></div>`;
  document.getElementById("register")!.addEventListener("click", async () => {
    try {
      const { challengeId, options } = await call<{ challengeId: string; options: any }>("POST", "/auth/register/options", { token });
      const response = await startRegistration({ optionsJSON: options });
      await call("POST", "/auth/register/verify", { challengeId, response });
      history.replaceState(null, "", "/");
      await home();
    } catch (e) {
      showError(e);
    }
  });
}

async function signIn() {
  who.textContent = "";
  app.innerHTML = `<div class="card"><h1>Staff sign-in</h1><p>Sign in with the passkey you created from your invitation.</p>
    <button id="signin">Sign in with a passkey</button></div>`;
  document.getElementById("signin")!.addEventListener("click", async () => {
    try {
      const { challengeId, options } = await call<{ challengeId: string; options: any }>("POST", "/auth/login/options");
      const response = await startAuthentication({ optionsJSON: options });
      await call("POST", "/auth/login/verify", { challengeId, response });
      await home();
    } catch (e) {
      showError(e);
    }
  });
}

async function home() {
  let me: { user: { displayName: string; role: string } };
  try {
    me = await call("GET", "/auth/me");
  } catch {
    return signIn();
  }
  who.innerHTML = `<span id="signed-in">${esc(me.user.displayName)} · ${esc(me.user.role)}</span> <button class="secondary" id="signout">Sign out</button>`;
  document.getElementById("signout")!.addEventListener("click", async () => {
    await call("POST", "/auth/logout");
    await signIn();
  });
  const { data, error } = await api.GET("/alerts");
  if (error || !data) {
    app.innerHTML = `<h1>Signed in</h1><p>Your role has no access to alerts.</p><p><a href="/api/v1/docs">API documentation</a></p>`;
    return;
  }
  {
    const rows = data.alerts
      .map(
        (a) => `<tr><td><a href="/alerts/${esc(a.id)}">${esc(a.firstName ?? "—")}</a>${a.exercise ? '<span class="badge">EXERCISE</span>' : ""}</td>
        <td><span class="state ${esc(a.state)}">${esc(a.state)}</span></td>
        <td>${esc(a.readiness.waitingOn.join(", ") || "—")}</td><td>${esc(new Date(a.createdAt).toLocaleString())}</td></tr>`,
      )
      .join("");
    app.innerHTML = `<h1>Alerts</h1><table><thead><tr><th>Child</th><th>State</th><th>Waiting on</th><th>Created</th></tr></thead>
      <tbody>${rows || '<tr><td colspan="4">No alerts.</td></tr>'}</tbody></table>
      <p><a href="/api/v1/docs">API documentation</a></p>`;
  }
}

const CRITERIA = [
  ["minorOrProtected", "The child is a minor (or an adult under protected status)"],
  ["immediateDanger", "Abduction or disappearance, and the child's life or physical integrity is in immediate danger"],
  ["enoughInformation", "There is enough information for the public to help"],
  ["broadcastNotRiskier", "The broadcast itself does not put the child at greater risk"],
] as const;

const SIGN_KIND: Record<string, "investigator" | "cell" | "operator" | "authorisation"> = {
  investigator: "investigator",
  cell: "cell",
  operator: "operator",
  magistrate: "authorisation",
};

/** The passkey ceremony for a sign-off: the challenge carries the content hash being approved. */
async function signWithPasskey(id: string, kind: "investigator" | "cell" | "operator" | "authorisation", decision?: { criteria: Record<string, boolean>; riskAssessment: string }) {
  const opts = await api.POST("/alerts/{id}/signoffs/options", { params: { path: { id } }, body: { kind } });
  if (opts.error || !opts.data) throw new Error(problemText(opts.error));
  const response = await startAuthentication({ optionsJSON: opts.data.options as never });
  const done = await api.POST("/alerts/{id}/signoffs", {
    params: { path: { id } },
    body: { challengeId: opts.data.challengeId, response: response as never, decision: decision as never },
  });
  if (done.error) throw new Error(problemText(done.error));
}

/** What the signer approves: where, in which languages, what is withheld. */
function summary(d: AlertDetail): string {
  const v = d.versions.find((x) => x.id === (d.state === "live" ? d.pendingVersionId : d.currentVersionId));
  const c = v?.content as { targeting?: { regions: string[]; languages: string[] }; accompanyingPerson?: unknown } | null;
  if (!v || !c) return "";
  return `<p>Version ${v.number} · content hash <code>${esc(v.contentHash.slice(0, 16))}…</code><br>
    Published in <strong>${esc(c.targeting?.regions.join(", "))}</strong>, in <strong>${esc(c.targeting?.languages.join(", ").toUpperCase())}</strong>,
    on web push, the public alert page and the posters${d.exercise ? " — as an <strong>EXERCISE</strong> to opted-in subscribers only" : ""}.
    ${c.accompanyingPerson ? "<br>The accompanying-person section is <strong>not</strong> published unless you sign it separately." : ""}</p>`;
}

const STOP_REASONS = [
  ["found_safe", "Found safe"],
  ["found_other", "Found — other outcome (not published)"],
  ["withdrawn", "Withdrawn by the magistrate"],
] as const;

/** One alert: state, who it waits on, sign-offs, live channel progress, the stop command. */
async function alertScreen(id: string, role: string) {
  let detail: AlertDetail | undefined;
  let fanouts: FanoutCounters[] = [];
  // Counters only grow: whichever copy (push or reload) is further along wins.
  const progress = (f: FanoutCounters) => f.pagesDone + f.sent + f.failed + f.pruned + f.fenced + f.skipped;
  const merge = (incoming: FanoutCounters[]) => {
    const byId = new Map(fanouts.map((f) => [f.fanoutId, f]));
    for (const f of incoming) {
      const have = byId.get(f.fanoutId);
      if (!have || progress(f) >= progress(have)) byId.set(f.fanoutId, f);
    }
    fanouts = [...byId.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  };
  const render = () => {
    if (!detail) return;
    const d = detail;
    // Live updates re-render the screen: keep what the person was typing or ticking.
    const risk = (document.getElementById("risk") as HTMLTextAreaElement | null)?.value;
    const ticked = [...document.querySelectorAll<HTMLInputElement>("input[name=criterion]:checked")].map((i) => i.value);
    const current = d.versions.find((v) => v.id === d.currentVersionId);
    const child = (current?.content as { child?: { firstName?: string; lastName?: string } } | null)?.child;
    const name = [child?.firstName, child?.lastName].filter(Boolean).join(" ") || "—";
    const left = d.endsAt ? Math.max(0, Math.round((Date.parse(d.endsAt) - Date.now()) / 60000)) : null;
    const canStop = d.state === "live" && ["magistrate", "cell", "operator"].includes(role);
    app.innerHTML = `<p><a href="/">← Alerts</a></p>
      <h1>${esc(name)} <span class="state ${esc(d.state)}" id="alert-state">${esc(d.state)}</span>${d.exercise ? '<span class="badge">EXERCISE</span>' : ""}</h1>
      ${d.launchedAt ? `<p>Launched ${esc(new Date(d.launchedAt).toLocaleString())}${left !== null && d.state === "live" ? ` · <strong>${left} min left</strong> (extended ${d.extensions}×)` : ""}</p>` : ""}
      ${d.readiness.waitingOn.length ? `<p>Waiting on: <strong>${esc(d.readiness.waitingOn.join(", "))}</strong></p>` : ""}
      <h2>Channels</h2>
      <table id="fanout"><thead><tr><th>Message</th><th>Pages</th><th>Sent</th><th>Failed</th><th>Removed</th><th>Retrying</th><th>Held by the stop</th></tr></thead><tbody>
      ${fanouts.map((f) => `<tr data-event="${esc(f.event)}"><td>web push · ${esc(f.event)}</td><td>${f.pagesDone}/${f.pagesPlanned}${f.deadPages ? ` (${f.deadPages} dead)` : ""}</td><td>${f.sent}</td><td>${f.failed}</td><td>${f.pruned}</td><td>${f.retrying}</td><td>${f.fenced}</td></tr>`).join("") || '<tr><td colspan="7">Nothing sent yet.</td></tr>'}
      </tbody></table>
      ${canStop ? `<div class="card" id="stop-card"><h2>Stop the alert</h2>
        <label for="stop-reason">Reason</label> <select id="stop-reason">${STOP_REASONS.map(([v, l]) => `<option value="${v}">${esc(l)}</option>`).join("")}</select>
        <p><button id="stop">Stop the alert everywhere</button> <button id="stop-confirm" hidden>Confirm: stop now</button> <button class="secondary" id="stop-cancel" hidden>Cancel</button></p></div>` : ""}
      ${signCard(d, role)}
      <h2>Sign-offs</h2><ul>${d.signOffs.map((o) => `<li>${esc(o.kind)} — ${esc(o.signer ?? "?")}, ${esc(new Date(o.createdAt).toLocaleString())}${o.valid ? "" : " <em>(no longer counts)</em>"}</li>`).join("") || "<li>None yet.</li>"}</ul>`;
    const riskBox = document.getElementById("risk") as HTMLTextAreaElement | null;
    if (riskBox && risk) riskBox.value = risk;
    for (const v of ticked) (document.querySelector(`input[name=criterion][value="${v}"]`) as HTMLInputElement | null)?.click();
    wireSignCard(id, role);
    if (canStop) {
      const stop = document.getElementById("stop") as HTMLButtonElement;
      const confirm = document.getElementById("stop-confirm") as HTMLButtonElement;
      const cancel = document.getElementById("stop-cancel") as HTMLButtonElement;
      stop.onclick = () => {
        stop.hidden = true;
        confirm.hidden = cancel.hidden = false;
        confirm.focus();
      };
      cancel.onclick = () => {
        stop.hidden = false;
        confirm.hidden = cancel.hidden = true;
      };
      confirm.onclick = async () => {
        const reason = (document.getElementById("stop-reason") as HTMLSelectElement).value as (typeof STOP_REASONS)[number][0];
        const { error } = await api.POST("/alerts/{id}/stop", { params: { path: { id } }, body: { reason } });
        if (error) showError(new Error(problemText(error)));
      };
    }
  };
  const load = async () => {
    const [d, f] = await Promise.all([api.GET("/alerts/{id}", { params: { path: { id } } }), api.GET("/alerts/{id}/fanout", { params: { path: { id } } })]);
    if (d.error || !d.data) {
      app.innerHTML = `<p class="error" role="alert">${esc(problemText(d.error, "Alert not found"))}</p>`;
      return;
    }
    detail = d.data;
    merge(f.data?.fanouts ?? []);
    render();
  };
  await load();
  // Live: the alert's Durable Object pushes every change; no polling.
  const ws = new WebSocket(`${location.origin.replace(/^http/, "ws")}/api/v1/alerts/${id}/live`);
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data as string);
    if (m.type === "fanout") {
      merge([m.counters]);
      render();
    } else if (m.type === "state") void load();
  };
}

/** The sign-off (or, for the magistrate, the authorisation) this person still owes. */
function signCard(d: AlertDetail, role: string): string {
  const kind = SIGN_KIND[role];
  if (!kind || !d.readiness.missingSignOffs.includes(kind)) return "";
  if (d.state !== "concertation" && !(d.state === "live" && d.pendingVersionId)) return "";
  if (kind !== "authorisation") {
    return `<div class="card" id="sign-card"><h2>Your sign-off</h2>${summary(d)}
      <button id="sign">Sign off this version with my passkey</button></div>`;
  }
  const blocked = d.readiness.missingSignOffs.filter((k) => k !== "authorisation");
  return `<div class="card" id="sign-card"><h2>Authorisation</h2>${summary(d)}
    ${blocked.length ? `<p>Still missing before you can authorise: <strong>${esc(blocked.join(", "))}</strong>.</p>` : ""}
    ${d.readiness.consentSettled ? "" : "<p>The parents' side is not settled yet.</p>"}
    <fieldset><legend>Launch criteria</legend>${CRITERIA.map(([k, l]) => `<label><input type="checkbox" name="criterion" value="${k}"> ${esc(l)}</label>`).join("")}</fieldset>
    <label for="risk">Risk assessment (what a broadcast could do to the child, weighed)</label>
    <textarea id="risk" rows="4" style="width:100%"></textarea>
    <p><button id="sign">Sign the authorisation with my passkey</button></p></div>`;
}

function wireSignCard(id: string, role: string): void {
  const button = document.getElementById("sign") as HTMLButtonElement | null;
  if (!button) return;
  button.onclick = async () => {
    const kind = SIGN_KIND[role]!;
    try {
      button.disabled = true;
      if (kind === "authorisation") {
        const criteria = Object.fromEntries(CRITERIA.map(([k]) => [k, (document.querySelector(`input[value="${k}"]`) as HTMLInputElement).checked]));
        await signWithPasskey(id, kind, { criteria, riskAssessment: (document.getElementById("risk") as HTMLTextAreaElement).value });
      } else await signWithPasskey(id, kind);
    } catch (e) {
      button.disabled = false;
      showError(e);
    }
  };
}

async function route() {
  const m = /^\/alerts\/([0-9a-f-]{36})$/.exec(location.pathname);
  if (m) {
    const { data } = await api.GET("/auth/me");
    if (!data) return signIn();
    who.innerHTML = `<span id="signed-in">${esc(data.user.displayName)} · ${esc(data.user.role)}</span>`;
    return alertScreen(m[1]!, data.user.role);
  }
  return home();
}

if (location.pathname === "/invite" && location.hash.length > 1) acceptInvitation(location.hash.slice(1));
else route();
