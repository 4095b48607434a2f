import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { listenError } from '../errors.js';
import { createLogger } from '../log.js';
import type { Core } from './core.js';
import { Lingering } from './fault-apply.js';
import { FaultRegistry } from './faults.js';
import { createMethodTable } from './methods/index.js';
import { Portal } from './portal.js';
import { PLAN_LIMITS, PortalState } from './portal-state.js';
import { EventPoster } from './poster.js';
import { createEmulatorServer } from './server.js';
import { selfSignedCertificate } from './tls.js';
import { TokenStore } from './tokens.js';
import type { Emulator, EmulatedPortal, EmulatorOptions, FaultInjector, RateLimit } from './types.js';

export type * from './types.js';

interface PortalEntry {
  state: PortalState;
  facade: Portal;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const failed = (e: unknown): void => reject(listenError(e, '127.0.0.1', port));
    server.once('error', failed);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', failed);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function buildCore(opts: EmulatorOptions, port: number, portals: PortalEntry[], tasks: Set<Promise<unknown>>): Core {
  const clock = opts.clock ?? Date.now;
  const url = `${opts.https ? 'https' : 'http'}://127.0.0.1:${port}`;
  let eventId = 0;
  return {
    url, host: `127.0.0.1:${port}`, clock, log: opts.log ?? createLogger({ level: 'warn' }),
    clientId: opts.clientId ?? 'local.emulator.app', clientSecret: opts.clientSecret ?? 'emulator-secret',
    tokens: new TokenStore(clock, opts.accessTokenTtlS ?? 3600), faults: new FaultRegistry(clock),
    poster: new EventPoster(opts.deliveryTimeoutMs ?? 10_000), serverEndpoint: `${url}/rest/`,
    v2StripMentions: opts.v2GroupMentions !== 'keep',
    portal: (memberId) => portals.find((p) => p.state.memberId === memberId)?.state,
    portalAt: (index) => portals[index]?.state,
    portals: () => portals.map((p) => p.state),
    nextEventId: () => ++eventId,
    track: (task) => {
      tasks.add(task);
      void task.catch(() => undefined).finally(() => tasks.delete(task));
    },
  };
}

class EmulatorHandle implements Emulator {
  readonly #core: Core;
  readonly #server: Server;
  readonly #lingering: Lingering;
  readonly #portals: PortalEntry[];
  readonly #tasks: Set<Promise<unknown>>;
  readonly #operating: EmulatorOptions['operating'];
  readonly caCert: string | null;
  #closed: Promise<void> | null = null;

  constructor(core: Core, server: Server, lingering: Lingering, portals: PortalEntry[], tasks: Set<Promise<unknown>>,
    operating: EmulatorOptions['operating'], caCert: string | null) {
    this.caCert = caCert;
    this.#core = core;
    this.#server = server;
    this.#lingering = lingering;
    this.#portals = portals;
    this.#tasks = tasks;
    this.#operating = operating;
  }

  get url(): string { return this.#core.url; }
  get oauthUrl(): string { return `${this.#core.url}/oauth/token/`; }
  get clientId(): string { return this.#core.clientId; }
  get clientSecret(): string { return this.#core.clientSecret; }
  get faults(): FaultInjector { return this.#core.faults; }
  get portal(): EmulatedPortal { return (this.#portals[0] as PortalEntry).facade; }

  createPortal({ plan = 'standard', rateLimit }: { plan?: 'standard' | 'enterprise'; rateLimit?: RateLimit | null } = {}): EmulatedPortal {
    const state = new PortalState({
      index: this.#portals.length, url: this.#core.url, host: this.#core.host,
      rateLimit: rateLimit === undefined ? PLAN_LIMITS[plan] : rateLimit, operating: this.#operating,
      nextEventId: () => this.#core.nextEventId(), nowMs: this.#core.clock(),
    });
    const facade = new Portal(this.#core, state);
    this.#portals.push({ state, facade });
    return facade;
  }

  portals(): EmulatedPortal[] {
    return this.#portals.map((p) => p.facade);
  }

  close(): Promise<void> {
    this.#closed ??= this.#shutdown();
    return this.#closed;
  }

  async #shutdown(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#lingering.release();
    this.#server.closeAllConnections();
    await this.#core.poster.close();
    await Promise.allSettled([...this.#tasks]);
    await closed;
  }
}

/**
 * Starts a Bitrix24 portal emulator on 127.0.0.1: an OAuth server, the REST API of the bot methods
 * (v1 and v2) with the platform's limits and errors, event delivery in the real wire format, fault
 * injection and a scripted user. One default portal exists; `createPortal` adds more.
 *
 * @example
 * const emu = await startEmulator();
 * await emu.portal.install('http://127.0.0.1:3000/install');
 * await emu.portal.sendMessage({ from: 1, to: 'echo', text: 'hi' });
 * const [reply] = await emu.portal.waitForMessages(1, { botCode: 'echo' });
 * await emu.close();
 */
export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const portals: PortalEntry[] = [];
  const tasks = new Set<Promise<unknown>>();
  const lingering = new Lingering();
  const holder: { core: Core | null } = { core: null };
  const tls = opts.https === true ? selfSignedCertificate() : opts.https || undefined;
  const server = createEmulatorServer({
    core: () => {
      if (!holder.core) throw new Error('emulator is starting');
      return holder.core;
    },
    methods: createMethodTable(), lingering, portalAt: (index) => portals[index],
  }, tls);
  const port = await listen(server, opts.port ?? 0);
  holder.core = buildCore(opts, port, portals, tasks);
  const emulator = new EmulatorHandle(holder.core, server, lingering, portals, tasks, opts.operating, tls?.cert ?? null);
  emulator.createPortal({ plan: opts.plan ?? 'standard', ...(opts.rateLimit !== undefined ? { rateLimit: opts.rateLimit } : {}) });
  return emulator;
}
