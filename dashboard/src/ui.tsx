// Shared pieces of the screens: error box, two-step confirmation, progress bar, times.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "./api/client";
import { lang, t } from "./i18n";

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const text = error instanceof ApiError || error instanceof Error ? error.message : String(error);
  return (
    <p class="error" role="alert">
      {text}
    </p>
  );
}

/** Runs an async action with a busy flag and an error to show; returns [run, busy, error]. */
export function useAction(): [(fn: () => Promise<unknown>) => Promise<void>, boolean, unknown, (e: unknown) => void] {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return [run, busy, error, setError];
}

/**
 * A consequential command: the first press asks, the second (a separate, focused
 * button) does it; Escape or Cancel goes back.
 */
export function ConfirmButton(props: { label: string; confirmLabel: string; onConfirm: () => Promise<void> | void; disabled?: boolean; danger?: boolean; id?: string; children?: ComponentChildren }) {
  const [asking, setAsking] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const firstRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) confirmRef.current?.focus();
  }, [asking]);
  if (!asking) {
    return (
      <button ref={firstRef} id={props.id} class={props.danger ? "danger" : ""} disabled={props.disabled} onClick={() => setAsking(true)}>
        {props.label}
      </button>
    );
  }
  const cancel = () => setAsking(false);
  return (
    <span class="confirm" onKeyDown={(e) => e.key === "Escape" && cancel()}>
      {props.children}
      <button ref={confirmRef} class={props.danger ? "danger" : ""} onClick={async () => { await props.onConfirm(); setAsking(false); }}>
        {props.confirmLabel}
      </button>{" "}
      <button class="secondary" onClick={cancel}>
        {t("common.cancel")}
      </button>
    </span>
  );
}

export function Progress({ value, max, label }: { value: number; max: number; label: string }) {
  const pct = max > 0 ? Math.min(100, Math.round((100 * value) / max)) : value > 0 ? 100 : 0;
  return (
    <div class="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
      <div class="bar" style={{ width: `${pct}%` }} />
      <span>{pct}%</span>
    </div>
  );
}

export const fmtTime = (iso: string | null | undefined) =>
  iso ? new Date(iso).toLocaleString(lang(), { dateStyle: "short", timeStyle: "short" }) : "—";

/** "3 h 05 min" */
export function fmtDuration(ms: number): string {
  const m = Math.max(0, Math.round(ms / 60_000));
  const h = Math.floor(m / 60);
  return h ? `${h} h ${String(m % 60).padStart(2, "0")} min` : `${m} min`;
}

/** Re-renders every `ms` (the clock of "time left"; not a data poll). */
export function useNow(ms = 15_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

/** Focus the screen's heading on arrival, so keyboard and screen-reader users start there. */
export function useFocusHeading(dep: unknown) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, [dep]);
  return ref;
}

/** A table's column headers. */
export function THead({ cols }: { cols: string[] }) {
  return (
    <thead>
      <tr>
        {cols.map((c) => (
          <th scope="col" key={c}>
            {c}
          </th>
        ))}
      </tr>
    </thead>
  );
}
