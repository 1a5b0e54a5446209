// Live feeds: one alert's (a WebSocket from the alert's Durable Object) and the board's
// (every open alert list), both on the hibernation API, reconnected with backoff.
// No polling: the server pushes every change.
import { useEffect, useState } from "preact/hooks";
import type { FanoutCounters } from "../api/client";

export type LiveMessage =
  | { type: "hello"; state: string | null; fanouts: FanoutCounters[] }
  | { type: "state"; command: string; state: string; endsAt?: string }
  | { type: "fanout"; counters: FanoutCounters }
  | { type: "posters"; versionId: string }
  | { type: "pong"; at: string };

export type BoardMessage = { type: "hello" } | { type: "alert"; alertId: string; state: string; command: string } | { type: "pong"; at: string };

export type LiveStatus = "connecting" | "open" | "reconnecting";

/** The feed of one alert. */
export const useAlertLive = (alertId: string | null, onMessage: (m: LiveMessage) => void) => useLive(alertId && `/api/v1/alerts/${alertId}/live`, onMessage);
/** The feed of the alert list (off: no connection, for a person who may not read alerts). */
export const useBoardLive = (onMessage: (m: BoardMessage) => void, on = true) => useLive(on ? "/api/v1/board/live" : null, onMessage);

function useLive<M>(path: string | null, onMessage: (m: M) => void): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>("connecting");
  useEffect(() => {
    if (!path) return;
    let ws: WebSocket | null = null;
    let closed = false;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const connect = () => {
      ws = new WebSocket(`${location.origin.replace(/^http/, "ws")}${path}`);
      ws.onopen = () => {
        attempt = 0;
        setStatus("open");
      };
      ws.onmessage = (e) => onMessage(JSON.parse(e.data as string) as M);
      ws.onclose = () => {
        if (closed) return;
        setStatus("reconnecting");
        timer = setTimeout(connect, Math.min(10_000, 500 * 2 ** attempt++));
      };
    };
    connect();
    return () => {
      closed = true;
      clearTimeout(timer);
      ws?.close();
    };
  }, [path]);
  return status;
}

/** Counters only grow: whichever copy (push or reload) is further along wins. */
export function mergeFanouts(have: FanoutCounters[], incoming: FanoutCounters[]): FanoutCounters[] {
  const progress = (f: FanoutCounters) => f.pagesDone + f.sent + f.failed + f.pruned + f.fenced + f.skipped + (f.deadPages ?? 0);
  const id = (f: FanoutCounters) => `${f.fanoutId}:${f.channel}`;
  const rank = { waiting: 0, running: 1, superseded: 2, done: 2 } as const;
  const byId = new Map(have.map((f) => [id(f), f]));
  for (const f of incoming) {
    const old = byId.get(id(f));
    if (!old || rank[f.status] > rank[old.status] || (rank[f.status] === rank[old.status] && progress(f) >= progress(old))) byId.set(id(f), f);
  }
  return [...byId.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}
