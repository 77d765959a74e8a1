import { describe, expect, it } from 'vitest';
import { Code, GatewayError, errorName, httpStatus, renderError, toGatewayError } from '../../src/errors.ts';

describe('error catalog', () => {
  it('names codes in both dialects', () => {
    expect(errorName(62)).toBe('SYNTAX_ERROR');
    expect(errorName(60)).toBe('UNKNOWN_TABLE');
    expect(errorName(60, 'proton')).toBe('UNKNOWN_STREAM');
    expect(errorName(57, 'proton')).toBe('STREAM_ALREADY_EXISTS');
    expect(errorName(2003, 'clickhouse')).toBe('RESOURCE_NOT_FOUND');
  });

  it('maps codes to HTTP statuses as ClickHouse does', () => {
    expect(httpStatus(62)).toBe(400);
    expect(httpStatus(60)).toBe(404);
    expect(httpStatus(516)).toBe(403);
    expect(httpStatus(194)).toBe(401);
    expect(httpStatus(48)).toBe(501);
    expect(httpStatus(202)).toBe(500);
    expect(new GatewayError(Code.TOO_MANY_SIMULTANEOUS_QUERIES, 'x').retriable).toBe(true);
  });

  it('keeps the store code and message', () => {
    const e = toGatewayError(new Error("Code: 60. DB::Exception: Unknown table expression identifier 'nope' in scope SELECT * FROM nope. (UNKNOWN_TABLE)"));
    expect(e.code).toBe(60);
    expect(e.message).toBe("Unknown table expression identifier 'nope' in scope SELECT * FROM nope");
    expect(toGatewayError(Object.assign(new Error('boom'), { code: '62' })).code).toBe(62);
    expect(toGatewayError(new Error('plain')).code).toBe(Code.STD_EXCEPTION);
  });

  it('renders the one-line body clients parse', () => {
    const body = renderError(new GatewayError(62, 'Syntax error'), 'clickhouse', '26.7.2.1');
    expect(body).toBe('Code: 62. DB::Exception: Syntax error. (SYNTAX_ERROR) (version 26.7.2.1)');
    expect(body).toMatch(/^(Code|Error): (\d+)\..*Exception: .*\(([A-Z_]+)\)/);
    expect(renderError(new GatewayError(60, 'Stream x does not exist.'), 'proton', '1')).toContain('(UNKNOWN_STREAM)');
    expect(new GatewayError(62, 'inner').wrap('while parsing').message).toBe('while parsing: inner');
  });
});
