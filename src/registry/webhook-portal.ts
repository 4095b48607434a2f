import type { PortalRecord, PortalStore } from '../store/types.js';

/** The stable id of the one portal an incoming webhook URL points at. */
export function webhookMemberId(webhookUrl: string): string {
  return `webhook:${new URL(webhookUrl).host}`;
}

/** Stores (or refreshes) the portal record of `B24_WEBHOOK_URL`; returns its member id. */
export async function ensureWebhookPortal(store: PortalStore, webhookUrl: string, now: number): Promise<string> {
  const memberId = webhookMemberId(webhookUrl);
  const existing = await store.getPortal(memberId);
  const portal: PortalRecord = {
    memberId, domain: new URL(webhookUrl).host, clientEndpoint: webhookUrl, authMode: 'webhook',
    applicationToken: existing?.applicationToken ?? null, accessToken: null, refreshToken: null, expiresAt: null,
    status: 'active', rateLimit: existing?.rateLimit ?? null, installedAt: existing?.installedAt ?? now, updatedAt: now,
  };
  await store.savePortal(portal);
  return memberId;
}
