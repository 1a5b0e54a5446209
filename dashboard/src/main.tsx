// The staff dashboard: one Preact app, every screen behind the role's permissions
// (the server checks them again), in French, Dutch, German or English.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { Role } from "../../worker/domain/roles.ts";
import { api, type Me, type Permission } from "./api/client";
import { LANGS, lang, setLang, t } from "./i18n";
import { onLinkClick, usePath } from "./lib/router";
import { Admin, Statistics } from "./screens/admin";
import { Account } from "./screens/account";
import { Partners } from "./screens/partners";
import { AlertScreen } from "./screens/alert";
import { AlertList } from "./screens/alerts";
import { Audit } from "./screens/audit";
import { ReadinessScreen } from "./screens/readiness";
import { DrillsScreen, ScorecardScreen } from "./screens/drills";
import { AbroadScreen } from "./screens/abroad";
import { Invitation, SignIn } from "./screens/auth";
import { Editor } from "./screens/editor";
import { InboxScreen } from "./screens/inbox";
import { IntakeConsole } from "./screens/intake";
import { useInboxLive } from "./lib/inbox";

const UUID = "([0-9a-f-]{36})";

function App() {
  const path = usePath();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [, setLanguage] = useState<string>(lang());
  const loadMe = async () => {
    const { data } = await api.GET("/auth/me");
    setMe(data ?? null);
  };
  useEffect(() => {
    void loadMe();
  }, []);
  const changeLang = (l: string) => {
    setLang(l);
    setLanguage(l);
  };
  const invite = path === "/invite" && location.hash.length > 1 ? location.hash.slice(1) : null;
  const can = (p: Permission) => me?.permissions.includes(p) ?? false;

  let screen;
  // An invitation opens even when someone is signed in on this browser: registering switches the session.
  if (invite) screen = <Invitation token={invite} onSignedIn={loadMe} />;
  else if (me === undefined) screen = <p>{t("common.loading")}</p>;
  else if (me === null) screen = <SignIn onSignedIn={loadMe} />;
  else screen = route(path, me, can);

  return (
    <div onClick={onLinkClick}>
      <a class="skip" href="#main">
        {t("nav.skip")}
      </a>
      <header class="bar">
        <a href="/" class="brand">
          CHILD ALERT
        </a>
        {me && (
          <nav aria-label={t("nav.main")}>
            {can("alert.read") && <a href="/">{t("nav.alerts")}</a>}
            {can("intake.take") && <a href="/intake">{t("nav.intake")}</a>}
            {can("alert.create") && me.user.role !== "operator" && <a href="/alerts/new">{t("alerts.new")}</a>}
            {can("alert.create") && <a href="/alerts/new-notice">{t("alerts.newNotice")}</a>}
            {can("stats.read") && <a href="/statistics">{t("nav.statistics")}</a>}
            {can("admin.users") && <a href="/admin">{t("nav.admin")}</a>}
            {can("admin.partners") && <a href="/admin/partners">{t("nav.partners")}</a>}
            {can("health.read") && <a href="/readiness">{t("nav.readiness")}</a>}
            {can("drill.read") && <a href="/drills">{t("nav.drills")}</a>}
            {(can("peer.requests") || can("admin.partners")) && <a href="/abroad">{t("nav.abroad")}</a>}
            <InboxLink live={can("alert.read")} />
          </nav>
        )}
        <span class="spacer" />
        <label for="ui-lang" class="sr-only">
          {t("nav.language")}
        </label>
        <select id="ui-lang" value={lang()} onChange={(e) => changeLang((e.target as HTMLSelectElement).value)}>
          {LANGS.map((l) => (
            <option value={l}>{l.toUpperCase()}</option>
          ))}
        </select>
        {me && (
          <>
            <a href="/account" id="signed-in" title={t("nav.account")}>
              {me.user.displayName} · {t(`role.${me.user.role}`)}
            </a>
            <button class="secondary" onClick={async () => {
              await api.POST("/auth/logout");
              setMe(null);
            }}>
              {t("nav.signOut")}
            </button>
          </>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {screen}
      </main>
    </div>
  );
}

function route(path: string, me: Me, can: (p: Permission) => boolean) {
  const role = me.user.role as Role;
  let m: RegExpExecArray | null;
  if (path === "/alerts/new" && can("alert.create")) return <Editor key="new" alertId={null} role={role} can={can} />;
  if (path === "/alerts/new-notice" && can("alert.create")) return <Editor key="new-notice" alertId={null} role={role} can={can} kind="search_notice" />;
  if ((m = new RegExp(`^/alerts/${UUID}/edit$`).exec(path))) return <Editor key={m[1]} alertId={m[1]!} role={role} can={can} />;
  if ((m = new RegExp(`^/alerts/${UUID}/audit$`).exec(path))) return <Audit id={m[1]!} />;
  if ((m = new RegExp(`^/alerts/${UUID}$`).exec(path))) return <AlertScreen key={m[1]} id={m[1]!} role={role} can={can} />;
  if (path === "/statistics" && can("stats.read")) return <Statistics />;
  if (path === "/inbox") return <InboxScreen />;
  if (path === "/account") return <Account />;
  if ((path === "/intake" || path === "/") && can("intake.take")) return <IntakeConsole />;
  if (path === "/admin/partners" && can("admin.partners")) return <Partners />;
  if (path === "/readiness" && can("health.read")) return <ReadinessScreen canCheck={can("health.check")} canWake={can("staff.push")} />;
  if (path === "/drills" && can("drill.read")) return <DrillsScreen canRun={can("drill.run")} canSetTargets={can("drill.targets")} />;
  if (path === "/abroad" && (can("peer.requests") || can("admin.partners"))) return <AbroadScreen canRead={can("peer.requests")} canRelay={can("peer.relay")} canManage={can("admin.partners")} />;
  if ((m = new RegExp(`^/drills/${UUID}$`).exec(path)) && can("drill.read")) return <ScorecardScreen id={m[1]!} />;
  if (path === "/admin" && can("admin.users")) return <Admin meId={me.user.id} />;
  if (can("alert.read")) return <AlertList can={can} />;
  if (can("admin.users")) return <Admin meId={me.user.id} />;
  return (
    <>
      <h1>{t("home.signedIn")}</h1>
      <p>{t("home.noAlerts")}</p>
    </>
  );
}

/** The inbox in the header, with the unread count (kept current by the board's live feed). */
function InboxLink({ live }: { live: boolean }) {
  const inbox = useInboxLive(live);
  const unread = inbox?.unread ?? 0;
  return (
    <a href="/inbox" id="inbox-link">
      {t("nav.inbox")}
      {unread > 0 && (
        <span class="badge" id="inbox-count">
          {unread}
          <span class="sr-only"> {t("inbox.unreadShort")}</span>
        </span>
      )}
    </a>
  );
}

render(<App />, document.getElementById("root")!);
