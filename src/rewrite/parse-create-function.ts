// CREATE FUNCTION (SQL lambda, JavaScript/Python, remote) and CREATE FORMAT SCHEMA.
import type { Expr } from './ast.ts';
import type { CreateFormatSchema, CreateFunction, FunctionParam } from './ast-statement.ts';
import { parseIfNotExists, parseString } from './parse-clause.ts';
import type { Cursor } from './parse-cursor.ts';
import { parseExpr, parseType } from './parse-expression.ts';

/** Remote UDF options in the order they are printed, and the literal kind each takes. */
export const remoteOptions: Readonly<Record<string, 'string' | 'number'>> = {
  AUTH_METHOD: 'string', AUTH_HEADER: 'string', AUTH_KEY: 'string', EXECUTION_TIMEOUT: 'number',
};

// function := [AGGREGATE | REMOTE] FUNCTION [IF NOT EXISTS] name
//             ( AS lambda
//             | '(' [param (',' param)*] ')' RETURNS type
//               ( LANGUAGE name AS string          (string: '…' or $$…$$)
//               | URL string {remote_option} ) )   (REMOTE)
// param := name type;  remote_option := AUTH_METHOD string | AUTH_HEADER string | AUTH_KEY string | EXECUTION_TIMEOUT number
export function parseCreateFunction(c: Cursor, orReplace: boolean): CreateFunction {
  const aggregate = c.acceptKw('AGGREGATE');
  const remote = !aggregate && c.acceptKw('REMOTE');
  c.expectKw('FUNCTION');
  const ifNotExists = parseIfNotExists(c);
  const name = c.name('function name');
  const base: CreateFunction = {
    kind: 'create_function', orReplace, ifNotExists, aggregate, remote, name, params: null, returns: null,
    language: null, lambda: null, source: null, url: null, options: [],
  };
  if (!aggregate && !remote && c.acceptKw('AS')) {
    const lambda = parseExpr(c);
    if (lambda.kind !== 'lambda') c.fail(['lambda expression']);
    return { ...base, lambda };
  }
  const params = parseParams(c);
  c.expectKw('RETURNS');
  const returns = parseType(c);
  if (remote) {
    c.expectKw('URL');
    const url = parseString(c, 'URL');
    const options: { name: string; value: Expr }[] = [];
    for (;;) {
      const option = Object.keys(remoteOptions).find((o) => !options.some((x) => x.name === o) && c.isKw(o));
      if (option === undefined) break;
      c.next();
      const value = parseExpr(c);
      if (value.kind !== remoteOptions[option]) c.fail([`${remoteOptions[option]} literal`]);
      options.push({ name: option, value });
    }
    options.sort((a, b) => Object.keys(remoteOptions).indexOf(a.name) - Object.keys(remoteOptions).indexOf(b.name));
    return { ...base, params, returns, url, options };
  }
  c.expectKw('LANGUAGE');
  const language = c.name('language').toUpperCase();
  c.expectKw('AS');
  return { ...base, params, returns, language, source: parseString(c, 'function source') };
}

function parseParams(c: Cursor): FunctionParam[] {
  const params: FunctionParam[] = [];
  c.expectPunct('(');
  if (c.acceptPunct(')')) return params;
  do params.push({ kind: 'function_param', name: c.name('argument name'), type: parseType(c) });
  while (c.acceptPunct(','));
  c.expectPunct(')');
  return params;
}

// format_schema := FORMAT SCHEMA [IF NOT EXISTS] name AS string TYPE name
export function parseCreateFormatSchema(c: Cursor, orReplace: boolean): CreateFormatSchema {
  const ifNotExists = parseIfNotExists(c);
  const name = c.name('format schema name');
  c.expectKw('AS');
  const body = parseString(c, 'schema source');
  c.expectKw('TYPE');
  return { kind: 'create_format_schema', orReplace, ifNotExists, name, body, type: c.name('schema type') };
}
