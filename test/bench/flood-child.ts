// Sends a flood of bodies from its own process (so that the prober's latency is not the sender's):
// `flood-child.ts <url> <seconds> <rate> <json|form|install...>`; prints `DONE <requests sent>` at the end.
import autocannon from 'autocannon';
import { formBody, hostileBodies } from './flood-bodies.js';

const [url = '', seconds = '5', rate = '50', kind = 'json'] = process.argv.slice(2);
const [bodies, type] = kind === 'json' ? [hostileBodies(), 'application/json'] : [[formBody()], 'application/x-www-form-urlencoded'];
let n = 0;
const result = await autocannon({
  url: `${url}/events`, method: 'POST', connections: 8, duration: Number(seconds), overallRate: Number(rate),
  headers: { 'content-type': type },
  requests: [{ setupRequest: (req) => ({ ...req, body: bodies[n++ % bodies.length] }) }],
});
process.stdout.write(`DONE ${result.requests.total}\n`);
