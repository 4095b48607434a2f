import { expect } from 'chai';
import { HttpError } from '../../src/errors.js';
import { authenticateEvent, MAX_CLOCK_SKEW_S, secretsEqual } from '../../src/intake/verify.js';
import type { PortalRecord } from '../../src/store/types.js';
import { portalRecord } from '../helpers/common.js';

const portal: PortalRecord = portalRecord({ applicationToken: 'secret-token' });

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(HttpError).and.to.have.property('status', 401);
    return (e as HttpError).code;
  }
  return 'accepted';
}

describe('intake/verify', () => {
  const now = 1_772_100_000_000;
  it('accepts the stored token and refuses others, unknown portals and stale events', () => {
    const env = { memberId: 'm1', applicationToken: 'secret-token', ts: now / 1000 };
    expect(code(() => authenticateEvent(env, portal, { maxAgeS: 0, now }))).to.equal('accepted');
    expect(code(() => authenticateEvent({ ...env, applicationToken: 'secret-tokeX' }, portal, { maxAgeS: 0, now }))).to.equal('EVENT_FORGED');
    expect(code(() => authenticateEvent({ ...env, applicationToken: '' }, portal, { maxAgeS: 0, now }))).to.equal('EVENT_FORGED');
    expect(code(() => authenticateEvent(env, null, { maxAgeS: 0, now }))).to.equal('EVENT_UNKNOWN_PORTAL');
    expect(code(() => authenticateEvent({ ...env, ts: now / 1000 - 600 }, portal, { maxAgeS: 300, now }))).to.equal('EVENT_STALE');
    expect(code(() => authenticateEvent({ ...env, ts: now / 1000 - 600 }, portal, { maxAgeS: 0, now }))).to.equal('accepted');
  });

  it('with a window set, refuses a missing ts and one beyond the clock-skew allowance in the future', () => {
    const env = { memberId: 'm1', applicationToken: 'secret-token', ts: now / 1000 };
    const at = (ts: number, maxAgeS = 300): string => code(() => authenticateEvent({ ...env, ts }, portal, { maxAgeS, now }));
    expect(at(0)).to.equal('EVENT_STALE');
    expect(at(now / 1000 + MAX_CLOCK_SKEW_S + 1)).to.equal('EVENT_STALE');
    expect(at(now / 1000 + MAX_CLOCK_SKEW_S)).to.equal('accepted');
    expect(at(now / 1000 - 300)).to.equal('accepted');
    expect(at(0, 0)).to.equal('accepted');
  });

  it('compares secrets of different lengths without throwing', () => {
    expect(secretsEqual('a', 'a')).to.equal(true);
    expect(secretsEqual('a', 'ab')).to.equal(false);
    expect(secretsEqual('', '')).to.equal(true);
  });
});
