// Worker entry: wires the handlers and exports the Durable Object classes. Nothing else.
import { buildApp } from "./app.ts";
import { handleBatch } from "./queue/consumer.ts";
import { reconcileBroadcasts, runDueTimers } from "./services/timers.ts";

export { AlertObject } from "./durable/alert-object.ts";
export { BoardObject } from "./durable/board-object.ts";

const app = buildApp();

export default {
  fetch: app.fetch,
  queue: handleBatch,
  async scheduled(controller, env, ctx) {
    const now = new Date(controller.scheduledTime);
    ctx.waitUntil(Promise.all([runDueTimers(env, now), reconcileBroadcasts(env, now)]));
  },
} satisfies ExportedHandler<Env>;
