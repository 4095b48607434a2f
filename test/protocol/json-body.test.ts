import { expect } from 'chai';
import fc from 'fast-check';
import { BotkitError } from '../../src/errors.js';
import { parseJsonBody, scanJsonLimits } from '../../src/protocol/json-body.js';

function codeOf(run: () => unknown): string {
  try {
    run();
    return 'ok';
  } catch (e) {
    return e instanceof BotkitError ? e.code : String(e);
  }
}

describe('protocol/json-body: limits before parsing', () => {
  it('does not count brackets, commas or escaped quotes inside strings', () => {
    const tricky = `{"a":"[[[[,,,,{{{{\\"]]]]\\\\","b":"\\\\\\"[,[,["}`;
    expect(codeOf(() => scanJsonLimits(Buffer.from(tricky), 3, 1))).to.equal('ok');
    expect(parseJsonBody(tricky)).to.deep.equal(Object.assign(Object.create(null), JSON.parse(tricky)));
  });

  it('scans raw UTF-8 bytes: multi-byte characters inside strings are never structure', () => {
    const text = '{"a":"ÿ[ü,€{😀\\"","b":[1]}';
    expect(codeOf(() => scanJsonLimits(Buffer.from(text, 'utf8'), 3, 2))).to.equal('ok');
    expect(JSON.stringify(parseJsonBody(Buffer.from(text, 'utf8')))).to.equal(JSON.stringify(JSON.parse(text)));
    expect(codeOf(() => parseJsonBody(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])))).to.equal('BODY_MALFORMED');
  });

  it('counts array items like object members: both stop at maxParams', () => {
    const items = (n: number): string => `{"a":[${Array(n).fill('0').join(',')}]}`;
    const members = (n: number): string => `{"a":{${Array.from({ length: n }, (_, i) => `"k${i}":0`).join(',')}}}`;
    expect(codeOf(() => parseJsonBody(items(900)))).to.equal('ok');
    expect(codeOf(() => parseJsonBody(items(1000)))).to.equal('BODY_TOO_MANY_PARAMS');
    expect(codeOf(() => parseJsonBody(members(900)))).to.equal('ok');
    expect(codeOf(() => parseJsonBody(members(1000)))).to.equal('BODY_TOO_MANY_PARAMS');
    expect(codeOf(() => parseJsonBody(`{"a":${'['.repeat(12)}${']'.repeat(12)}}`))).to.equal('BODY_TOO_DEEP');
  });

  it('any JSON object: parsed to the same value, or refused with a limit code (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 6 })), (obj) => {
        const text = JSON.stringify(obj);
        const code = codeOf(() => parseJsonBody(text, { maxParams: 40, maxDepth: 5 }));
        if (code !== 'ok') return code === 'BODY_TOO_MANY_PARAMS' || code === 'BODY_TOO_DEEP';
        const safe = JSON.parse(text, (k, v: unknown) => (k === '__proto__' || k === 'constructor' || k === 'prototype' ? undefined : v)) as unknown;
        return JSON.stringify(parseJsonBody(text, { maxParams: 40, maxDepth: 5 })) === JSON.stringify(safe);
      }),
      { numRuns: 300 },
    );
  });
});
