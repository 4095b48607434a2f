/** Display helpers for files in bot answers. */
import type { EventFile } from '../protocol/events.js';

/** `1.5 MB`, `12 KB`, `7 bytes`. */
export function formatSize(bytes: number | null): string {
  if (bytes === null) return 'size unknown';
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number(value.toFixed(1))} ${units[unit]}`;
}

/** `report.pdf (1.5 MB)`. */
export function describeFile(f: Pick<EventFile, 'id' | 'name' | 'size'>): string {
  return `${f.name ?? `file ${f.id}`} (${formatSize(f.size)})`;
}
