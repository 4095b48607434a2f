import { expect } from 'chai';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/log.js';
import { checkInstallFinished, createInstallState, type InstallCheckDeps } from '../../src/registry/install-state.js';
import { emuRig, webhookRecord, type EmuRig } from '../rest/emu-rig.js';

// A UI app is "not installed" until its install page calls installFinish, and app.info says INSTALLED
// false meanwhile (DOC settings/app-installation/installation-finish.md). Real emulator, real REST client.
describe('install state: half-finished UI installs', () => {
  let rig: EmuRig;
  let lines: Array<Record<string, unknown>>;
  let deps: InstallCheckDeps;
  let now: number;
  beforeEach(async () => {
    rig = await emuRig({ client: { retry: { attempts: 1 } } });
    lines = [];
    now = 1_000_000;
    const log = createLogger({ level: 'info', stream: new Writable({ write(c, _e, cb) { lines.push(JSON.parse(String(c)) as Record<string, unknown>); cb(); } }) });
    deps = { store: rig.store, client: rig.client, log, clock: () => now };
  });
  afterEach(async () => rig.close());

  const appInfos = (): number => rig.emu.portal.requests().filter((r) => r.method === 'app.info').length;

  it('marks an unfinished install install_unfinished with one warning, and active again once finished', async () => {
    rig.emu.portal.beginUiInstall();
    expect(await checkInstallFinished(deps, rig.memberId)).to.deep.equal({ memberId: rig.memberId, installed: false, status: 'install_unfinished', checkedAt: now });
    expect((await rig.store.getPortal(rig.memberId))?.status).to.equal('install_unfinished');
    expect(lines.map((l) => [l['level'], l['memberId']])).to.deep.equal([[40, rig.memberId]]);
    const launch = rig.emu.portal.openApp({ url: 'http://127.0.0.1:9/app' });
    expect(rig.emu.portal.finishInstall(launch?.appSid ?? '')).to.equal(true);
    expect(await checkInstallFinished(deps, rig.memberId)).to.include({ installed: true, status: 'active' });
    expect((await rig.store.getPortal(rig.memberId))?.status).to.equal('active');
    expect(lines.at(-1)).to.include({ msg: 'app installation finished', level: 30 });
  });

  it('asks nothing of an unknown portal or a webhook portal, and never overwrites reinstall_required', async () => {
    expect(await checkInstallFinished(deps, 'nope')).to.include({ installed: null, status: null, error: 'unknown portal' });
    const hook = webhookRecord(rig.emu.portal);
    await rig.store.savePortal(hook);
    expect(await checkInstallFinished(deps, hook.memberId)).to.include({ installed: null, error: 'not an OAuth portal' });
    expect(appInfos()).to.equal(0);
    await rig.store.setPortalStatus(rig.memberId, 'reinstall_required');
    rig.emu.portal.beginUiInstall();
    expect(await checkInstallFinished(deps, rig.memberId)).to.include({ installed: false, status: 'reinstall_required' });
    expect((await rig.store.getPortal(rig.memberId))?.status).to.equal('reinstall_required');
  });

  it('reports a failed app.info without changing the status', async () => {
    rig.emu.faults.add({ method: 'app.info', kind: 'status', status: 500, times: 1 });
    const check = await checkInstallFinished(deps, rig.memberId);
    expect(check).to.include({ installed: null, status: 'active' });
    expect(check.error).to.match(/^B24_/);
    expect(lines.map((l) => l['msg'])).to.deep.equal(['install check failed: app.info did not answer']);
  });

  it('the server\'s checks: shared while running, remembered, scheduled, stopped', async () => {
    const later: Array<{ fn: () => void; delayMs: number; cancelled: boolean }> = [];
    const state = createInstallState({
      ...deps, minIntervalMs: 15_000,
      later: (fn, delayMs) => {
        const entry = { fn, delayMs, cancelled: false };
        later.push(entry);
        return () => void (entry.cancelled = true);
      },
    });
    rig.emu.portal.beginUiInstall();
    const [a, b] = await Promise.all([state.check(rig.memberId), state.check(rig.memberId)]);
    expect(a).to.equal(b);
    expect(appInfos(), 'two callers, one call').to.equal(1);
    now += 14_999;
    await state.check(rig.memberId);
    expect(appInfos()).to.equal(1);
    // An install page was served: one check a minute later, whatever was remembered.
    state.schedule(rig.memberId, 60_000);
    expect(later.map((l) => l.delayMs)).to.deep.equal([60_000]);
    const asked = new Promise<void>((resolve) => {
      const off = rig.emu.portal.onRequest(() => {
        off();
        resolve();
      });
    });
    later[0]?.fn();
    await asked;
    expect(appInfos()).to.equal(2);
    state.schedule(rig.memberId, 60_000);
    await state.stop();
    expect(later[1]?.cancelled).to.equal(true);
    expect(await state.check(rig.memberId)).to.include({ installed: null, error: 'stopped' });
    state.forget(rig.memberId);
    expect(await state.check(rig.memberId)).to.include({ error: 'stopped' });
    expect(appInfos()).to.equal(2);
  });
});
