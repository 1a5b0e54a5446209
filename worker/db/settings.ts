// Channel switches (admin): reads and the statement that sets one.
import { eq } from "drizzle-orm";
import type { Db } from "./client.ts";
import { channelSettings } from "./schema.ts";

export interface ChannelSetting<Channel extends string = string> {
  channel: Channel;
  enabled: boolean;
  updatedBy: string | null;
  updatedAt: string | null;
}

/** Every channel of the registry (its names, given by the caller: db/ knows no channel) with its switch; a channel never set is on. */
export async function channelSettingsList<Channel extends string>(db: Db, names: readonly Channel[]): Promise<ChannelSetting<Channel>[]> {
  const rows = await db.select().from(channelSettings);
  return names.map((channel) => {
    const row = rows.find((r) => r.channel === channel);
    return { channel, enabled: row?.enabled ?? true, updatedBy: row?.updatedBy ?? null, updatedAt: row?.updatedAt ?? null };
  });
}

export async function channelEnabled(db: Db, channel: string): Promise<boolean> {
  const row = await db.select({ enabled: channelSettings.enabled }).from(channelSettings).where(eq(channelSettings.channel, channel)).get();
  return row?.enabled ?? true;
}

export function setChannel(db: Db, channel: string, enabled: boolean, userId: string, now: Date) {
  const updatedAt = now.toISOString();
  return db
    .insert(channelSettings)
    .values({ channel, enabled, updatedBy: userId, updatedAt })
    .onConflictDoUpdate({ target: channelSettings.channel, set: { enabled, updatedBy: userId, updatedAt } });
}
