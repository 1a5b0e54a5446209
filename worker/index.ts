// Worker entry: wires the handlers and exports the Durable Object classes. Nothing else.
import { buildApp, challengeOrigin, htmlPolicy, isFramable } from "./app.ts";
import { edgeCached } from "./partners/edge-cache.ts";
import { handleBatch } from "./queue/consumer.ts";
import { runCron } from "./alert/timers.ts";

export { AlertObject } from "./alert/object.ts";
export { BoardObject } from "./board/object.ts";
export { LedgerShard } from "./fanout/shard-object.ts";

const app = buildApp();

export default {
  // The public surfaces' warm reads are answered from the edge cache before the app runs.
  fetch: edgeCached<Env>((req, env, ctx) => app.fetch(req, env, ctx), (path, env) => htmlPolicy(undefined, isFramable(path), challengeOrigin(path, env))),
  queue: handleBatch,
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(runCron(env, new Date(controller.scheduledTime)));
  },
} satisfies ExportedHandler<Env>;
