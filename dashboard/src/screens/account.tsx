// My account (issue 11): one's passkeys — name them, see when each was added and last
// used, revoke a lost one (never the last), and get a link to add one on a new device.
// The admin's screen shows the same table for a person's lost passkey (PasskeyTable).
import { useEffect, useState } from "preact/hooks";
import { startAuthentication } from "@simplewebauthn/browser";
import { api, must, mustOk, type Passkey } from "../api/client";

/** A link for a new device: first a fresh assertion with a passkey of mine (a session alone is not enough). */
async function newDeviceLink() {
  const opts = await must(api.POST("/auth/passkeys/invitation/options"));
  const response = await startAuthentication({ optionsJSON: opts.options as never });
  return must(api.POST("/auth/passkeys/invitation", { body: { challengeId: opts.challengeId, response: response as never } }));
}
import { t } from "../i18n";
import { ConfirmButton, ErrorBox, fmtTime, useAction, useFocusHeading, THead } from "../ui";

export function Account() {
  const [keys, setKeys] = useState<Passkey[] | null>(null);
  const [link, setLink] = useState<{ link: string; expiresAt: string } | null>(null);
  const [run, busy, error] = useAction();
  const h1 = useFocusHeading("account");
  const load = async () => setKeys((await must(api.GET("/auth/passkeys"))).passkeys);
  useEffect(() => {
    void run(load);
  }, []);
  return (
    <>
      <h1 tabIndex={-1} ref={h1}>{t("account.title")}</h1>
      <section class="card" aria-labelledby="pk-h">
        <h2 id="pk-h">{t("account.passkeys")}</h2>
        <p class="muted">{t("account.intro")}</p>
        <ErrorBox error={error} />
        {keys && (
          <PasskeyTable
            id="my-passkeys"
            keys={keys}
            busy={busy}
            rename={(k, name) => run(async () => {
              await mustOk(api.PATCH("/auth/passkeys/{id}", { params: { path: { id: k.id } }, body: { name } }));
              await load();
            })}
            revoke={(k) => run(async () => {
              await mustOk(api.POST("/auth/passkeys/{id}/revoke", { params: { path: { id: k.id } } }));
              // A revoked key ends every session of its owner, this one too: sign in again with a key you keep.
              window.location.reload();
            })}
            keepLast
          />
        )}
        <p>
          <button id="add-device" class="secondary" disabled={busy} onClick={() => run(async () => setLink(await newDeviceLink()))}>
            {t("account.addDevice")}
          </button>
        </p>
        {link && (
          <p role="status">
            {t("account.link", { at: fmtTime(link.expiresAt) })} <code id="device-link">{link.link}</code>
          </p>
        )}
      </section>
    </>
  );
}

/** A person's passkeys; `rename` only for the owner; `keepLast` offers no revoke on the last active one. */
export function PasskeyTable(props: {
  id: string;
  keys: Passkey[];
  busy: boolean;
  rename?: (k: Passkey, name: string) => Promise<void>;
  revoke: (k: Passkey) => Promise<void>;
  keepLast?: boolean;
}) {
  const active = props.keys.filter((k) => !k.revokedAt).length;
  return (
    <table id={props.id}>
      <THead cols={[t("admin.name"), t("account.added"), t("account.lastUsed"), t("account.state"), ""]} />
      <tbody>
        {props.keys.map((k) => (
          <tr key={k.id} data-passkey={k.id} data-name={k.name ?? ""}>
            <th scope="row">{props.rename && !k.revokedAt ? <NameField k={k} busy={props.busy} save={props.rename} /> : (k.name ?? "—")}</th>
            <td>{fmtTime(k.createdAt)}</td>
            <td>{fmtTime(k.lastUsedAt)}</td>
            <td>{k.revokedAt ? t("account.revoked", { at: fmtTime(k.revokedAt) }) : t("account.active")}</td>
            <td>
              {!k.revokedAt &&
                (props.keepLast && active <= 1 ? (
                  <span class="muted">{t("account.last")}</span>
                ) : (
                  <ConfirmButton danger label={t("account.revoke")} confirmLabel={t("account.revokeConfirm")} disabled={props.busy} onConfirm={() => props.revoke(k)} />
                ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function NameField({ k, busy, save }: { k: Passkey; busy: boolean; save: (k: Passkey, name: string) => Promise<void> }) {
  const [name, setName] = useState(k.name ?? "");
  const id = `pk-name-${k.id}`;
  return (
    <form class="inline-form" onSubmit={(e) => {
      e.preventDefault();
      if (name.trim()) void save(k, name.trim());
    }}>
      <label class="sr-only" for={id}>{t("account.nameOf", { at: fmtTime(k.createdAt) })}</label>
      <input id={id} maxLength={60} required value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
      <button type="submit" class="secondary" disabled={busy || !name.trim() || name.trim() === (k.name ?? "")}>{t("account.save")}</button>
    </form>
  );
}
