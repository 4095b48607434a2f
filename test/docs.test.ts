import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { ERROR_CODES } from '../src/errors.js';

describe('docs', () => {
  it('the README documents every error code', async () => {
    const readme = await readFile('README.md', 'utf8');
    const missing = Object.keys(ERROR_CODES).filter((code) => !readme.includes(`| \`${code}\` |`));
    expect(missing, 'codes missing from the README table').to.deep.equal([]);
  });

  it('the README shows the two quick-start commands', async () => {
    const readme = await readFile('README.md', 'utf8');
    expect(readme).to.contain('npm install && npm start');
    expect(readme).to.contain('npm install && npm test');
  });
});
