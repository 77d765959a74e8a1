// The one error catalog: code, ClickHouse name, Proton name, HTTP status, retriable.
// Both protocols render only a GatewayError; store errors keep their numeric code.
import { clickhouseErrorNames } from './error-codes.ts';

/** Which spelling a client sees: Proton names say STREAM where ClickHouse says TABLE. */
export type Dialect = 'clickhouse' | 'proton';

/** Codes Hadron raises itself, by ClickHouse name. Values are ClickHouse's numeric codes. */
export const Code = {
  UNEXPECTED_END_OF_FILE: 3,
  CANNOT_PARSE_TEXT: 6,
  CANNOT_PARSE_INPUT_ASSERTION_FAILED: 27,
  BAD_ARGUMENTS: 36,
  NUMBER_OF_ARGUMENTS_DOESNT_MATCH: 42,
  ILLEGAL_COLUMN: 44,
  TOO_LARGE_SIZE_COMPRESSED: 39,
  CHECKSUM_DOESNT_MATCH: 40,
  UNKNOWN_FUNCTION: 46,
  UNKNOWN_IDENTIFIER: 47,
  NOT_IMPLEMENTED: 48,
  LOGICAL_ERROR: 49,
  UNKNOWN_TYPE: 50,
  TABLE_ALREADY_EXISTS: 57,
  UNKNOWN_TABLE: 60,
  SYNTAX_ERROR: 62,
  UNKNOWN_FORMAT: 73,
  INCORRECT_QUERY: 80,
  UNKNOWN_DATABASE: 81,
  UNKNOWN_COMPRESSION_METHOD: 89,
  UNKNOWN_SETTING: 115,
  INCORRECT_DATA: 117,
  TIMEOUT_EXCEEDED: 159,
  READONLY: 164,
  UNKNOWN_USER: 192,
  WRONG_PASSWORD: 193,
  REQUIRED_PASSWORD: 194,
  TOO_MANY_SIMULTANEOUS_QUERIES: 202,
  SOCKET_TIMEOUT: 209,
  NETWORK_ERROR: 210,
  QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING: 216,
  QUERY_IS_TOO_LARGE: 229,
  ABORTED: 236,
  MEMORY_LIMIT_EXCEEDED: 241,
  CANNOT_DECOMPRESS: 271,
  TOO_MANY_BYTES: 307,
  SESSION_NOT_FOUND: 372,
  SESSION_IS_LOCKED: 373,
  INVALID_SESSION_TIMEOUT: 374,
  HTTP_LENGTH_REQUIRED: 381,
  QUERY_WAS_CANCELLED: 394,
  UNKNOWN_QUERY_PARAMETER: 456,
  BAD_QUERY_PARAMETER: 457,
  AUTHENTICATION_FAILED: 516,
  STD_EXCEPTION: 1001,
  /** Proton's: aggregating over a window table function without grouping by window_start/window_end. */
  WINDOW_COLUMN_NOT_REFERENCED: 2002,
  /** Proton's: an EMIT combination that does not fit the query. */
  INVALID_EMIT_MODE: 2523,
} as const;
export type CodeName = keyof typeof Code;

/** Proton's renames (timeplus-io/proton src/Common/ErrorCodes.cpp): same numbers, STREAM for TABLE. */
const protonNames: Readonly<Record<number, string>> = {
  60: 'UNKNOWN_STREAM',
  57: 'STREAM_ALREADY_EXISTS',
  16: 'NO_SUCH_COLUMN_IN_STREAM',
  2002: 'WINDOW_COLUMN_NOT_REFERENCED',
  2003: 'RESOURCE_NOT_FOUND',
  2522: 'MISSING_GROUP_BY',
  2523: 'INVALID_EMIT_MODE',
  2528: 'RECOVER_CHECKPOINT_FAILED',
  2530: 'UDF_COMPILE_ERROR',
  2600: 'CANNOT_WRITE_TO_KAFKA',
};

/** HTTP status by code, as ClickHouse's HTTPHandler maps them; everything else is 500. */
const httpStatusByCode: Readonly<Record<number, number>> = {
  194: 401,
  192: 403, 193: 403, 516: 403,
  6: 400, 27: 400, 38: 400, 41: 400, 72: 400, 62: 400, 53: 400, 117: 400, 36: 400, 374: 400, 456: 400,
  457: 400, 3: 400,
  60: 404, 46: 404, 47: 404, 50: 404, 81: 404, 115: 404, 73: 404, 372: 404,
  229: 413, 307: 413,
  48: 501,
  209: 503,
  381: 411,
};

/** Codes a client may retry unchanged. */
const retriableCodes: ReadonlySet<number> = new Set([202, 209, 210, 241, 373]);

export function errorName(code: number, dialect: Dialect = 'clickhouse'): string {
  if (dialect === 'proton') {
    const proton = protonNames[code];
    if (proton !== undefined) return proton;
  }
  return clickhouseErrorNames[code] ?? protonNames[code] ?? 'UNKNOWN_EXCEPTION';
}

export function httpStatus(code: number): number {
  return httpStatusByCode[code] ?? 500;
}

export function isRetriable(code: number): boolean {
  return retriableCodes.has(code);
}

/** An error with a ClickHouse/Proton code; the message carries no code or name (rendering adds them). */
export class GatewayError extends Error {
  readonly code: number;

  constructor(code: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GatewayError';
    this.code = code;
  }

  get httpStatus(): number {
    return httpStatus(this.code);
  }

  get retriable(): boolean {
    return isRetriable(this.code);
  }

  /** A copy with context prepended, keeping the code: "while inserting into t: <message>". */
  wrap(context: string): GatewayError {
    return new GatewayError(this.code, `${context}: ${this.message}`, { cause: this });
  }
}

export function gatewayError(name: CodeName, message: string, cause?: unknown): GatewayError {
  return new GatewayError(Code[name], message, cause === undefined ? undefined : { cause });
}

/** `Code: 62. DB::Exception: <message>. (SYNTAX_ERROR)` as ClickHouse and chdb print it. */
const storeMessage = /^(?:Code|Error): (\d+)\. (?:DB::Exception: )?([\s\S]*?)(?:\. )?\(([A-Z0-9_]+)\)(?: \(version [^)]*\))?\s*$/;

/** chDB rethrows errors with the code prefix again ("Code: 73. DB::Exception: Code: 73. …"): the inner text. */
function innermost(code: number, message: string): string {
  let text = message;
  for (let depth = 0; depth < 8; depth++) {
    const inner = storeMessage.exec(text.trim());
    if (!inner || Number(inner[1]) !== code) break;
    text = inner[2] ?? text;
  }
  return text;
}

/**
 * Any thrown value as a GatewayError. Store errors keep their numeric code and message;
 * errors without a code become STD_EXCEPTION (1001) with their message.
 */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const parsed = storeMessage.exec(message.trim());
  if (parsed) return new GatewayError(Number(parsed[1]), innermost(Number(parsed[1]), parsed[2] ?? message), { cause: err });
  const code = typeof err === 'object' && err !== null && 'code' in err ? (err as { code: unknown }).code : undefined;
  if (typeof code === 'number' && Number.isInteger(code)) return new GatewayError(code, message, { cause: err });
  if (typeof code === 'string' && /^\d+$/.test(code)) return new GatewayError(Number(code), message, { cause: err });
  return new GatewayError(Code.STD_EXCEPTION, message, { cause: err });
}

/** The one-line body both protocols show: `Code: N. DB::Exception: msg. (NAME) (version V)`. */
export function renderError(err: GatewayError, dialect: Dialect, version: string): string {
  const text = err.message.endsWith('.') ? err.message : `${err.message}.`;
  return `Code: ${err.code}. DB::Exception: ${text} (${errorName(err.code, dialect)}) (version ${version})`;
}
