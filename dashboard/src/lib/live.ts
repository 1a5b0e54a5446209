// The live feed of one alert: a WebSocket from the alert's Durable Object (hibernation
// API), reconnected with backoff. No polling: the server pushes every change.
import { useEffect, useState } from "preact/hooks";
import type { FanoutCounters } from "../api/client";

export type LiveMessage =
  | { type: "hello"; state: string | null; fanouts: FanoutCounters[] }
  | { type: "state"; command: string; state: string; endsAt?: string }
  | { type: "fanout"; counters: FanoutCounters }
  | { type: "pong"; at: string };

export type LiveStatus = "connecting" | "open" | "reconnecting";

export function useLive(alertId: string, onMessage: (m: LiveMessage) => void): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>("connecting");
  useEffect(() => {
    let ws: WebSocket | null = null;
    let closed = false;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const connect = () => {
      ws = new WebSocket(`${location.origin.replace(/^http/, "ws")}/api/v1/alerts/${alertId}/live`);
      ws.onopen = () => {
        attempt = 0;
        setStatus("open");
      };
      ws.onmessage = (e) => onMessage(JSON.parse(e.data as string) as LiveMessage);
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
  }, [alertId]);
  return status;
}

/** Counters only grow: whichever copy (push or reload) is further along wins. */
export function mergeFanouts(have: FanoutCounters[], incoming: FanoutCounters[]): FanoutCounters[] {
  const progress = (f: FanoutCounters) => f.pagesDone + f.sent + f.failed + f.pruned + f.fenced + f.skipped + (f.deadPages ?? 0);
  const byId = new Map(have.map((f) => [f.fanoutId, f]));
  for (const f of incoming) {
    const old = byId.get(f.fanoutId);
    if (!old || progress(f) >= progress(old)) byId.set(f.fanoutId, f);
  }
  return [...byId.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}
