// A Telegram channel through the Bot API (core.telegram.org/bots/api): sendPhoto with a
// caption, editMessageMedia to replace poster and caption in place, sendMessage for the
// stop message, deleteMessage to retract. Answers are {ok, result} or {ok: false,
// error_code, description, parameters.retry_after}. A bot may delete its channel posts
// only within 48 hours: older ones stay listed to the operator, with their link.
import { serviceOrigin } from "../../../config.ts";
import { type Conn, type PostInput, type Receipt, SocialError, type SocialClient } from "../channel.ts";

export interface TelegramCredentials {
  botToken: string;
}

type C = Conn<TelegramCredentials>;

export const telegramOrigin = (env: Env) => serviceOrigin(env, env.TELEGRAM_API_ORIGIN, "https://api.telegram.org");

interface Message {
  message_id: number;
  chat: { id: number; username?: string };
}

async function call<T>(c: C, method: string, body: FormData | Record<string, unknown>): Promise<T> {
  const form = body instanceof FormData;
  const res = await c.fetch(`${telegramOrigin(c.env)}/bot${c.credentials.botToken}/${method}`, {
    method: "POST",
    ...(form ? { body } : { headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }),
  });
  const r = (await res.json().catch(() => ({ ok: false, error_code: res.status, description: "" }))) as {
    ok: boolean;
    result?: T;
    error_code?: number;
    description?: string;
    parameters?: { retry_after?: number };
  };
  if (r.ok) return r.result as T;
  const code = r.error_code ?? res.status;
  const d = r.description ?? "";
  // The description names the case; the token is never part of the message.
  const msg = `telegram ${method}: ${code} ${d.slice(0, 80)}`;
  if (code === 429 || code >= 500) throw new SocialError(msg, "retry", r.parameters?.retry_after);
  if (/message to (delete|edit) not found|MESSAGE_ID_INVALID/i.test(d)) throw new SocialError(msg, "gone");
  throw new SocialError(msg, "refused");
}

const receiptOf = (m: Message): Receipt => ({
  postId: `${m.chat.id}:${m.message_id}`,
  url: m.chat.username ? `https://t.me/${m.chat.username}/${m.message_id}` : `https://t.me/c/${String(m.chat.id).replace(/^-100/, "")}/${m.message_id}`,
});

const split = (postId: string) => {
  const i = postId.lastIndexOf(":");
  return { chat_id: postId.slice(0, i), message_id: Number(postId.slice(i + 1)) };
};

export const telegramClient: SocialClient<TelegramCredentials> = {
  // getMe: the bot's token is valid.
  async verify(c) {
    const me = await call<{ username?: string }>(c, "getMe", {});
    return { name: `@${me.username ?? "bot"}` };
  },
  async publish(c, input: PostInput) {
    if (!input.image) {
      input.beforeCommit();
      return receiptOf(await call<Message>(c, "sendMessage", { chat_id: c.account.target, text: input.message.text }));
    }
    const form = new FormData();
    form.append("chat_id", c.account.target);
    form.append("caption", input.message.text);
    form.append("photo", new Blob([input.image], { type: "image/png" }), "poster.png");
    input.beforeCommit();
    return receiptOf(await call<Message>(c, "sendPhoto", form));
  },
  async edit(c, receipt, input) {
    const { chat_id, message_id } = split(receipt.postId);
    const form = new FormData();
    form.append("chat_id", chat_id);
    form.append("message_id", String(message_id));
    form.append("media", JSON.stringify({ type: "photo", media: "attach://poster", caption: input.message.text }));
    if (input.image) form.append("poster", new Blob([input.image], { type: "image/png" }), "poster.png");
    input.beforeCommit();
    try {
      return receiptOf(await call<Message>(c, "editMessageMedia", form));
    } catch (err) {
      // Same text and same picture: nothing to change, the post already shows it.
      if (err instanceof SocialError && /message is not modified/i.test(err.message)) return receipt;
      throw err;
    }
  },
  async remove(c, receipt) {
    await call<boolean>(c, "deleteMessage", split(receipt.postId));
  },
};
