// The live-feed half shared by the Durable Objects dashboards listen to: accept WebSockets
// on the hibernation API (sockets stay open while the object sleeps), greet, answer pings,
// and send to the open screens (toScreens; a "broadcast" is what the channels send). The routes check the session, the role and the Origin before forwarding.
import { DurableObject } from "cloudflare:workers";

/** Set by the route after it checked the session (a client's own values are overwritten): who a socket belongs to. */
export const LIVE_USER_HEADER = "X-Live-User";
export const LIVE_SESSION_HEADER = "X-Live-Session";
export const LIVE_ROLE_HEADER = "X-Live-Role";
export const userTag = (userId: string) => `u:${userId}`;
export const sessionTag = (sessionHash: string) => `s:${sessionHash}`;
export const roleTag = (role: string) => `r:${role}`;

/** What any live object answers to another: close the sockets of a person or a session. */
export interface LiveSockets {
  closeSockets(tag: string): Promise<number>;
}

/** A live object reached through that small interface (never by importing its class). */
export const liveSockets = (ns: { get(id: DurableObjectId): unknown; idFromName(name: string): DurableObjectId }, name: string) => ns.get(ns.idFromName(name)) as LiveSockets;

export abstract class LiveObject extends DurableObject<Env> {
  /** The first message a new socket gets: the current picture. */
  protected abstract hello(): Promise<Record<string, unknown>>;

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return new Response("expected a WebSocket", { status: 426 });
    const pair = new WebSocketPair();
    const user = request.headers.get(LIVE_USER_HEADER);
    const session = request.headers.get(LIVE_SESSION_HEADER);
    const role = request.headers.get(LIVE_ROLE_HEADER);
    // Tagged with its person, session and role: a sign-out, a disabled account or a role change
    // closes it at once, and what only some may read (a tip) goes only to their sockets.
    this.ctx.acceptWebSocket(pair[1], [...(user ? [userTag(user)] : []), ...(session ? [sessionTag(session)] : []), ...(role ? [roleTag(role)] : [])]);
    pair[1].send(JSON.stringify({ type: "hello", ...(await this.hello()) }));
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (message === "ping") ws.send(JSON.stringify({ type: "pong", at: new Date().toISOString() }));
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    ws.close(code === 1005 ? 1000 : code, "bye");
  }

  /** Closes the sockets with this tag (a person's, or one session's); returns how many. */
  async closeSockets(tag: string): Promise<number> {
    const sockets = this.ctx.getWebSockets(tag);
    for (const ws of sockets) {
      try {
        ws.close(4401, "session ended");
      } catch {
        /* already closing */
      }
    }
    return sockets.length;
  }

  /** Sends to the sockets carrying any of these tags (each once); returns how many. */
  protected sendTo(tags: readonly string[], message: unknown): number {
    const text = JSON.stringify(message);
    const sockets = new Set(tags.flatMap((t) => this.ctx.getWebSockets(t)));
    for (const ws of sockets) {
      try {
        ws.send(text);
      } catch {
        /* a socket closing concurrently */
      }
    }
    return sockets.size;
  }

  /** Sends to every connected dashboard; returns how many there were. */
  protected toScreens(message: unknown): number {
    const text = JSON.stringify(message);
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
}
