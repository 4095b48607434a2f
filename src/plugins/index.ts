/**
 * The shipped plugins: typed session, flood guard, command help, i18n. Each is ordinary middleware (or a
 * {@link BotPlugin} for the help); see the README's "Plugins" section for the contract.
 * @packageDocumentation
 */
export { session, memoryStorage, redisStorage } from './session.js';
export type { SessionFlavor, SessionOptions, StorageAdapter, RedisLike } from './session.js';
export { floodGuard } from './flood.js';
export type { FloodGuardOptions } from './flood.js';
export { commandHelp, renderHelp } from './help.js';
export type { CommandHelpOptions } from './help.js';
export { i18n, negotiate } from './i18n.js';
export type { I18nFlavor, I18nOptions, Messages, MessageVars, PluralMessage } from './i18n.js';
