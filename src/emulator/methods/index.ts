import { MethodTable } from '../rest.js';
import { chatAdminMethods } from './chat-admin.js';
import { commonMethods } from './common.js';
import { userMethods } from './users.js';
import { v1BotMethods } from './v1-bot.js';
import { v1CommandMethods } from './v1-command.js';
import { v1MessageMethods } from './v1-message.js';
import { v2BotMethods } from './v2-bot.js';
import { v2CommandMethods } from './v2-command.js';
import { v2FileMethods } from './v2-file.js';
import { v2MessageMethods } from './v2-message.js';

/** Every REST method the emulator serves. */
export function createMethodTable(): MethodTable {
  const table = new MethodTable();
  for (const group of [
    commonMethods, userMethods, v1BotMethods, v1MessageMethods, v1CommandMethods, v2BotMethods, v2CommandMethods, v2MessageMethods,
    v2FileMethods, chatAdminMethods,
  ]) {
    table.register(group);
  }
  return table;
}
