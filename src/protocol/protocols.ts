import type { BotProtocol } from './outbound.js';
import { protocolV1 } from './outbound-v1.js';
import { protocolV2 } from './outbound-v2.js';

/** The protocol adapter of an API generation: how each bot call is spelled on the wire. */
export function protocolFor(api: 'v1' | 'v2'): BotProtocol {
  return api === 'v1' ? protocolV1 : protocolV2;
}
