// The broadcast channels as the Worker's registry lists them (GET /channels), with their
// names per language: the dashboard keeps no list of its own.
import { useEffect, useState } from "preact/hooks";
import { api, must } from "../api/client";
import { lang } from "../i18n";

export type ChannelInfo = Awaited<ReturnType<typeof fetchChannels>>[number];

const fetchChannels = async () => (await must(api.GET("/channels"))).channels;
let cache: Promise<ChannelInfo[]> | null = null;

/** The registry's channels (fetched once per page load). */
export function useChannels(): ChannelInfo[] {
  const [channels, setChannels] = useState<ChannelInfo[]>([]);
  useEffect(() => {
    cache ??= fetchChannels().catch((err) => {
      cache = null;
      throw err;
    });
    cache.then(setChannels, () => undefined);
  }, []);
  return channels;
}

/** A channel's name in the UI language. */
export const channelName = (channels: ChannelInfo[], name: string) => channels.find((c) => c.channel === name)?.label[lang()] ?? name;
