// Sign in with a passkey; accept an invitation by creating one.
import { startAuthentication, startRegistration } from "@simplewebauthn/browser";
import { useEffect, useState } from "preact/hooks";
import { api, ApiError, must } from "../api/client";
import { t } from "../i18n";
import { navigate } from "../lib/router";
import { ErrorBox, useAction, useFocusHeading } from "../ui";

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [run, busy, error] = useAction();
  const h1 = useFocusHeading("signin");
  const signIn = () =>
    run(async () => {
      const { challengeId, options } = await must(api.POST("/auth/login/options"));
      const response = await startAuthentication({ optionsJSON: options as never });
      await must(api.POST("/auth/login/verify", { body: { challengeId, response: response as never } }));
      onSignedIn();
    });
  return (
    <div class="card narrow">
      <h1 tabIndex={-1} ref={h1}>{t("signin.title")}</h1>
      <p>{t("signin.intro")}</p>
      <button onClick={signIn} disabled={busy}>
        {t("signin.button")}
      </button>
      <ErrorBox error={error} />
    </div>
  );
}

export function Invitation({ token, onSignedIn }: { token: string; onSignedIn: () => void }) {
  const [inv, setInv] = useState<{ email: string; displayName: string; role: string } | null>(null);
  const [run, busy, error, setError] = useAction();
  const h1 = useFocusHeading(inv);
  useEffect(() => {
    // Unknown, expired or used: say so plainly; any other refusal (e.g. too many attempts) in its own words.
    api
      .POST("/auth/invitations/lookup", { body: { token } })
      .then(({ data, error, response }) => (data ? setInv(data) : setError(response.status === 429 ? new ApiError(error as never) : new Error(t("invite.invalid")))))
      .catch((err: unknown) => setError(err));
  }, [token]);
  const register = () =>
    run(async () => {
      const { challengeId, options } = await must(api.POST("/auth/register/options", { body: { token } }));
      const response = await startRegistration({ optionsJSON: options as never });
      await must(api.POST("/auth/register/verify", { body: { challengeId, response: response as never } }));
      navigate("/", true);
      onSignedIn();
    });
  return (
    <div class="card narrow">
      <h1 tabIndex={-1} ref={h1}>{inv ? t("invite.welcome", { name: inv.displayName }) : t("invite.title")}</h1>
      {inv && (
        <>
          <p>{t("invite.intro", { role: t(`role.${inv.role}` as never), email: inv.email })}</p>
          <button onClick={register} disabled={busy}>
            {t("invite.button")}
          </button>
        </>
      )}
      <ErrorBox error={error} />
    </div>
  );
}
