import { collectDefaultMetrics, Registry } from 'prom-client';

// The process metrics (CPU, memory, event-loop delay, GC) describe the process, not one server instance,
// and prom-client's collectors never stop: an event-loop delay monitor and a GC observer per registry would
// pile up in a process that creates many servers (the test suite). So one registry per process, created
// by the first scrape: a process nobody scrapes pays nothing.
let shared: Registry | null = null;

/** The process metrics in the Prometheus text format (`process_*`, `nodejs_*`). */
export async function processMetricsText(): Promise<string> {
  if (!shared) {
    shared = new Registry();
    collectDefaultMetrics({ register: shared });
  }
  return shared.metrics();
}
