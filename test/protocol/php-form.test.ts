import { expect } from 'chai';
import { BotkitError } from '../../src/errors.js';
import { encodePhpForm, parsePhpForm } from '../../src/protocol/php-form.js';

function refused(fn: () => unknown): BotkitError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(BotkitError);
    return e as BotkitError;
  }
  throw new Error('expected a refusal');
}

describe('protocol/php-form', () => {
  it('keeps numeric keys below 100 as keys (data[BOT][45] keeps the bot id)', () => {
    const body = parsePhpForm('data[BOT][45][BOT_CODE]=echo&data[BOT][7][BOT_CODE]=x&data[PARAMS][MESSAGE]=hi');
    const data = body['data'] as Record<string, Record<string, Record<string, string>>>;
    expect(Object.keys(data['BOT'] ?? {})).to.have.members(['45', '7']);
    expect(data['BOT']?.['45']?.['BOT_CODE']).to.equal('echo');
    expect(data['PARAMS']?.['MESSAGE']).to.equal('hi');
  });

  it('decodes plus and percent escapes, keeps every scalar a string', () => {
    const body = parsePhpForm('a=hello+world&b=%D0%BF%D1%80%D0%B8%D0%B2%D0%B5%D1%82&c=1');
    expect(body).to.deep.equal(Object.assign(Object.create(null), { a: 'hello world', b: 'привет', c: '1' }));
  });

  it('returns null-prototype objects at every level', () => {
    const body = parsePhpForm('x[y][z]=1');
    expect(Object.getPrototypeOf(body)).to.equal(null);
    expect(Object.getPrototypeOf(body['x'])).to.equal(null);
  });

  it('drops __proto__, constructor and prototype keys without touching Object.prototype', () => {
    const body = parsePhpForm('__proto__[polluted]=1&constructor[prototype][polluted2]=1&a[__proto__][b]=1&toString=x&ok=1');
    expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
    expect(({} as Record<string, unknown>)['polluted2']).to.equal(undefined);
    expect(Object.hasOwn(body, 'constructor')).to.equal(false);
    expect(Object.hasOwn(body, '__proto__')).to.equal(false);
    expect(body['ok']).to.equal('1');
    expect(body['toString']).to.equal('x');
  });

  it('refuses more parameters than the limit with 413', () => {
    const body = Array.from({ length: 2000 }, (_, i) => `p${i}=1`).join('&');
    const e = refused(() => parsePhpForm(body, { maxParams: 1000 }));
    expect(e.code).to.equal('BODY_TOO_MANY_PARAMS');
    expect(Object.keys(parsePhpForm(Array.from({ length: 1000 }, (_, i) => `p${i}=1`).join('&')))).to.have.length(1000);
  });

  it('refuses nesting deeper than the limit with 400', () => {
    const e = refused(() => parsePhpForm(`a${'[x]'.repeat(40)}=1`, { maxDepth: 12 }));
    expect(e.code).to.equal('BODY_TOO_DEEP');
    expect(parsePhpForm(`a${'[x]'.repeat(12)}=1`, { maxDepth: 12 })).to.have.property('a');
  });

  it('refuses invalid percent escapes and invalid UTF-8 with 400', () => {
    for (const bad of ['a=%zz', 'a=%', 'a=%E0%A4%A', 'a=%C3%28']) {
      const e = refused(() => parsePhpForm(bad));
      expect(e.code, bad).to.equal('BODY_MALFORMED');
    }
  });

  it('encodes like http_build_query and round-trips through the parser', () => {
    const value = { event: 'X', data: { BOT: { 45: { id: 45, ok: true, no: false, gone: null } }, list: ['a', 'b'] } };
    const encoded = encodePhpForm(value);
    expect(encoded).to.contain('data%5BBOT%5D%5B45%5D%5Bid%5D=45');
    const back = parsePhpForm(encoded) as unknown as { data: { BOT: Record<string, Record<string, string>>; list: Record<string, string> } };
    expect(back.data.BOT['45']).to.deep.equal(Object.assign(Object.create(null), { id: '45', ok: '1', no: '0' }));
    expect(back.data.list['1']).to.equal('b');
  });
});

describe('protocol/php-form against qs (differential)', () => {
  it('parses every http_build_query body exactly like qs with parseArrays off', async () => {
    const { default: fc } = await import('fast-check');
    const { default: qs } = await import('qs');
    const key = fc.oneof(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/), fc.integer({ min: 0, max: 500 }).map(String));
    const tree = fc.letrec((tie) => ({
      node: fc.dictionary(key, fc.oneof({ depthSize: 'small' }, fc.string({ unit: 'binary', maxLength: 12 }), tie('node')), { maxKeys: 5 }),
    })).node;
    fc.assert(fc.property(tree, (value) => {
      const body = encodePhpForm(value as Record<string, unknown>);
      const ours = parsePhpForm(body, { maxParams: 10_000, maxDepth: 20 });
      const theirs = qs.parse(body, { parseArrays: false, plainObjects: true, allowPrototypes: false, depth: 20, parameterLimit: 10_000 });
      expect(JSON.parse(JSON.stringify(ours))).to.deep.equal(JSON.parse(JSON.stringify(theirs)));
    }), { numRuns: 300 });
  });

  it('keeps duplicates and conflicts visible instead of overwriting', () => {
    expect(JSON.parse(JSON.stringify(parsePhpForm('a=1&a=2')))).to.deep.equal({ a: ['1', '2'] });
    expect(JSON.parse(JSON.stringify(parsePhpForm('a[]=1&a[]=2&b[x][]=3')))).to.deep.equal({ a: { 0: '1', 1: '2' }, b: { x: { 0: '3' } } });
    const e = refused(() => parsePhpForm('a=1&a[b]=2'));
    expect(e.code).to.equal('BODY_MALFORMED');
    expect(JSON.parse(JSON.stringify(parsePhpForm('a[b=1&c]d=2&e[f]g=3')))).to.deep.equal({ 'a[b': '1', 'c]d': '2', e: { f: '3' } });
  });
});
