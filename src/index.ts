/**
 * b24-botkit public API. Bot modules import from here only.
 * @packageDocumentation
 */
export { defineBot, BotDefinition } from './router/bot.js';
export type { AnyBotDefinition, BotOptions, BotPlugin, CommandSpec, GroupPolicy } from './router/bot.js';
export { Composer } from './router/composer.js';
export type { Middleware, MiddlewareFn, MiddlewareObj, NextFunction, ContextOf, WithEvent, ErrorHandler } from './router/composer.js';
export { Context } from './router/context.js';
export type { Reply, PortalClient, MethodArgs, MethodResult } from './router/context.js';
export type { BotMethods, BotMethod } from './rest/methods.js';
export { defineDialogue, retry, END } from './router/dialogue.js';
export type { Dialogue, DialogueSpec, Step, StepResult, Retry } from './router/dialogue.js';
export type { DialogueControl } from './router/dialogue-control.js';
export type { Session } from './router/session.js';
export type { Texts } from './router/i18n.js';
export * from './plugins/index.js';
export { BotkitError, HttpError, ERROR_CODES } from './errors.js';
export type { ErrorCode } from './errors.js';
export type * from './protocol/events.js';
export type { BotType, BotColor, BotProperties } from './protocol/outbound.js';
export { createBotkit } from './server.js';
export type { Botkit, BotkitOptions } from './server.js';
export type { EventSource, Metrics } from './metrics/metrics.js';
export type { PromMetrics, MetricSources } from './metrics/prometheus.js';
export { describeChange } from './registry/plan.js';
export type { SyncChange, SyncPlan } from './registry/plan.js';
export type { AppliedChange, SyncReport } from './registry/sync.js';
export { loadConfig } from './config.js';
export type { Config } from './config.js';
export { createLogger } from './log.js';
export type { Logger, LogMeta, LogLevel } from './log.js';
export { Keyboard } from './protocol/keyboard.js';
export type { ButtonOptions, KeyboardJSON } from './protocol/keyboard.js';
export { Attach } from './protocol/attach.js';
export type { AttachJSON } from './protocol/attach.js';
export { Menu } from './protocol/menu.js';
export type { MenuJSON } from './protocol/menu.js';
export * as bb from './protocol/bbcode.js';
export type { OutgoingMessage } from './protocol/message.js';
export type { FileDownload, OutgoingFile } from './rest/files.js';
export { describeFile, formatSize } from './router/file-format.js';
export type { DownloadOpts, FetchedMessage, FileReply, MessageWindow, SentFile, UploadOpts } from './router/context-files.js';
export type { BotClient, ChatApi, ChatChanges, ChatInfo, NewChat } from './router/chat-client.js';
export { createRestClient, callBot, B24ApiError, B24AuthError, B24BadResponseError, B24HostRefusedError, B24OperationTimeLimitError,
  B24PortalUnknownError, B24QueryLimitError, B24ReinstallRequiredError, B24TimeoutError, B24TransportError } from './rest/index.js';
export type { RestClient, RestClientOptions, CallOptions } from './rest/index.js';
export { createOutbox } from './outbox/outbox.js';
export type { Outbox } from './outbox/outbox.js';
export { openStore } from './store/index.js';
export type { Store } from './store/types.js';
