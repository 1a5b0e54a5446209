// The FANOUT queue consumer: one handler per job type. Per message: success → ack;
// transient failure → retry with exponential backoff (the queue's max_retries then
// moves it to the dead-letter queue); a message that is not a job we know is sent to
// the dead-letter queue at once, with a log line, never dropped silently.
import { z } from "zod";
import { backoffSeconds } from "../config.ts";
import { makeDb } from "../db/client.ts";
import { deadLetters } from "../db/schema.ts";
import { alertStub } from "../alert/api.ts";
import { publishHead } from "../audit/anchors.ts";
import { log } from "../log.ts";
import { PageJob, pageKeyOf } from "../fanout/jobs.ts";
import { PageBusy, runPage } from "../fanout/page.ts";
import { pageShards, runsWhole } from "../fanout/shards.ts";
import { writePagePoint } from "../metrics/points.ts";
import { HandoffPending, handOff } from "../abroad/peers.ts";
import { posterSetHandedOut, renderPosterFormat, startPosterSet } from "../render/poster-sets.ts";
import { FORMAT_NAMES } from "../../templates/posters/model.ts";
import { LANGUAGES } from "../domain/index.ts";
import { sendConfirmation } from "../channels/email/confirmation.ts";
import { mailNotices } from "../staff/notices.ts";
import { tellPasskeyAdded } from "../staff/passkey-notice.ts";

export const QueueJob = z.discriminatedUnion("type", [
  /** A version's poster set: plan it, decode its photos once, hand out one job per poster. */
  z.object({ type: z.literal("render_posters"), alertId: z.uuid(), versionId: z.uuid() }),
  /** One poster of a set: a format in one language (the POSTERS queue: one job per isolate, all in parallel); without `lang` (an older release's job) every language. */
  z.object({
    type: z.literal("render_poster_format"),
    alertId: z.uuid(),
    versionId: z.uuid(),
    inputsHash: z.string().regex(/^[0-9a-f]{64}$/),
    format: z.enum(FORMAT_NAMES),
    lang: z.enum(LANGUAGES).optional(),
  }),
  PageJob,
  /** The double opt-in e-mail of one subscriber (no address in the job: read at send time). */
  z.object({ type: z.literal("email_confirmation"), subscriberId: z.uuid() }),
  /** The e-mails of an alert's notices still to be sent (rule 9, sign-off requests, review prompt). */
  z.object({ type: z.literal("mail_notices"), alertId: z.uuid() }),
  /** Tell a person by e-mail that a passkey was added to their account (no address in the job). */
  z.object({ type: z.literal("passkey_added"), credentialId: z.string().min(1).max(1024) }),
  /** Hand the alert's current CAP to the peer systems of the countries it targets, once the authorities are informed (issue 28). */
  z.object({ type: z.literal("peer_handoff"), alertId: z.uuid() }),
  /** Anchor the audit chain's head (after a launch, update, extension or stop). */
  z.object({ type: z.literal("anchor_audit"), reason: z.string().max(40) }),
]);
export type QueueJob = z.infer<typeof QueueJob>;

/** The alert a job is about, if any (a confirmation e-mail is about a subscriber). */
const alertIdOf = (job: QueueJob | null): string | undefined => (job && "alertId" in job ? job.alertId : undefined);


async function run(job: QueueJob, env: Env): Promise<Record<string, unknown>> {
  switch (job.type) {
    case "render_posters": {
      const set = await startPosterSet(makeDb(env.DB), env.MEDIA, env.APP_ORIGIN, job.alertId, job.versionId);
      if (!set) return { formats: 0 };
      if (set.missing.length) {
        const { alertId, versionId } = job;
        const jobs = set.missing.map(({ format, lang }) => ({ body: { type: "render_poster_format", alertId, versionId, inputsHash: set.inputsHash, format, lang } satisfies QueueJob }));
        for (let i = 0; i < jobs.length; i += 100) await env.POSTERS.sendBatch(jobs.slice(i, i + 100));
        await posterSetHandedOut(env.MEDIA, alertId, set.inputsHash);
      } else if (!set.handedOut) await postersProgress(env, job.alertId, job.versionId);
      return { formats: set.formats.length, posters: set.missing.length, handedOut: set.handedOut };
    }
    case "render_poster_format": {
      const result = await renderPosterFormat(makeDb(env.DB), env.MEDIA, env.APP_ORIGIN, job);
      if (!result.stale) await postersProgress(env, job.alertId, job.versionId);
      return result;
    }
    case "page": {
      const t0 = Date.now();
      const result = await runPage(env, pageShards(env, job), job);
      writePagePoint(env, { alertId: job.alertId, channel: job.channel, event: job.event, counts: result, ms: Date.now() - t0 });
      return { channel: job.channel, ...result };
    }
    case "email_confirmation":
      return sendConfirmation(env, job.subscriberId);
    case "mail_notices":
      return mailNotices(env, job.alertId);
    case "passkey_added":
      return tellPasskeyAdded(env, job.credentialId);
    case "peer_handoff":
      return handOff(env, job.alertId);
    case "anchor_audit":
      return { anchored: (await publishHead(env, makeDb(env.DB), job.reason))?.seq ?? null };
  }
}

/**
 * Tells the alert's open dashboards that more of a version's posters are stored (they
 * show "n of m ready" and then the set); best effort: a missed message only delays the
 * preview until a reload.
 */
async function postersProgress(env: Env, alertId: string, versionId: string): Promise<void> {
  await alertStub(env, alertId)
    .postersReady(versionId)
    .catch((err) => log.warn("posters_ready_notify_failed", { alertId, error: err }));
}

/** The dead-letter queue: record each dead job where the dashboard can see it. */
export const DLQ_NAME = "child-alert-fanout-dlq";

async function recordDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = makeDb(env.DB);
  for (const msg of batch.messages) {
    const parsed = QueueJob.safeParse(msg.body);
    const job = parsed.success ? parsed.data : null;
    try {
      await db
        .insert(deadLetters)
        .values({ id: msg.id, jobType: job?.type ?? "invalid", alertId: alertIdOf(job) ?? null, job: JSON.stringify(job ?? { invalid: true }) })
        .onConflictDoNothing();
      if (job?.type === "page") {
        // Every part of the page (one per key span it crosses) is recorded dead in its shard.
        const parts = pageShards(env, job);
        const planned = runsWhole(job, parts) ? undefined : { pageKey: pageKeyOf(job), parts: parts.length };
        for (const p of parts) {
          const ref = { alertId: job.alertId, fanoutId: job.fanoutId, channel: job.channel, event: job.event, pageKey: planned ? pageKeyOf({ ...p, attempt: job.attempt }) : pageKeyOf(job) };
          await p.ledger.pageDead(ref, job.attempt === 0, job.attempt > 0 ? (p.keys?.length ?? 0) : 0, planned);
        }
      }
      log.error("dead_letter", { type: job?.type ?? "invalid", alertId: alertIdOf(job) });
      msg.ack();
    } catch (err) {
      log.warn("dead_letter_record_failed", { error: err });
      msg.retry({ delaySeconds: 10 });
    }
  }
}

export async function handleBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  if (batch.queue === DLQ_NAME) return recordDeadLetters(batch, env);
  for (const msg of batch.messages) {
    const parsed = QueueJob.safeParse(msg.body);
    if (!parsed.success) {
      log.error("queue_job_invalid", { queue: batch.queue, messageId: msg.id });
      await env.FANOUT_DLQ.send(msg.body);
      msg.ack();
      continue;
    }
    const t0 = Date.now();
    try {
      const out = await run(parsed.data, env);
      log.info("queue_job_done", { type: parsed.data.type, alertId: alertIdOf(parsed.data), ms: Date.now() - t0, ...out });
      msg.ack();
    } catch (err) {
      // Another run is sending this page: look again once it must have finished or died.
      if (err instanceof PageBusy) {
        msg.retry({ delaySeconds: 30 });
        continue;
      }
      // The authorities' mailboxes have not accepted the notice yet (or a peer asked us to come back).
      if (err instanceof HandoffPending) {
        msg.retry({ delaySeconds: 15 });
        continue;
      }
      log.warn("queue_job_failed", { type: parsed.data.type, alertId: alertIdOf(parsed.data), attempts: msg.attempts, error: err });
      msg.retry({ delaySeconds: backoffSeconds(msg.attempts) });
    }
  }
}
