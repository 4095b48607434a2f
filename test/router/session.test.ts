import { expect } from 'chai';
import { createTranslator } from '../../src/router/i18n.js';
import { createSession } from '../../src/router/session.js';
import { createMemoryStore } from '../../src/store/memory.js';
import { rejection } from '../helpers/common.js';
import { overriding } from '../helpers/override.js';

describe('router/session', () => {
  it('keeps values per prefix until the TTL runs out (fake clock), and deletes them', async () => {
    let now = 1_000_000;
    const store = createMemoryStore({ clock: () => now });
    const a = createSession(store, 'sess:a', () => now, 10);
    const b = createSession(store, 'sess:b', () => now, 10);
    await a.set('lang', 'de');
    expect([await a.get('lang'), await b.get('lang')]).to.deep.equal(['de', undefined]);
    now += 9_999;
    expect(await a.get('lang')).to.equal('de');
    now += 1;
    expect(await a.get('lang')).to.equal(undefined);
    await a.set('n', 1);
    await a.delete('n');
    expect(await a.get('n')).to.equal(undefined);
  });

  it('gives up after 5 conflicting writes with an error', async () => {
    let writes = 0;
    const store = overriding(createMemoryStore(), 'setState', () => async () => (writes++, null));
    const err = await rejection(createSession(store, 'sess:x', Date.now, 60).set('k', 1));
    expect(err.message).to.contain('concurrently');
    expect(writes).to.equal(5);
  });
});

describe('router/i18n translator', () => {
  it('falls back to the fallback language, then to the key, and leaves unknown placeholders visible', () => {
    const t = createTranslator({ en: { hi: 'Hi {name}{mark}' }, de: { hi: 'Hallo {name}' } }, 'en');
    expect(t('de', 'hi', { name: 'A' })).to.equal('Hallo A');
    expect(t('fr', 'hi', { name: 'A', mark: '!' })).to.equal('Hi A!');
    expect(t('en', 'hi', {})).to.equal('Hi {name}{mark}');
    expect(t('en', 'missing', {})).to.equal('missing');
    expect(createTranslator({ de: { hi: 'Hallo' } }, 'en')('fr', 'hi', {})).to.equal('hi');
  });
});
