import { EmulatorError } from './errors.js';
import { botInfo } from './bot-info.js';
import { bucketView, pressMenuItem, setEventMode, setRateLimit } from './controls.js';
import type { Core } from './core.js';
import type { FileStore } from './files.js';
import type { PayloadEnv } from './event-intent.js';
import { randomHex } from './ids.js';
import type { MessageRec } from './chats.js';
import { finishInstall, openFrame } from './frame/launch.js';
import { sendInstall, sendUninstall, type InstallForge } from './lifecycle.js';
import type { PortalState } from './portal-state.js';
import { botDialogId, sentMessageView } from './posting.js';
import {
  botJoined, requireBot, usage, userChangeMessage, userPressButton, userReact, userSendMessage,
} from './scripted-user.js';
import type {
  AppLaunch, Counters, Delivery, DeliveryFault, DeliveryRecord, EmulatedBot, EmulatedPortal, FaultInjector, MessageFilter, RestRequestLog,
  RateLimit, SendMessageOptions, SentMessage,
} from './types.js';

/** The public face of one portal: the scripted user API and the inspection API over its state. */
export class Portal implements EmulatedPortal {
  readonly #env: PayloadEnv;
  readonly users: { add(u: { name: string; workPosition?: string; admin?: boolean }): number };

  constructor(core: Core, state: PortalState) {
    this.#env = { core, portal: state };
    this.users = { add: (u) => state.directory.add(u) };
  }

  get memberId(): string { return this.#env.portal.memberId; }
  get domain(): string { return this.#env.portal.domain; }
  get clientEndpoint(): string { return this.#env.portal.clientEndpoint; }
  get applicationToken(): string { return this.#env.portal.applicationToken; }
  get faults(): FaultInjector { return this.#env.core.faults; }
  get files(): FileStore { return this.#env.portal.files; }

  createWebhook({ userId = 1 }: { userId?: number } = {}): string {
    if (!this.#env.portal.directory.get(userId)) throw usage(`no user ${userId} on this portal`);
    const code = randomHex(8);
    this.#env.portal.webhooks.set(code, userId);
    return `${this.#env.portal.baseUrl}/rest/${userId}/${code}/`;
  }

  install(handlerUrl: string, forge?: InstallForge): Promise<{ status: number; body: unknown }> {
    return sendInstall(this.#env, handlerUrl, forge);
  }

  uninstall(handlerUrl: string, opts?: { applicationToken?: string; clean?: boolean }): Promise<{ status: number; body: unknown }> {
    return sendUninstall(this.#env, handlerUrl, opts);
  }

  get installFinished(): boolean { return this.#env.portal.installFinished; }

  beginUiInstall(): void {
    this.#env.portal.installFinished = false;
  }

  appFrameUrl({ url, install, userId = 1, lang }: { url: string; install?: string; userId?: number; lang?: string }): string {
    if (this.#env.portal.index !== 0) throw usage('the app frame is served for the default portal only');
    const q = new URLSearchParams({ user: String(userId), url, ...(install ? { install } : {}), ...(lang ? { lang } : {}) });
    return `${this.#env.core.url}/app-frame?${q.toString()}`;
  }

  openApp({ url, install, userId = 1, lang }: { url: string; install?: string; userId?: number; lang?: string }): AppLaunch | null {
    if (this.#env.portal.index !== 0) throw usage('the app frame is served for the default portal only');
    try {
      return openFrame(this.#env.core, this.#env.portal, { userId, url, ...(install ? { install } : {}), ...(lang ? { lang } : {}) });
    } catch (e) {
      throw usage((e as Error).message);
    }
  }

  finishInstall(appSid: string): boolean {
    return finishInstall(this.#env.core, this.#env.portal, appSid);
  }

  issueTokens(userId = 1): { accessToken: string; refreshToken: string; expiresIn: number } {
    const grant = this.#env.core.tokens.issue(this.memberId, userId);
    return { accessToken: grant.accessToken, refreshToken: grant.refreshToken, expiresIn: this.#env.core.tokens.ttlS };
  }

  expireAccessTokens(): void { this.#env.core.tokens.expireAccess(this.memberId); }
  revokeRefreshTokens(): void { this.#env.core.tokens.revokeRefresh(this.memberId); }

  createChat({ title, userIds, ownerId }: { title: string; userIds: number[]; ownerId?: number }): string {
    const owner = ownerId ?? userIds[0] ?? 1;
    for (const id of [owner, ...userIds]) if (!this.#env.portal.directory.get(id)) throw usage(`no user ${id} on this portal`);
    return `chat${this.#env.portal.chats.createGroup(title, userIds, owner).id}`;
  }

  addBotToChat(botCode: string, dialogId: string, byUserId = 1): Promise<Delivery> {
    const chat = this.#env.portal.chats.group(dialogId);
    if (!chat) return Promise.reject(usage(`no group chat ${dialogId}`));
    return botJoined(this.#env, botCode, chat, byUserId);
  }

  openDialog(userId: number, botCode: string): Promise<Delivery> {
    const bot = requireBot(this.#env, botCode);
    return botJoined(this.#env, botCode, this.#env.portal.chats.privateChat(userId, bot.id), userId);
  }

  sendMessage(opts: SendMessageOptions): Promise<{ messageId: number; deliveries: Delivery[] }> {
    return userSendMessage(this.#env, opts);
  }

  editMessage({ from, messageId, text }: { from: number; messageId: number; text: string }): Promise<Delivery[]> {
    return userChangeMessage(this.#env, 'update', from, messageId, text);
  }

  deleteMessage({ from, messageId }: { from: number; messageId: number }): Promise<Delivery[]> {
    return userChangeMessage(this.#env, 'delete', from, messageId);
  }

  pressButton({ from, messageId, button }: { from: number; messageId: number; button: number | string }): Promise<Delivery> {
    return userPressButton(this.#env, from, messageId, button);
  }

  react({ from, messageId, reaction, action = 'add' }: { from: number; messageId: number; reaction: string;
    action?: 'add' | 'delete' }): Promise<Delivery[]> {
    return userReact(this.#env, from, messageId, reaction, action);
  }

  messages(filter: MessageFilter = {}): SentMessage[] {
    const state = this.#env.portal;
    return state.chats.botMessages()
      .filter((m) => (filter.botCode === undefined || m.botCode === filter.botCode)
        && (filter.dialogId === undefined || botDialogId(state, m) === filter.dialogId))
      .map((m) => sentMessageView(state, m));
  }

  /** Resolves on the `posted` signal once `count` matching bot messages exist; no polling. */
  waitForMessages(count: number, filter: MessageFilter = {}, timeoutMs = 5000): Promise<SentMessage[]> {
    const emitter = this.#env.portal.emitter;
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.messages(filter);
        if (found.length < count) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const onPosted = (_msg: MessageRec): void => void check();
      const timer = setTimeout(() => {
        cleanup();
        const have = this.messages(filter).map((m) => m.text);
        reject(new EmulatorError('EMULATOR_TIMEOUT', `expected ${count} bot messages matching ${JSON.stringify(filter)} within ${timeoutMs} ms, have ${have.length}: ${JSON.stringify(have)}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        emitter.off('posted', onPosted);
      };
      emitter.on('posted', onPosted);
      check();
    });
  }

  bots(): EmulatedBot[] {
    return this.#env.portal.bots.all().map((b) => botInfo(this.#env, b));
  }

  requests(): RestRequestLog[] { return this.#env.portal.stats.requests(); }
  deliveries(): DeliveryRecord[] { return this.#env.portal.stats.deliveries(); }
  counters(): Counters { return this.#env.portal.stats.snapshot(); }

  pendingEvents(botCode: string): number {
    return this.#env.portal.eventLog.pending(requireBot(this.#env, botCode).id);
  }

  onRequest(listener: (entry: RestRequestLog) => void): () => void {
    return this.#env.portal.stats.onRequest(listener);
  }

  onDelivery(listener: (record: DeliveryRecord) => void): () => void {
    return this.#env.portal.stats.onDelivery(listener);
  }

  setRateLimit(limit: RateLimit | 'standard' | 'enterprise' | null): void { setRateLimit(this.#env, limit); }
  bucket(): { rate: number; burst: number; level: number } | null { return bucketView(this.#env); }

  setDeliveryFault(fault: DeliveryFault | null): void {
    this.#env.portal.deliveryFault = fault ? { ...fault } : null;
  }

  setEventMode(botCode: string, mode: 'webhook' | 'fetch'): void { setEventMode(this.#env, botCode, mode); }

  pressMenuItem({ from, messageId, item }: { from: number; messageId: number; item: number | string }): Promise<Delivery> {
    return pressMenuItem(this.#env, from, messageId, item);
  }
}
