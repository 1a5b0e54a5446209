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
      <h2>Sign-offs</h2><ul>${d.signOffs.map((o) => `<li>${esc(o.kind)} — ${esc(o.signer ?? "?")}, ${esc(new Date(o.createdAt).toLocaleString())}${o.valid ? "" : " <em>(no longer counts)</em>"}</li>`).join("") || "<li>None yet.</li>"}</ul>`;
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
