import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { selfSignedCertificate } from '@b24-botkit/emulator/internal/tls.js';

// Node reads NODE_EXTRA_CA_CERTS only at process start, so the SDK conformance spec runs in a child
// mocha whose environment trusts a certificate generated here, exactly as a user would run the SDK.
describe('conformance: the official @bitrix24/b24jssdk runs unchanged against the emulator', function () {
  this.timeout(60_000);

  it('passes b24jssdk.spec.ts in a child process that trusts the emulator certificate', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'b24-sdk-'));
    try {
      const { key, cert } = selfSignedCertificate();
      writeFileSync(path.join(dir, 'ca.pem'), cert);
      writeFileSync(path.join(dir, 'key.pem'), key, { mode: 0o600 });
      const child = spawn(process.execPath, [path.join('node_modules', 'mocha', 'bin', 'mocha.js'), '--reporter', 'dot',
        path.join('test', 'conformance', 'b24jssdk.spec.ts')], {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.pem'), EMULATOR_TLS_KEY: path.join(dir, 'key.pem') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => void (out += String(c)));
      child.stderr.on('data', (c: Buffer) => void (out += String(c)));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code, out).to.equal(0);
      expect(out).to.match(/7 passing/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
