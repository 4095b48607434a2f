import type { BotRec } from './bots.js';
import type { EventIntent, PayloadEnv } from './event-intent.js';
import { tokenAuth } from './payload-auth.js';
import { stripMentions } from './payload-v1.js';
import { LANGUAGE, v2BotView, v2ChatView, v2MessageView, v2UserView } from './views.js';

type Data = Record<string, unknown>;

/**
 * The `bot` block of a v2 event: the full owner-format Bot in fetch mode; `{id, code, auth}` in
 * webhook mode, where `auth` is the bot user's token (absent for bots registered through a webhook).
 */
function botBlock(env: PayloadEnv, bot: BotRec, mode: 'webhook' | 'fetch'): Data {
  if (mode === 'fetch') return v2BotView(env.portal, bot, true);
  const block: Data = { id: bot.id, code: bot.code };
  if (bot.authKind === 'oauth') block['auth'] = tokenAuth(env, bot.id, true, bot);
  return block;
}

/** The `data` of a v2 event for one bot (v2 facts §7), with JSON types (webhook mode stringifies them). */
export function v2Data(env: PayloadEnv, intent: EventIntent, bot: BotRec, mode: 'webhook' | 'fetch'): Data {
  const head: Data = { bot: botBlock(env, bot, mode) };
  if (intent.kind === 'botDelete') return head;
  const chat = v2ChatView(env.portal, intent.chat, bot.id);
  const user = v2UserView(intent.user);
  switch (intent.kind) {
    case 'message': {
      if (intent.op === 'delete') return { ...head, messageId: intent.message.id, chat, user, language: LANGUAGE };
      const message = v2MessageView(intent.message);
      if (intent.chat.kind === 'group' && env.core.v2StripMentions) message['text'] = stripMentions(intent.message.text, [bot.id]);
      return { ...head, message, chat, user, language: LANGUAGE };
    }
    case 'join':
      return { ...head, dialogId: chat['dialogId'], chat, user, language: LANGUAGE };
    case 'command':
      return {
        ...head,
        command: { id: intent.command.id, command: `/${intent.command.command}`, params: intent.params, context: intent.context },
        message: v2MessageView(intent.message), chat, user, language: LANGUAGE,
      };
    case 'reaction':
      return {
        ...head, reaction: intent.reaction, action: intent.action, message: v2MessageView(intent.message), chat, user,
        language: LANGUAGE,
      };
  }
}
