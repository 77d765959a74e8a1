"""Python native drivers (clickhouse-driver, proton-driver) against a Hadron native listener.

Usage: native_drivers_test.py <clickhouse|proton> <port> [lz4]
Each check prints `ok   <name>` or `FAIL <name>: <error>`; the last line is the summary.
"""
import datetime
import decimal
import sys
import time
import traceback
import uuid

flavour, port = sys.argv[1], int(sys.argv[2])
compression = 'lz4' if len(sys.argv) > 3 else False
if flavour == 'proton':
    from proton_driver import Client
    from proton_driver.errors import ServerException
    T = {'u64': 'uint64', 'i32': 'int32', 'f64': 'float64', 's': 'string', 'b': 'bool', 'd': 'date', 'dt': "datetime('UTC')",
         'dt64': "datetime64(3, 'UTC')", 'dec': 'decimal(18, 4)', 'uuid': 'uuid', 'ns': 'nullable(string)',
         'arr': 'array(int32)', 'lc': 'low_cardinality(string)', 'ip': 'ipv4', 'map': 'map(string, uint8)'}
    create = 'CREATE STREAM {name} ({cols})'
    read = 'SELECT {cols} FROM table({name}) ORDER BY k'
    unknown_table_code = 60
else:
    from clickhouse_driver import Client
    from clickhouse_driver.errors import ServerException
    T = {'u64': 'UInt64', 'i32': 'Int32', 'f64': 'Float64', 's': 'String', 'b': 'Bool', 'd': 'Date', 'dt': "DateTime('UTC')",
         'dt64': "DateTime64(3, 'UTC')", 'dec': 'Decimal(18, 4)', 'uuid': 'UUID', 'ns': 'Nullable(String)',
         'arr': 'Array(Int32)', 'lc': 'LowCardinality(String)', 'ip': 'IPv4', 'map': 'Map(String, UInt8)'}
    create = 'CREATE TABLE {name} ({cols}) ENGINE = MergeTree ORDER BY k'
    read = 'SELECT {cols} FROM {name} ORDER BY k'
    unknown_table_code = 60

client = Client('127.0.0.1', port=port, compression=compression, send_receive_timeout=60)
table = f'native_{flavour}_{"c" if compression else "p"}_{int(time.time() * 1000) % 100000000}'
UTC = datetime.timezone.utc
columns = [('k', 'u64'), ('i', 'i32'), ('f', 'f64'), ('s', 's'), ('b', 'b'), ('d', 'd'), ('dt', 'dt'), ('dt64', 'dt64'),
           ('dec', 'dec'), ('id', 'uuid'), ('ns', 'ns'), ('arr', 'arr'), ('lc', 'lc'), ('ip', 'ip'), ('m', 'map')]
import ipaddress
rows = [
    (1, -5, 1.5, 'hello', True, datetime.date(2024, 1, 2), datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
     datetime.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC), decimal.Decimal('-1.5000'),
     uuid.UUID('61f0c404-5cb3-11e7-907b-a6006ad3dba0'), None, [1, 2, 3], 'a', ipaddress.IPv4Address('1.2.3.4'), {'x': 1}),
    (2, 2147483647, -0.25, "it's ünïcode\t\n", False, datetime.date(1970, 1, 1), datetime.datetime(1970, 1, 1, tzinfo=UTC),
     datetime.datetime(2000, 1, 1, tzinfo=UTC), decimal.Decimal('12345.6789'), uuid.UUID(int=0), 'x', [], 'b',
     ipaddress.IPv4Address('0.0.0.0'), {}),
]
passed = failed = 0


def check(name):
    def run(fn):
        global passed, failed
        try:
            fn()
            passed += 1
            print(f'ok   {name}', flush=True)
        except Exception as e:  # noqa: BLE001
            failed += 1
            print(f'FAIL {name}: {e!r}\n{traceback.format_exc()}', flush=True)
        return fn
    return run


@check('connects_and_selects')
def _():
    assert client.execute('SELECT 1') == [(1,)]
    rows_, types = client.execute('SELECT 1 AS one, \'x\' AS s', with_column_types=True)
    assert rows_ == [(1, 'x')], rows_
    want = [('one', 'uint8'), ('s', 'string')] if flavour == 'proton' else [('one', 'UInt8'), ('s', 'String')]
    assert types == want, types


@check('runs_ddl')
def _():
    cols = ', '.join(f'{n} {T[t]}' for n, t in columns)
    client.execute(create.format(name=table, cols=cols))


@check('inserts_rows_of_every_common_type')
def _():
    n = client.execute(f'INSERT INTO {table} ({", ".join(n for n, _ in columns)}) VALUES', rows)
    assert n == 2, n


@check('selects_them_back_exactly')
def _():
    deadline = time.time() + 5
    got = []
    while time.time() < deadline:
        got = client.execute(read.format(name=table, cols=', '.join(n for n, _ in columns)))
        if len(got) == 2:
            break
        time.sleep(0.1)
    assert len(got) == 2, got
    for g, w in zip(got, rows):
        for name, gv, wv in zip([n for n, _ in columns], g, w):
            if isinstance(wv, datetime.datetime) and gv.tzinfo is None:
                gv = gv.replace(tzinfo=UTC)
            assert gv == wv, (name, gv, wv)


@check('returns_a_million_rows')
def _():
    got = client.execute('SELECT number FROM system.numbers LIMIT 1000000')
    assert len(got) == 1000000 and got[0] == (0,) and got[-1] == (999999,)
    assert client.execute('SELECT sum(number) FROM numbers(1000000)') == [(499999500000,)]


@check('raises_errors_with_codes')
def _():
    try:
        client.execute('SELECT * FROM no_such_table_anywhere')
        raise AssertionError('no error')
    except ServerException as e:
        assert e.code == unknown_table_code, e.code
    try:
        client.execute('SELEC 1')
        raise AssertionError('no error')
    except ServerException as e:
        assert e.code == 62, e.code
    assert client.execute('SELECT 2') == [(2,)]


@check('cancels_a_long_query')
def _():
    t0 = time.time()
    seen = 0
    for _row in client.execute_iter('SELECT number, sleepEachRow(0.01) FROM numbers(100000) SETTINGS max_block_size = 10'):
        seen += 1
        if seen == 20:
            break
    client.cancel()
    assert time.time() - t0 < 20
    assert client.execute('SELECT 3') == [(3,)]
    for _ in range(50):
        running = client.execute("SELECT count() FROM system.processes WHERE query LIKE '%sleepEachRow%' AND query NOT LIKE '%system.processes%'")
        if running == [(0,)]:
            break
        time.sleep(0.1)
    assert running == [(0,)], running


@check('keeps_set_and_use_for_the_connection')
def _():
    client.execute('SET max_threads = 3')
    assert client.execute("SELECT value FROM system.settings WHERE name = 'max_threads'") == [('3',)]


print(f'native driver checks: passed={passed} failed={failed}', flush=True)
sys.exit(1 if failed else 0)
