// The signed-in person's inbox, shared by the header's unread count and the inbox screen.
// Notices come with alert changes, so it is fetched again whenever the board's live feed
// reports one (no polling); a person without the alert list fetches it on load only.
import { useEffect, useState } from "preact/hooks";
import { api, type Inbox, must } from "../api/client";
import { useBoardLive } from "./live";

let current: Inbox | null = null;
const listeners = new Set<(i: Inbox) => void>();

export async function refreshInbox(): Promise<Inbox> {
  const got = await must(api.GET("/inbox"));
  current = got;
  for (const l of listeners) l(got);
  return got;
}

export async function markRead(body: { ids: string[] } | { all: true }): Promise<void> {
  const got = await must(api.POST("/inbox/read", { body }));
  current = got;
  for (const l of listeners) l(got);
}

export function useInbox(live: boolean): Inbox | null {
  const [inbox, setInbox] = useState<Inbox | null>(current);
  useEffect(() => {
    listeners.add(setInbox);
    void refreshInbox().catch(() => undefined);
    return () => void listeners.delete(setInbox);
  }, []);
  useBoardLive(live ? () => void refreshInbox().catch(() => undefined) : () => undefined, live);
  return inbox;
}
