import { z } from "zod";
import type { SocialNetworkSpec } from "../channel.ts";
import { type TelegramCredentials, telegramClient, telegramOrigin } from "./client.ts";
import { composeTelegram } from "./compose.ts";

export const telegramSpec = {
  network: "telegram",
  label: { fr: "Canal Telegram", nl: "Telegramkanaal", de: "Telegram-Kanal", en: "Telegram channel" },
  fields: {
    target: z.string().trim().regex(/^(@[A-Za-z][A-Za-z0-9_]{4,31}|-100\d{5,20})$/, "the channel: @name or its -100… id"),
    credentials: z.object({ botToken: z.string().trim().regex(/^\d{3,20}:[A-Za-z0-9_-]{20,100}$/, "a bot token such as 123456:ABC…") }).strict(),
  },
  compose: composeTelegram,
  client: telegramClient,
  apiOrigin: telegramOrigin,
} satisfies SocialNetworkSpec<TelegramCredentials>;

