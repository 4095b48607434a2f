/**
 * A minimal REST "portal" for CPU and memory benchmarks, run in its own process so that its CPU
 * and heap are not counted: answers every POST with a fixed success envelope (a `batch` gets one
 * result per command). Prints its port on stdout.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const time = { start: 1, finish: 1.001, duration: 0.001, processing: 0.001, operating: 0, operating_reset_at: 1 };
const single = JSON.stringify({ result: { id: 1 }, time });

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let body = single;
    if (req.url?.endsWith('/batch')) {
      const cmd = (JSON.parse(Buffer.concat(chunks).toString()) as { cmd: Record<string, string> }).cmd;
      body = JSON.stringify({ result: { result: Object.fromEntries(Object.keys(cmd).map((k) => [k, { id: 1 }])), result_error: [] }, time });
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
process.on('disconnect', () => process.exit(0));
