/** @jsxImportSource satori/jsx */
// The Child Alert posters (satori JSX). Geometry is computed per format; every text is
// fitted to its box with the real font metrics and drawn line by line, so long names
// and descriptions shrink or wrap and never leave their box. `layoutPoster` also
// returns the boxes, so tests can check every drawn glyph run against them.
import { type Block, fit, fitColumn, type FittedBlock } from "../../worker/render/fit.ts";
import { FONT_FAMILY, type Weight } from "../../worker/render/fonts.ts";
import { CATALOGUES, type Catalogue, HOTLINE, HOTLINE_ABROAD } from "../i18n/index.ts";
import { FORMATS, type FormatName, type PosterModel, type PosterPhoto } from "./model.ts";

export const COLORS = { red: "#C8102E", ink: "#111111", paper: "#FFFFFF", grey: "#F2F2F2", muted: "#555555", yellow: "#FFD200", blue: "#0B3C8C" };

export interface Box {
  name: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

type Node = ReturnType<typeof Frame>;

/** A fitted text drawn in its box, one div per line (no re-wrapping by the renderer). */
function Text(props: { box: Box; lines: string[]; size: number; weight: Weight; color: string; lineHeight: number; pad: number; align?: "left" | "center" }) {
  const { box, lines, size, weight, color, lineHeight, pad, align = "left" } = props;
  return (
    <div
      style={{
        position: "absolute",
        left: box.x,
        top: box.y,
        width: box.w,
        height: box.h,
        display: "flex",
        flexDirection: "column",
        justifyContent: "center",
        alignItems: align === "center" ? "center" : "flex-start",
      }}
    >
      <div style={{ display: "flex", flexDirection: "column", alignItems: align === "center" ? "center" : "flex-start", paddingTop: pad, paddingBottom: pad }}>
      {lines.map((line) => (
        <div style={{ display: "flex", fontSize: size, fontWeight: weight, color, lineHeight, whiteSpace: "pre" }}>{line}</div>
      ))}
      </div>
    </div>
  );
}

/** Fits one text into a box and draws it; records the box. */
function fitted(boxes: Box[], box: Box, text: string, o: { weight: Weight; max: number; min: number; color: string; lh?: number; lines?: number; align?: "left" | "center" }) {
  boxes.push(box);
  const f = fit(text, { width: box.w, height: box.h, weight: o.weight, maxSize: o.max, minSize: o.min, lineHeight: o.lh ?? 1.15, maxLines: o.lines });
  return <Text box={box} lines={f.lines} size={f.size} weight={o.weight} color={o.color} lineHeight={f.lineHeight} pad={f.pad} align={o.align} />;
}

/** A column of labelled blocks at one shared size, top-aligned. */
function Column(props: { box: Box; blocks: FittedBlock[]; lineHeight: number; gapUnit: number; pad: number; color: string }) {
  const { box, blocks, lineHeight, gapUnit, pad, color } = props;
  return (
    <div style={{ position: "absolute", left: box.x, top: box.y, width: box.w, height: box.h, display: "flex", flexDirection: "column", paddingTop: pad }}>
      {blocks.map((b) => (
        <div style={{ display: "flex", flexDirection: "column", marginBottom: (b.gapAfter ?? 0) * gapUnit }}>
          {b.lines.map((line) => (
            <div style={{ display: "flex", fontSize: b.size, fontWeight: b.weight, color: b.weight === 700 ? color : COLORS.ink, lineHeight, whiteSpace: "pre" }}>
              {line}
            </div>
          ))}
        </div>
      ))}
    </div>
  );
}

function Frame(props: { w: number; h: number; children: unknown }) {
  return (
    <div style={{ display: "flex", position: "relative", width: props.w, height: props.h, background: COLORS.paper, fontFamily: FONT_FAMILY }}>
      {props.children as never}
    </div>
  );
}

function Rect(props: { box: Box; color: string }) {
  return <div style={{ position: "absolute", left: props.box.x, top: props.box.y, width: props.box.w, height: props.box.h, background: props.color, display: "flex" }} />;
}

/** A neutral silhouette for alerts without a photo. */
const NO_PHOTO = `data:image/svg+xml;base64,${btoa(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 400"><rect width="300" height="400" fill="#dddddd"/><circle cx="150" cy="150" r="70" fill="#bbbbbb"/><path d="M40 400 C 40 270 260 270 260 400 Z" fill="#bbbbbb"/></svg>',
)}`;

/**
 * The photo, whole (never cropped: a face or a piece of clothing must not be cut off),
 * as large as its aspect ratio allows inside the photo area, centred. Sized exactly, so
 * the renderer needs no clipping.
 */
function Photo(props: { box: Box; photo: PosterPhoto | null }) {
  const { box, photo } = props;
  const { w, h } = containedSize(box, photo?.width || 3, photo?.height || 4);
  return (
    <div style={{ position: "absolute", left: box.x, top: box.y, width: box.w, height: box.h, display: "flex", alignItems: "center", justifyContent: "center", background: COLORS.grey }}>
      <img src={photo?.src ?? NO_PHOTO} width={w} height={h} style={{ width: w, height: h }} />
    </div>
  );
}

function Qr(props: { box: Box; src: string }) {
  const { box } = props;
  return (
    <div style={{ position: "absolute", left: box.x, top: box.y, width: box.w, height: box.h, background: COLORS.paper, display: "flex", padding: Math.round(box.w * 0.06) }}>
      <img src={props.src} width={Math.round(box.w * 0.88)} height={Math.round(box.h * 0.88)} />
    </div>
  );
}

/** The unmistakable exercise marking: a diagonal watermark across the whole image. */
function ExerciseWatermark(props: { w: number; h: number; c: Catalogue }) {
  const { w, h, c } = props;
  const size = Math.round(Math.min(w, h) * (h < 200 ? 0.55 : 0.16));
  return (
    <div style={{ position: "absolute", left: 0, top: 0, width: w, height: h, display: "flex", alignItems: "center", justifyContent: "center" }}>
      <div style={{ display: "flex", transform: h < 200 ? "rotate(0deg)" : "rotate(-24deg)", fontSize: size, fontWeight: 900, color: "rgba(17,17,17,0.16)", whiteSpace: "pre" }}>
        {c.exercise}
      </div>
    </div>
  );
}

function bodyBlocks(m: PosterModel, c: Catalogue): Block[] {
  const t = m.text!;
  const blocks: Block[] = [{ text: [t.age, t.height].filter(Boolean).join(" · "), weight: 700, scale: 1.15, gapAfter: 0.5 }];
  const add = (label: string, value: string | undefined) => {
    if (!value) return;
    blocks.push({ text: label, weight: 700, scale: 0.8 }, { text: value, weight: 400, gapAfter: 0.45 });
  };
  add(c.lastSeen, t.lastSeen);
  add(c.clothing, t.clothing);
  add(c.description, t.description);
  add(c.vehicle, t.vehicle);
  add(c.accompanying, t.accompanying);
  return blocks;
}

/** Hotline area: "Any information? Call" / 116 000 / free · abroad, and the QR code. */
function hotline(boxes: Box[], m: PosterModel, c: Catalogue, area: Box, withQr: boolean): Node[] {
  const out: Node[] = [<Rect box={area} color={COLORS.ink} />];
  const pad = Math.round(area.h * 0.1);
  const qrSide = withQr && m.qr ? area.h - 2 * pad : 0;
  const inner: Box = { name: "hotline", x: area.x + pad, y: area.y + pad, w: area.w - 2 * pad - (qrSide ? qrSide + pad : 0), h: area.h - 2 * pad };
  if (qrSide && m.qr) out.push(<Qr box={{ name: "qr", x: area.x + area.w - pad - qrSide, y: area.y + pad, w: qrSide, h: qrSide }} src={m.qr} />);
  if (!m.showHotline) {
    out.push(fitted(boxes, { ...inner, name: "scan" }, c.scan, { weight: 700, max: Math.round(inner.h * 0.4), min: 10, color: COLORS.paper }));
    return out;
  }
  const callH = Math.round(inner.h * 0.22);
  const numH = Math.round(inner.h * 0.5);
  out.push(fitted(boxes, { name: "call", x: inner.x, y: inner.y, w: inner.w, h: callH }, c.call, { weight: 700, max: callH, min: 8, color: COLORS.paper, lh: 1.1, lines: 1 }));
  out.push(fitted(boxes, { name: "number", x: inner.x, y: inner.y + callH, w: inner.w, h: numH }, HOTLINE, { weight: 900, max: Math.round(numH / 1.05), min: 10, color: COLORS.yellow, lh: 1.05, lines: 1 }));
  const restH = inner.h - callH - numH;
  out.push(
    fitted(boxes, { name: "abroad", x: inner.x, y: inner.y + callH + numH, w: inner.w, h: restH }, `${c.free} · ${HOTLINE_ABROAD} ${c.abroad}`, {
      weight: 400,
      max: Math.round(restH / 1.15),
      min: 7,
      color: COLORS.paper,
    }),
  );
  return out;
}

function banner(boxes: Box[], c: Catalogue, area: Box, exercise: boolean, headlineText: string, notice?: PosterModel["notice"]): Node[] {
  const pad = Math.round(area.h * 0.12);
  const titleH = Math.round((area.h - 2 * pad) * 0.58);
  const out: Node[] = [<Rect box={area} color={exercise ? COLORS.yellow : notice ? COLORS.blue : COLORS.red} />];
  const fg = exercise ? COLORS.ink : COLORS.paper;
  const brand = notice?.brand ?? "CHILD ALERT";
  const title = exercise ? `${brand} — ${c.exercise}` : brand;
  out.push(fitted(boxes, { name: "title", x: area.x + pad, y: area.y + pad, w: area.w - 2 * pad, h: titleH }, title, { weight: 900, max: titleH, min: 8, color: fg, lh: 1, lines: 1 }));
  const subH = area.h - 2 * pad - titleH;
  const sub = exercise ? c.exerciseNote : headlineText;
  out.push(fitted(boxes, { name: "headline", x: area.x + pad, y: area.y + pad + titleH, w: area.w - 2 * pad, h: subH }, sub, { weight: 700, max: subH, min: 7, color: fg, lh: 1.05, lines: 1 }));
  return out;
}

/** Geometry of the portrait family (square, story, print). */
function portraitGeometry(W: number, H: number) {
  const tall = H / W > 1.3;
  const pad = Math.round(W * 0.04);
  const bannerH = Math.round(H * (tall ? 0.1 : 0.14));
  const footerH = Math.round(H * (tall ? 0.14 : 0.2));
  const top = bannerH + pad;
  const bottom = H - footerH - pad;
  let photo: Box;
  if (tall) {
    const photoH = Math.round((bottom - top) * 0.46);
    photo = { name: "photo", x: pad, y: top, w: Math.min(W - 2 * pad, Math.round(photoH * 0.8)), h: photoH };
  } else {
    const photoW = Math.round((W - 3 * pad) * 0.4);
    photo = { name: "photo", x: pad, y: top, w: photoW, h: Math.min(bottom - top, Math.round(photoW * 1.3)) };
  }
  return { tall, pad, bannerH, footerH, top, bottom, photo };
}

/** Where the photo goes in a format: shared by the layout and by the job that scales the photo to it. */
export function photoArea(format: FormatName): Box {
  const { width: W, height: H, family } = FORMATS[format];
  if (family === "portrait") return portraitGeometry(W, H).photo;
  if (family === "wide") return { name: "photo", x: 0, y: 0, w: Math.round(H * 0.78), h: H };
  return { name: "photo", x: Math.round(W * 0.2), y: 0, w: Math.round(H * 0.78), h: H };
}

/** Formats with room for every approved photo (up to 4): the first large, the others beside the name. */
const ROOM_FOR_MORE_PHOTOS: readonly FormatName[] = ["print"];

/**
 * Where the second to fourth photos go (in order), or none when the format has no room:
 * a row under the name, beside the first photo. Shared by the layout and the render job.
 */
export function morePhotoAreas(format: FormatName): Box[] {
  if (!ROOM_FOR_MORE_PHOTOS.includes(format)) return [];
  const { width: W, height: H } = FORMATS[format];
  const { pad, top, photo } = portraitGeometry(W, H);
  const x = pad * 2 + photo.w;
  const w = W - pad - x;
  const y = top + Math.round(photo.h * 0.5);
  const h = photo.h - Math.round(photo.h * 0.5);
  const gap = Math.round(pad / 2);
  const each = Math.floor((w - 2 * gap) / 3);
  return [0, 1, 2].map((i) => ({ name: `photo${i + 2}`, x: x + i * (each + gap), y, w: each, h }));
}

/** The photo's size inside an area: as large as its aspect ratio allows, never cropped. */
export function containedSize(area: { w: number; h: number }, pw: number, ph: number): { w: number; h: number } {
  const scale = Math.min(area.w / pw, area.h / ph);
  return { w: Math.max(1, Math.floor(pw * scale)), h: Math.max(1, Math.floor(ph * scale)) };
}

function portrait(m: PosterModel, c: Catalogue, W: number, H: number, boxes: Box[], more: Box[]): Node[] {
  const { tall, pad, bannerH, footerH, top, bottom, photo } = portraitGeometry(W, H);
  const nodes: Node[] = banner(boxes, c, { name: "banner", x: 0, y: 0, w: W, h: bannerH }, m.exercise, m.notice?.headline ?? c.headline, m.notice);
  let column: Box;
  if (tall) {
    const photoW = photo.w;
    const photoH = photo.h;
    // With more photos, the name takes the upper half beside the first photo, the others the lower half.
    const extra = (m.morePhotos ?? []).slice(0, more.length);
    const nameH = extra.length ? more[0]!.y - top - Math.round(pad / 2) : photoH;
    const nameBox: Box = { name: "name", x: pad * 2 + photoW, y: top, w: W - 3 * pad - photoW, h: nameH };
    extra.forEach((p, i) => nodes.push(<Photo box={more[i]!} photo={p} />));
    nodes.push(fitted(boxes, nameBox, m.text!.name, { weight: 900, max: Math.round(W * 0.09), min: 16, color: COLORS.red, lh: 1.05 }));
    column = { name: "details", x: pad, y: top + photoH + pad, w: W - 2 * pad, h: bottom - top - photoH - pad };
  } else {
    const photoW = photo.w;
    const colX = pad * 2 + photoW;
    const nameH = Math.round((bottom - top) * 0.22);
    nodes.push(fitted(boxes, { name: "name", x: colX, y: top, w: W - colX - pad, h: nameH }, m.text!.name, { weight: 900, max: Math.round(W * 0.07), min: 14, color: COLORS.red, lh: 1.05, lines: 2 }));
    column = { name: "details", x: colX, y: top + nameH, w: W - colX - pad, h: bottom - top - nameH };
  }
  nodes.push(<Photo box={photo} photo={m.photo} />);
  boxes.push(column);
  const col = fitColumn(bodyBlocks(m, c), { width: column.w, height: column.h, maxSize: Math.round(W * (tall ? 0.036 : 0.03)), minSize: 10, lineHeight: 1.22 });
  nodes.push(<Column box={column} blocks={col.blocks} lineHeight={1.22} gapUnit={col.size} pad={col.pad} color={COLORS.red} />);
  nodes.push(...hotline(boxes, m, c, { name: "footer", x: 0, y: H - footerH, w: W, h: footerH }, true));
  return nodes;
}

function wide(m: PosterModel, c: Catalogue, W: number, H: number, boxes: Box[], photo: Box, withQr: boolean): Node[] {
  const photoW = photo.w;
  const nodes: Node[] = [<Photo box={photo} photo={m.photo} />];
  const x0 = photoW;
  const w = W - photoW;
  const bannerH = Math.round(H * 0.2);
  nodes.push(...banner(boxes, c, { name: "banner", x: x0, y: 0, w, h: bannerH }, m.exercise, m.notice?.headline ?? c.headline, m.notice));
  const pad = Math.round(H * 0.04);
  const footerH = Math.round(H * 0.3);
  const nameH = Math.round(H * 0.17);
  nodes.push(fitted(boxes, { name: "name", x: x0 + pad, y: bannerH + pad, w: w - 2 * pad, h: nameH }, m.text!.name, { weight: 900, max: nameH, min: 8, color: COLORS.red, lh: 1.05, lines: 1 }));
  const column: Box = { name: "details", x: x0 + pad, y: bannerH + pad + nameH, w: w - 2 * pad, h: H - footerH - bannerH - 2 * pad - nameH };
  boxes.push(column);
  const t = m.text!;
  const blocks: Block[] = [
    { text: [t.age, t.height].filter(Boolean).join(" · "), weight: 700, gapAfter: 0.25 },
    { text: `${c.lastSeen}: ${t.lastSeen}`, weight: 400, gapAfter: 0.25 },
  ];
  if (H >= 400) {
    if (t.clothing) blocks.push({ text: `${c.clothing}: ${t.clothing}`, weight: 400, gapAfter: 0.25 });
    if (t.vehicle) blocks.push({ text: `${c.vehicle}: ${t.vehicle}`, weight: 400, gapAfter: 0.25 });
    if (t.accompanying) blocks.push({ text: `${c.accompanying}: ${t.accompanying}`, weight: 400 });
  }
  const col = fitColumn(blocks, { width: column.w, height: column.h, maxSize: Math.round(H * 0.05), minSize: 8, lineHeight: 1.18 });
  nodes.push(<Column box={column} blocks={col.blocks} lineHeight={1.18} gapUnit={col.size} pad={col.pad} color={COLORS.ink} />);
  nodes.push(...hotline(boxes, m, c, { name: "footer", x: x0, y: H - footerH, w, h: footerH }, withQr));
  return nodes;
}

function strip(m: PosterModel, c: Catalogue, W: number, H: number, boxes: Box[], photo: Box): Node[] {
  const badgeW = photo.x;
  const photoW = photo.w;
  const hotW = Math.round(W * 0.2);
  const pad = Math.round(H * 0.08);
  const nodes: Node[] = [<Rect box={{ name: "badge", x: 0, y: 0, w: badgeW, h: H }} color={m.exercise ? COLORS.yellow : m.notice ? COLORS.blue : COLORS.red} />];
  const fg = m.exercise ? COLORS.ink : COLORS.paper;
  nodes.push(fitted(boxes, { name: "title", x: pad, y: pad, w: badgeW - 2 * pad, h: Math.round((H - 2 * pad) * 0.55) }, m.notice?.brand ?? "CHILD ALERT", { weight: 900, max: 40, min: 8, color: fg, lh: 1, lines: 1 }));
  nodes.push(
    fitted(boxes, { name: "headline", x: pad, y: pad + Math.round((H - 2 * pad) * 0.55), w: badgeW - 2 * pad, h: Math.round((H - 2 * pad) * 0.45) }, m.exercise ? c.exercise : (m.notice?.headline ?? c.headline), {
      weight: 700,
      max: 20,
      min: 6,
      color: fg,
      lh: 1,
    }),
  );
  nodes.push(<Photo box={photo} photo={m.photo} />);
  const tx = badgeW + photoW + pad;
  const tw = W - tx - hotW - pad;
  const t = m.text!;
  nodes.push(fitted(boxes, { name: "name", x: tx, y: pad, w: tw, h: Math.round((H - 2 * pad) * 0.5) }, `${t.name}, ${t.age}`, { weight: 900, max: 30, min: 7, color: COLORS.red, lh: 1.05 }));
  nodes.push(fitted(boxes, { name: "lastSeen", x: tx, y: pad + Math.round((H - 2 * pad) * 0.5), w: tw, h: Math.round((H - 2 * pad) * 0.5) }, `${c.lastSeen}: ${t.lastSeen}`, { weight: 400, max: 16, min: 6, color: COLORS.ink, lh: 1.1 }));
  const hx = W - hotW;
  nodes.push(<Rect box={{ name: "hot", x: hx, y: 0, w: hotW, h: H }} color={COLORS.ink} />);
  if (m.showHotline) {
    nodes.push(fitted(boxes, { name: "number", x: hx + pad, y: pad, w: hotW - 2 * pad, h: Math.round((H - 2 * pad) * 0.65) }, HOTLINE, { weight: 900, max: 40, min: 8, color: COLORS.yellow, lh: 1, lines: 1 }));
    nodes.push(fitted(boxes, { name: "abroad", x: hx + pad, y: pad + Math.round((H - 2 * pad) * 0.65), w: hotW - 2 * pad, h: Math.round((H - 2 * pad) * 0.35) }, HOTLINE_ABROAD, { weight: 400, max: 14, min: 6, color: COLORS.paper, lh: 1, lines: 1 }));
  } else {
    nodes.push(fitted(boxes, { name: "scan", x: hx + pad, y: pad, w: hotW - 2 * pad, h: H - 2 * pad }, c.scan, { weight: 700, max: 20, min: 6, color: COLORS.paper }));
  }
  return nodes;
}

/** After the stop: thanks, no name, no photo (DOMAIN rule 12). */
function stopped(m: PosterModel, c: Catalogue, W: number, H: number, boxes: Box[]): Node[] {
  const found = m.variant === "found";
  const pad = Math.round(Math.min(W, H) * 0.06);
  const nodes: Node[] = [<Rect box={{ name: "bg", x: 0, y: 0, w: W, h: H }} color={found ? "#0B6E4F" : COLORS.ink} />];
  const titleH = Math.round((H - 2 * pad) * 0.45);
  const line1 = `CHILD ALERT${m.exercise ? ` — ${c.exercise}` : ""}`;
  const small = H < 200;
  const headH = Math.round((H - 2 * pad) * (small ? 0.3 : 0.15));
  nodes.push(fitted(boxes, { name: "brand", x: pad, y: pad, w: W - 2 * pad, h: headH }, line1, { weight: 900, max: headH, min: 6, color: m.exercise ? COLORS.yellow : COLORS.paper, lh: 1, lines: 1 }));
  nodes.push(
    fitted(boxes, { name: "stopTitle", x: pad, y: pad + headH, w: W - 2 * pad, h: small ? H - 2 * pad - headH : titleH }, found ? c.foundTitle : c.endedTitle, {
      weight: 900,
      max: Math.round(W * 0.12),
      min: 8,
      color: COLORS.paper,
      lh: 1.05,
      align: "center",
    }),
  );
  if (!small) {
    const bodyY = pad + headH + titleH;
    nodes.push(
      fitted(boxes, { name: "stopBody", x: pad, y: bodyY, w: W - 2 * pad, h: H - pad - bodyY }, found ? c.foundBody : c.endedBody, {
        weight: 400,
        max: Math.round(W * 0.045),
        min: 7,
        color: COLORS.paper,
        lh: 1.25,
        align: "center",
      }),
    );
  }
  return nodes;
}

/** Builds the poster for one format; returns the JSX tree and the text boxes it declared. */
export function layoutPoster(model: PosterModel, format: FormatName): { node: Node; boxes: Box[]; width: number; height: number } {
  const { width: W, height: H, family } = FORMATS[format];
  const c = CATALOGUES[model.lang];
  const boxes: Box[] = [];
  let nodes: Node[];
  if (model.variant !== "alert" || !model.text) nodes = stopped(model, c, W, H, boxes);
  else if (family === "portrait") nodes = portrait(model, c, W, H, boxes, morePhotoAreas(format));
  else if (family === "wide") nodes = wide(model, c, W, H, boxes, photoArea(format), format !== "push");
  else nodes = strip(model, c, W, H, boxes, photoArea(format));
  if (model.exercise) nodes.push(<ExerciseWatermark w={W} h={H} c={c} />);
  return { node: <Frame w={W} h={H}>{nodes}</Frame>, boxes, width: W, height: H };
}
