/** HTTP statuses of the Bitrix24 error codes the emulator answers (facts §8); others are 400. */
const STATUS: Readonly<Record<string, number>> = {
  expired_token: 401,
  invalid_token: 401,
  NO_AUTH_FOUND: 401,
  insufficient_scope: 403,
  ACCESS_DENIED: 403,
  ACCESS_ERROR: 403,
  CANT_EDIT_MESSAGE: 403,
  WRONG_AUTH_TYPE: 403,
  BOT_OWNERSHIP_ERROR: 403,
  ERROR_METHOD_NOT_FOUND: 404,
  ERROR_BATCH_METHOD_NOT_ALLOWED: 405,
  OPERATION_TIME_LIMIT: 429,
  INTERNAL_SERVER_ERROR: 500,
  QUERY_LIMIT_EXCEEDED: 503,
};

/**
 * An error the emulated portal answers on the wire as `{error, error_description}`. Its `code` is a
 * Bitrix24 code (not a botkit one): it never leaves the emulator as an exception.
 */
export class PortalError extends Error {
  override readonly name = 'PortalError';
  readonly code: string;
  readonly status: number;

  constructor(code: string, description: string, status?: number) {
    super(description);
    this.code = code;
    this.status = status ?? STATUS[code] ?? 400;
  }
}
