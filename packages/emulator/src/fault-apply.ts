import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './http-io.js';
import type { FaultSpec } from './types.js';

/** Requests held open by `timeout` faults and timers of `slow` ones, released when the emulator closes. */
export class Lingering {
  readonly #held = new Set<ServerResponse>();
  readonly #timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();

  /** Never answers `res`; close() destroys its socket. */
  hold(res: ServerResponse): void {
    this.#held.add(res);
    res.on('close', () => this.#held.delete(res));
  }

  /** Waits `ms` unless the emulator closes first. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = { timer: setTimeout(() => { this.#timers.delete(entry); resolve(); }, ms), resolve };
      this.#timers.add(entry);
    });
  }

  /** Destroys held sockets and ends pending sleeps. */
  release(): void {
    for (const res of this.#held) res.socket?.destroy();
    this.#held.clear();
    for (const entry of this.#timers) {
      clearTimeout(entry.timer);
      entry.resolve();
    }
    this.#timers.clear();
  }
}

function writeTruncated(res: ServerResponse, text: string): void {
  const full = Buffer.from(text);
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': full.length });
  res.write(full.subarray(0, Math.max(1, Math.floor(full.length / 2))), () => res.socket?.destroy());
}

/**
 * Answers a request with a fault instead of the real answer. `real` is the answer that was computed
 * (faults with `after`), so truncation cuts the genuine body. Returns false for `slow` (the caller
 * answers normally after the delay it already waited).
 */
export function spoilAnswer(spec: FaultSpec, req: IncomingMessage, res: ServerResponse, lingering: Lingering, real?: unknown): boolean {
  switch (spec.kind) {
    case 'slow':
      return false;
    case 'status':
      sendJson(res, spec.status ?? 500, {
        error: spec.error ?? 'INTERNAL_SERVER_ERROR', error_description: spec.errorDescription ?? 'Injected fault',
      });
      return true;
    case 'reset':
      req.socket.destroy();
      return true;
    case 'timeout':
      lingering.hold(res);
      return true;
    case 'badJson':
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end('{"result":{"id":1,"broken":');
      return true;
    case 'truncated':
      writeTruncated(res, JSON.stringify(real ?? { result: { padding: 'x'.repeat(64) }, time: {} }));
      return true;
  }
}
