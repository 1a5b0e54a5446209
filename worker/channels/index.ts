// The only list of channels. Job types, Durable Object keys, the admin's switches, zod
// enums, statistics, the dashboard's live panel and the magistrate's summary all derive
// from it: adding a channel is one folder and one line here.
import type { Channel } from "./channel.ts";
import { email } from "./email/channel.ts";
import { push } from "./push/channel.ts";
import { webhooks } from "./webhooks/channel.ts";
import { bluesky } from "./social/bluesky/channel.ts";
import { facebook } from "./social/facebook/channel.ts";
import { mastodon } from "./social/mastodon/channel.ts";
import { telegram } from "./social/telegram/channel.ts";
import { x } from "./social/x/channel.ts";

export const CHANNELS = [push, email, webhooks, mastodon, bluesky, x, facebook, telegram] as const;

export type ChannelName = (typeof CHANNELS)[number]["name"];
export const CHANNEL_NAMES = CHANNELS.map((c) => c.name) as [ChannelName, ...ChannelName[]];

export function channelOf(name: ChannelName): Channel {
  const c = CHANNELS.find((x) => x.name === name);
  if (!c) throw new Error(`unknown channel ${name}`);
  return c as unknown as Channel;
}
