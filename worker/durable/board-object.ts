// The board: one Durable Object that tells every open alert list that something changed
// (a new alert, a state change, a sign-off), so the list of who waits on whom stays
// current without polling. It carries ids and states only — never a child's data.
import { DurableObject } from "cloudflare:workers";

export type BoardEvent = { type: "alert"; alertId: string; state: string; command: string };

export class BoardObject extends DurableObject<Env> {
  /** Dashboards connect here (the route checked the session, role and Origin); sockets hibernate. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return new Response("expected a WebSocket", { status: 426 });
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    pair[1].send(JSON.stringify({ type: "hello" }));
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  async notify(event: BoardEvent): Promise<number> {
    const text = JSON.stringify(event);
    const sockets = this.ctx.getWebSockets();
    for (const ws of sockets) {
      try {
        ws.send(text);
      } catch {
        /* a socket closing concurrently */
      }
    }
    return sockets.length;
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (message === "ping") ws.send(JSON.stringify({ type: "pong", at: new Date().toISOString() }));
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    ws.close(code === 1005 ? 1000 : code, "bye");
  }
}

export function boardStub(env: Env) {
  return env.BOARD.get(env.BOARD.idFromName("board"));
}
