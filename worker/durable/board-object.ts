// The board: one Durable Object that tells every open alert list that something changed
// (a new alert, a state change, a sign-off), so the list of who waits on whom stays
// current without polling. It carries ids and states only — never a child's data.
import { LiveObject } from "./live-object.ts";

export type BoardEvent = { type: "alert"; alertId: string; state: string; command: string };

export class BoardObject extends LiveObject {
  protected async hello() {
    return {};
  }

  async notify(event: BoardEvent): Promise<number> {
    return this.broadcast(event);
  }
}

export function boardStub(env: Env) {
  return env.BOARD.get(env.BOARD.idFromName("board"));
}
