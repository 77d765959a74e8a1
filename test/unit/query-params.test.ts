// Query parameter values: the client's escaped text → the store's unescaped text, by declared type.
import { describe, expect, it } from 'vitest';
import { isCompositeType, respellComposite, storeParams, unescapeText } from '../../src/query-params.ts';
import { parameterTypes } from '../../src/rewrite/statement.ts';

describe('query parameters', () => {
  it('undoes TSV escapes of scalar values as ClickHouse does', () => {
    expect(unescapeText('a\\tb\\nc\\\\d\\\'e\\x41\\0')).toBe("a\tb\nc\\d'eA\0");
    expect(unescapeText('plain')).toBe('plain');
    expect(unescapeText('\\N')).toBe('\\N');
    expect(unescapeText('trailing\\')).toBe('trailing\\');
  });

  it('re-spells composite literals with doubled quotes and no backslash', () => {
    expect(respellComposite("['p','q\\'r','tab\\tx','back\\\\']")).toBe("['p','q''r','tab\tx','back\\']");
    expect(respellComposite("{'k\\'1':'v'}")).toBe("{'k''1':'v'}");
    expect(respellComposite("(1,'it''s',NULL)")).toBe("(1,'it''s',NULL)");
    expect(respellComposite('[1,2,3]')).toBe('[1,2,3]');
    expect(respellComposite("['unterminated")).toBe("['unterminated");
  });

  it('tells composite types from scalars', () => {
    for (const t of ['Array(String)', 'Tuple(Int32, String)', 'Map(String, UInt8)', 'Nullable(Array(String))', 'LowCardinality(Nullable(Array(String)))', ' array(String)']) {
      expect(isCompositeType(t)).toBe(true);
    }
    for (const t of ['String', 'Nullable(String)', 'UInt32', 'DateTime64(3)', 'Identifier', 'Enum8(\'a\' = 1)']) expect(isCompositeType(t)).toBe(false);
  });

  it('finds the declared types in the statement and converts by them', () => {
    const sql = "SELECT {s:String}, { a : Array(String) }, '{x:UInt8}', {s:String} FROM t WHERE n = {n:Nullable(UInt64)}";
    const types = parameterTypes(sql);
    expect([...types]).toEqual([['s', 'String'], ['a', 'Array(String)'], ['n', 'Nullable(UInt64)']]);
    const raw = new Map([['s', "it\\'s\\t"], ['a', "['it\\'s']"], ['n', '\\N'], ['unused', 'x\\ty']]);
    expect([...storeParams(raw, types)]).toEqual([['s', "it's\t"], ['a', "['it''s']"], ['n', '\\N'], ['unused', 'x\ty']]);
    expect(parameterTypes("SELECT 'unterminated {x:UInt8}")).toEqual(new Map());
  });
});
