import type { Emulator, EmulatorOptions } from '../src/index.js';
import { emulator, receiver, type Receiver } from './helpers.js';

/** What {@link portalRig} gives each test: a fresh emulator, a handler receiver and a webhook of user 1. */
export interface PortalRig {
  emu: Emulator;
  rec: Receiver;
  /** An inbound webhook URL (`…/rest/1/<key>/`). */
  hook: string;
}

/**
 * Registers `beforeEach`/`afterEach` in the calling `describe`: each test gets an emulator (no rate limit
 * unless `opts` says otherwise), a {@link Receiver} for the bots' handlers and a webhook, all closed after
 * the test. A test may replace `rig.emu` (then also `rig.hook`); the replacement is closed as well.
 */
export function portalRig(opts: EmulatorOptions = {}): PortalRig {
  const rig = {} as PortalRig;
  beforeEach(async () => {
    rig.emu = await emulator({ rateLimit: null, ...opts });
    rig.rec = await receiver();
    rig.hook = rig.emu.portal.createWebhook();
  });
  afterEach(async () => {
    await rig.emu.close();
    await rig.rec.close();
  });
  return rig;
}
