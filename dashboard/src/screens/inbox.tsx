// The inbox: the notices for the signed-in person (rule 9's launch, update, extension and
// stop; sign-off requests; the magistrate's review prompt; the purge notice), newest first,
// unread in bold. Opening one marks it read and goes to the alert.
import { t } from "../i18n";
import type { InboxItem } from "../api/client";
import { markRead, useInbox } from "../lib/inbox";
import { navigate } from "../lib/router";
import { ErrorBox, fmtTime, useAction, useFocusHeading } from "../ui";

/** An account notice (four eyes, issue 23) is about a request, seen in Administration; every other notice about an alert. */
const isAccount = (i: InboxItem) => i.event.startsWith("account_");
const isHealth = (i: InboxItem) => i.event === "channel_unhealthy" || i.event === "channel_healthy";
/** A peer's request to relay its alert (issue 28) is about no alert of ours: seen in From abroad. */
const isPeer = (i: InboxItem) => i.event === "peer_request";
const hrefOf = (i: InboxItem) => (isAccount(i) ? "/admin" : isHealth(i) ? "/readiness" : isPeer(i) ? "/abroad" : `/alerts/${i.alertId}`);

export function InboxScreen() {
  const inbox = useInbox();
  const [run, busy, error] = useAction();
  const h1 = useFocusHeading("inbox");
  const open = (i: InboxItem) =>
    run(async () => {
      if (!i.readAt) await markRead({ ids: [i.id] });
      navigate(hrefOf(i));
    });
  return (
    <>
      <h1 tabIndex={-1} ref={h1}>
        {t("inbox.title")}
      </h1>
      <ErrorBox error={error} />
      <p class="muted">{t("inbox.intro")}</p>
      {inbox === null ? (
        <p>{t("common.loading")}</p>
      ) : inbox.items.length === 0 ? (
        <p id="inbox-empty">{t("inbox.empty")}</p>
      ) : (
        <>
          <p>
            <strong id="inbox-unread">{t("inbox.unread", { n: String(inbox.unread) })}</strong>{" "}
            <button class="secondary" disabled={busy || inbox.unread === 0} onClick={() => run(() => markRead({ all: true }))}>
              {t("inbox.markAll")}
            </button>
          </p>
          <ul id="inbox" class="inbox">
            {inbox.items.map((i) => (
              <li key={i.id} class={i.readAt ? "read" : "unread"}>
                {!i.readAt && <span class="sr-only">{t("inbox.new")} </span>}
                <a
                  href={hrefOf(i)}
                  onClick={(e) => {
                    e.preventDefault();
                    e.stopPropagation();
                    void open(i);
                  }}
                >
                  {t(`inbox.event.${i.event}`)}
                </a>{" "}
                <span class="muted">
                  · {t(isAccount(i) || isPeer(i) ? "inbox.request" : "inbox.alert", { id: i.alertId.slice(0, 8) })} · {fmtTime(i.createdAt)}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
