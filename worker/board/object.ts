// The board: one Durable Object that tells every open alert list that something changed
// (a new alert, a state change, a sign-off), so the list of who waits on whom stays
// current without polling. It carries ids and states only — never a child's data.
//
// It also holds the public record of every launched alert (partners/public-alert.ts):
// the public page, posters, feeds and widget read it here, never from D1.
import type { PublicAlert } from "../partners/public-alert.ts";
import { LiveObject, liveSockets, sessionTag, userTag } from "./live-object.ts";

export type BoardEvent = { type: "alert"; alertId: string; state: string; command: string };

export class BoardObject extends LiveObject {
  protected async hello() {
    return {};
  }

  // ------------------------------------------------------------ public records

  private publics: Map<string, PublicAlert> | null = null;

  private async loadPublics(): Promise<Map<string, PublicAlert>> {
    if (!this.publics) {
      const stored = await this.ctx.storage.list<PublicAlert>({ prefix: "public:" });
      this.publics = new Map([...stored.values()].map((p) => [p.alertId, p]));
    }
    return this.publics;
  }

  /** The alert object's newest public record (null: nothing public any more, e.g. purged). */
  async setPublic(alertId: string, record: PublicAlert | null): Promise<void> {
    const all = await this.loadPublics();
    if (record) {
      await this.ctx.storage.put(`public:${alertId}`, record);
      all.set(alertId, record);
    } else {
      await this.ctx.storage.delete(`public:${alertId}`);
      all.delete(alertId);
    }
  }

  async publicAlert(alertId: string): Promise<PublicAlert | null> {
    return (await this.loadPublics()).get(alertId) ?? null;
  }

  /** Every public record: live alerts and ended ones until their purge (feeds pick what they show). */
  async publicAlerts(): Promise<PublicAlert[]> {
    return [...(await this.loadPublics()).values()];
  }

  async notify(event: BoardEvent): Promise<number> {
    return this.toScreens(event);
  }

  /** Remembers that this person opened an alert's live feed, so that ending their sessions can close it too. */
  async noteAlertFeed(userId: string, alertId: string): Promise<void> {
    const key = `feeds:${userId}`;
    const list = ((await this.ctx.storage.get<string[]>(key)) ?? []).filter((id) => id !== alertId);
    await this.ctx.storage.put(key, [alertId, ...list].slice(0, 100));
  }

  /**
   * Closes a person's live feeds at once (every one, or one session's): the board's and
   * every alert feed they opened. Returns how many sockets closed.
   */
  async closeFeeds(userId: string, sessionHash?: string): Promise<number> {
    const tag = sessionHash ? sessionTag(sessionHash) : userTag(userId);
    const key = `feeds:${userId}`;
    const alerts = (await this.ctx.storage.get<string[]>(key)) ?? [];
    const counts = await Promise.all(alerts.map((id) => liveSockets(this.env.ALERT, id).closeSockets(tag).catch(() => 0)));
    if (!sessionHash) await this.ctx.storage.delete(key);
    return (await this.closeSockets(tag)) + counts.reduce((a, b) => a + b, 0);
  }
}

export function boardStub(env: Env) {
  return env.BOARD.get(env.BOARD.idFromName("board"));
}
