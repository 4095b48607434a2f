/**
 * The emulator's error codes: mistakes in a test script, never a platform answer (those are
 * `{error, error_description}` bodies, see `portal-error.ts`). Every code is documented in the
 * package README (a test checks it).
 */
export const EMULATOR_ERROR_CODES = {
  EMULATOR_USAGE: 'The emulator scripted API was asked for something that does not exist (user, bot, chat, message, button).',
  EMULATOR_TIMEOUT: 'The emulator did not see the awaited bot messages before the timeout.',
  EMULATOR_LISTEN_FAILED: 'The emulator could not listen on its port (e.g. EADDRINUSE: the port is taken).',
} as const;

/** A stable code from {@link EMULATOR_ERROR_CODES}. */
export type EmulatorErrorCode = keyof typeof EMULATOR_ERROR_CODES;

/**
 * Thrown by the scripted API (`emu.portal.*`) when a test asks for something impossible or waits in
 * vain. Branch on `code`.
 *
 * @example
 * try { await emu.portal.waitForMessages(1, { botCode: 'echo' }, 500); }
 * catch (e) { if (e instanceof EmulatorError && e.code === 'EMULATOR_TIMEOUT') ... }
 */
export class EmulatorError extends Error {
  override readonly name = 'EmulatorError';
  readonly code: EmulatorErrorCode;

  constructor(code: EmulatorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The error a failed `listen` rejects with: `EMULATOR_LISTEN_FAILED`, naming the host, port and system code. */
export function listenError(e: unknown, host: string, port: number): EmulatorError {
  const sys = (e as NodeJS.ErrnoException | null)?.code;
  const why = sys === 'EADDRINUSE' ? 'address already in use (EADDRINUSE); stop the other process or choose another port'
    : sys === 'EACCES' ? 'permission denied (EACCES)' : (e as Error | null)?.message ?? String(e);
  return new EmulatorError('EMULATOR_LISTEN_FAILED', `cannot listen on ${host}:${port}: ${why}`, { cause: e });
}
