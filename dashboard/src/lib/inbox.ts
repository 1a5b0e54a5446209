// The signed-in person's inbox, shared by the header's unread count and the inbox screen.
// Notices come with alert changes: the header (`useInboxLive`) fetches it again whenever
// the board's live feed reports one (no polling); a person without the alert list fetches
// it on load only. Every view of it reads the one store here.
import { useEffect, useState } from "preact/hooks";
import { api, type Inbox, must } from "../api/client";
import { useBoardLive } from "./live";

let current: Inbox | null = null;
const listeners = new Set<(i: Inbox) => void>();

function publish(got: Inbox): void {
  current = got;
  for (const l of listeners) l(got);
}

export const refreshInbox = async (): Promise<void> => publish(await must(api.GET("/inbox")));
export const markRead = async (body: { ids: string[] } | { all: true }): Promise<void> => publish(await must(api.POST("/inbox/read", { body })));

/** The inbox as it is now (fetched on first use). */
export function useInbox(): Inbox | null {
  const [inbox, setInbox] = useState<Inbox | null>(current);
  useEffect(() => {
    listeners.add(setInbox);
    void refreshInbox().catch(() => undefined);
    return () => void listeners.delete(setInbox);
  }, []);
  return inbox;
}

/** The same, kept current by the board's live feed (one subscription: the header's). */
export function useInboxLive(live: boolean): Inbox | null {
  useBoardLive(() => void refreshInbox().catch(() => undefined), live);
  return useInbox();
}
