import { expect } from 'chai';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

async function testFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(full === path.join('test', 'cluster') ? [] : await testFiles(full)));
    else if (entry.name.endsWith('.test.ts') && entry.name !== 'suite-hygiene.test.ts') out.push(full);
  }
  return out;
}

describe('test suite hygiene', () => {
  it('npm test needs no external service: only test/cluster/ (npm run test:cluster) talks to Redis or PostgreSQL', async () => {
    const offenders: string[] = [];
    for (const file of await testFiles('test')) {
      const text = await readFile(file, 'utf8');
      if (/from 'ioredis'|from 'pg'|:6379|:5432/.test(text)) offenders.push(file);
    }
    expect(offenders).to.deep.equal([]);
  });
});
