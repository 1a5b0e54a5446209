// Worker entry: wires the handlers and exports the Durable Object classes. Nothing else.
import { buildApp } from "./app.ts";
import { handleBatch } from "./queue/consumer.ts";
import { runCron } from "./services/timers.ts";

export { AlertObject } from "./durable/alert-object.ts";
export { BoardObject } from "./durable/board-object.ts";

const app = buildApp();

export default {
  fetch: app.fetch,
  queue: handleBatch,
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(runCron(env, new Date(controller.scheduledTime)));
  },
} satisfies ExportedHandler<Env>;
