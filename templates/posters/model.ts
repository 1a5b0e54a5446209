// What a poster shows, already decided: texts in one language, the photo, the hotline,
// the QR code. Built from the publishable content only (the accompanying-person section
// appears only when authorised), so a template cannot leak what may not be published.

export const FORMATS = {
  square: { width: 1080, height: 1080, family: "portrait", use: "Instagram, Facebook, Mastodon, Bluesky" },
  story: { width: 1080, height: 1920, family: "portrait", use: "stories, phone screens" },
  landscape: { width: 1200, height: 630, family: "wide", use: "link previews (Open Graph), X, e-mail header" },
  push: { width: 1024, height: 512, family: "wide", use: "web-push notification image (2:1)" },
  leaderboard: { width: 728, height: 90, family: "strip", use: "partner web-site banner" },
  billboard: { width: 970, height: 250, family: "wide", use: "partner web-site banner" },
  print: { width: 1240, height: 1754, family: "portrait", use: "printable A4 poster at 150 dpi" },
} as const;

export type FormatName = keyof typeof FORMATS;
export const FORMAT_NAMES = Object.keys(FORMATS) as FormatName[];

/** alert: the live poster; found / ended: what replaces it after the stop (no name, no photo). */
export type Variant = "alert" | "found" | "ended";

export interface PosterPhoto {
  /** data: URI of the normalised JPEG. */
  src: string;
  width: number;
  height: number;
}

export interface AlertPosterText {
  name: string;
  age: string;
  height?: string;
  lastSeen: string;
  description: string;
  clothing?: string;
  vehicle?: string;
  accompanying?: string;
}

export interface PosterModel {
  lang: "fr" | "nl" | "de" | "en";
  variant: Variant;
  exercise: boolean;
  showHotline: boolean;
  /** data: URI of the QR code SVG pointing at the public alert page. */
  qr: string | null;
  photo: PosterPhoto | null;
  /**
   * The other approved photos (up to 3, rule 7: the same set everywhere), drawn where a
   * format has room for them (the print poster); elsewhere the first photo stands alone.
   */
  morePhotos?: PosterPhoto[];
  /** Present for the alert variant only. */
  text: AlertPosterText | null;
  /** Issue 29: a search notice's poster says so (its own title and headline, a blue band); absent: a Child Alert. */
  notice?: { brand: string; headline: string };
}
