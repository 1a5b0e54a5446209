// /api/v1/alerts/{id}/posters — the dashboard's poster preview: the set of the version
// under review (asks for a render if it is incomplete) and each PNG.
import { z } from "@hono/zod-openapi";
import { FORMAT_NAMES } from "../../templates/posters/model.ts";
import { loadSnapshot } from "../db/alerts.ts";
import { LANGUAGES, versionUnderReview } from "../domain/index.ts";
import { AppError } from "../errors.ts";
import { log } from "../log.ts";
import { planPosters, posterTexts, versionPosters } from "../render/poster-sets.ts";
import { jsonOk, newRouter, staffRoute } from "./http.ts";
import { AlertIdParam } from "./schemas.ts";

export const posterRoutes = newRouter();
const tags = ["Posters"];

const PosterSet = z
  .object({
    versionId: z.string().nullable(),
    inputsHash: z.string().nullable(),
    status: z.enum(["ready", "rendering", "none"]),
    expected: z.number().int(),
    posters: z.array(
      z.object({
        format: z.enum(FORMAT_NAMES as [string, ...string[]]),
        lang: z.enum(LANGUAGES),
        width: z.number().int(),
        height: z.number().int(),
        bytes: z.number().int(),
        withAccompanying: z.boolean(),
        url: z.string(),
        text: z.string().openapi({ description: "What the poster says in its language: the image's text alternative." }),
      }),
    ),
  })
  .openapi("PosterSet");

posterRoutes.openapi(
  staffRoute("alert.read", {
    method: "get",
    path: "/alerts/{id}/posters",
    tags,
    summary: "Poster previews of the version under review, every format × language",
    request: { params: AlertIdParam },
    responses: { 200: jsonOk(PosterSet) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const db = c.get("db");
    const { snapshot } = await loadSnapshot(db, id);
    const version = versionUnderReview(snapshot) ?? snapshot.current;
    if (!version) return c.json({ versionId: null, inputsHash: null, status: "none" as const, expected: 0, posters: [] }, 200);
    const plan = await planPosters(db, c.env.APP_ORIGIN, id, version.id);
    const found = await versionPosters(db, c.env.APP_ORIGIN, id, version.id, plan);
    // Each poster with what it says, for screen readers (the staff preview only: public paths do not need it).
    const texts = plan ? posterTexts(plan) : new Map();
    const set = { ...found, posters: found.posters.map((p) => ({ ...p, text: texts.get(p.lang) ?? "" })) };
    const complete = set.posters.length >= set.expected;
    if (!complete && set.inputsHash) {
      // Missing renders (first request, or a lost job): ask again; the job is idempotent.
      await c.env.FANOUT.send({ type: "render_posters", alertId: id, versionId: version.id }).catch((err) =>
        log.error("enqueue_failed", { alertId: id, error: err }),
      );
    }
    return c.json({ versionId: version.id, ...set, status: complete ? ("ready" as const) : ("rendering" as const) }, 200);
  },
);

posterRoutes.openapi(
  staffRoute("alert.read", {
    method: "get",
    path: "/alerts/{id}/posters/{inputsHash}/{file}",
    tags,
    summary: "One poster PNG (content-addressed, immutable)",
    request: {
      params: AlertIdParam.extend({
        inputsHash: z.string().regex(/^[0-9a-f]{64}$/).openapi({ param: { name: "inputsHash", in: "path" } }),
        file: z.string().regex(/^[a-z]+-(fr|nl|de|en)\.png$/).openapi({ param: { name: "file", in: "path" } }),
      }),
    },
    responses: { 200: { description: "PNG", content: { "image/png": { schema: z.string().openapi({ format: "binary" }) } } } },
  }),
  async (c) => {
    const { id, inputsHash, file } = c.req.valid("param");
    const obj = await c.env.MEDIA.get(`alerts/${id}/posters/${inputsHash}/${file}`);
    if (!obj) throw new AppError("E_NOT_FOUND", "poster not rendered (yet)");
    return c.body(obj.body, 200, {
      "Content-Type": "image/png",
      // A child's photo must not linger in staff browsers after the purge (issue 23): never stored.
      "Cache-Control": "private, no-store",
      ETag: `"${inputsHash}-${file}"`,
    });
  },
);
