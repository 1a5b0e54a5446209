import { socialChannel, type SocialNetworkSpec } from "../channel.ts";
import { type TelegramCredentials, telegramClient, telegramOrigin } from "./client.ts";
import { composeTelegram } from "./compose.ts";

export const telegramSpec = {
  network: "telegram",
  label: { fr: "Canal Telegram", nl: "Telegramkanaal", de: "Telegram-Kanal", en: "Telegram channel" },
  compose: composeTelegram,
  client: telegramClient,
  apiOrigin: telegramOrigin,
} satisfies SocialNetworkSpec<TelegramCredentials>;

export const telegram = socialChannel(telegramSpec);
