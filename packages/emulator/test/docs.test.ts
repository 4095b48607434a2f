import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { EMULATOR_ERROR_CODES } from '../src/errors.js';

describe('emulator docs', () => {
  it('the package README documents every error code', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const missing = Object.keys(EMULATOR_ERROR_CODES).filter((code) => !readme.includes(`| \`${code}\` |`));
    expect(missing).to.deep.equal([]);
  });
});
