/** Body size of the floods: just under the server's 256 KB limit. */
export const FLOOD_BODY_SIZE = 256 * 1024 - 512;

function items(item: string, prefix: string, suffix: string): string {
  const n = Math.floor((FLOOD_BODY_SIZE - prefix.length - suffix.length) / (item.length + 1));
  return `${prefix}${Array(n).fill(item).join(',')}${suffix}`;
}

/** Hostile JSON shapes of about 256 KB (deeply nested arrays, many small arrays or objects); no valid token. */
export function hostileBodies(): string[] {
  const head = '{"event":"ONIMBOTV2MESSAGEADD","auth":{"member_id":"x","application_token":"y"},"data":';
  const half = Math.floor((FLOOD_BODY_SIZE - head.length) / 2);
  return [
    `${head}${'['.repeat(half)}${']'.repeat(half)}}`,
    items('[]', `${head}[`, ']}'),
    items('[[0]]', `${head}[`, ']}'),
    items('{}', `${head}[`, ']}'),
  ];
}

/** A form body of the same size: tens of thousands of short parameters. */
export function formBody(): string {
  return Array.from({ length: 40_000 }, (_, i) => `p${i}=1`).join('&').slice(0, FLOOD_BODY_SIZE);
}
