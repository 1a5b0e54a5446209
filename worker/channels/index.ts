// The only list of channels. Job types, Durable Object keys, the admin's switches, zod
// enums, statistics, the dashboard's live panel and the magistrate's summary all derive
// from it: adding a channel is one folder and one line here (a social network: one
// folder and one line in domain SOCIAL_NETWORKS; the typecheck names its spec and queue).
import type { Channel } from "./channel.ts";
import { email } from "./email/channel.ts";
import { push } from "./push/channel.ts";
import { webhooks } from "./webhooks/channel.ts";
import { SOCIAL_CHANNELS } from "./social/networks.ts";

export const CHANNELS = [push, email, webhooks, ...SOCIAL_CHANNELS] as const;

export type ChannelName = (typeof CHANNELS)[number]["name"];
export const CHANNEL_NAMES = CHANNELS.map((c) => c.name) as [ChannelName, ...ChannelName[]];

export function channelOf(name: ChannelName): Channel {
  const c = CHANNELS.find((x) => x.name === name);
  if (!c) throw new Error(`unknown channel ${name}`);
  return c as unknown as Channel;
}
