// Staff dashboard (first cut): passkey sign-in, invitation acceptance, and the alert
// list with who is waiting on whom. The full dashboard (issue 5) builds on this.
import { startAuthentication, startRegistration } from "@simplewebauthn/browser";

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

interface AlertSummary {
  id: string;
  state: string;
  exercise: boolean;
  createdAt: string;
  firstName: string | null;
  readiness: { waitingOn: string[] };
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
  let rows = "";
  try {
    const { alerts } = await call<{ alerts: AlertSummary[] }>("GET", "/alerts");
    rows = alerts
      .map(
        (a) => `<tr><td>${esc(a.firstName ?? "—")}${a.exercise ? '<span class="badge">EXERCISE</span>' : ""}</td>
        <td><span class="state ${esc(a.state)}">${esc(a.state)}</span></td>
        <td>${esc(a.readiness.waitingOn.join(", ") || "—")}</td><td>${esc(new Date(a.createdAt).toLocaleString())}</td></tr>`,
      )
      .join("");
    app.innerHTML = `<h1>Alerts</h1><table><thead><tr><th>Child</th><th>State</th><th>Waiting on</th><th>Created</th></tr></thead>
      <tbody>${rows || '<tr><td colspan="4">No alerts.</td></tr>'}</tbody></table>
      <p><a href="/api/v1/docs">API documentation</a></p>`;
  } catch (e) {
    app.innerHTML = `<h1>Signed in</h1><p>Your role has no access to alerts.</p><p><a href="/api/v1/docs">API documentation</a></p>`;
  }
}

if (location.pathname === "/invite" && location.hash.length > 1) acceptInvitation(location.hash.slice(1));
else home();
