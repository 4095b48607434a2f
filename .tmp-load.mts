import autocannon from 'autocannon';
import { benchBody } from './test/bench/intake-body.js';
let counter = 0;
const url = process.argv[2];
const r = await autocannon({
  url: `${url}/events`, method: 'POST', connections: 20, duration: 8, overallRate: 1000,
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  requests: [{ setupRequest: (req) => ({ ...req, body: benchBody(counter++) }) }],
});
console.log(JSON.stringify({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx }));
