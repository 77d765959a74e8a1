"""clickhouse-connect 1.7.2 against a running Hadron (protocols.md §4.8).

Usage: clickhouse_connect_test.py <http://host:port>

Runs every check, prints one line per check and, last, "clickhouse-connect checks: passed=N failed=M".
Exits 0 only when every check passed.
"""

import contextlib
import datetime
import decimal
import http.client
import io
import re
import sys
import time
import traceback
import uuid
from urllib.parse import urlparse

import clickhouse_connect
from clickhouse_connect.driver.exceptions import DatabaseError

url = urlparse(sys.argv[1])
HOST, PORT = url.hostname, url.port

results = []


def check(fn):
    """Runs fn as one named check; a failure is recorded, not raised."""
    try:
        fn()
        results.append((fn.__name__, None))
        print(f"ok   {fn.__name__}", flush=True)
    except Exception:  # noqa: BLE001 - report every failure and go on
        results.append((fn.__name__, traceback.format_exc()))
        print(f"FAIL {fn.__name__}\n{traceback.format_exc()}", flush=True)
    return fn


def expect_equal(actual, expected, what=""):
    if actual != expected:
        raise AssertionError(f"{what}: expected {expected!r}, got {actual!r}")


def expect_error(fn, code, name):
    try:
        fn()
    except DatabaseError as err:
        text = str(err)
        if f"Code: {code}." not in text and f"code: {code}" not in text.lower():
            raise AssertionError(f"expected code {code} in: {text}") from err
        if name not in text:
            raise AssertionError(f"expected {name} in: {text}") from err
        return
    raise AssertionError(f"expected DatabaseError {code} {name}, got no error")


client = clickhouse_connect.get_client(host=HOST, port=PORT, username="default", password="")
zipped = clickhouse_connect.get_client(host=HOST, port=PORT, username="default", password="", compress=True)

TABLE = "cc_types"
COLUMNS = ["u64", "i32", "f64", "s", "ns", "arr", "dt", "d", "dec", "b", "id"]
ROWS = [
    [
        18446744073709551615, -2147483648, 3.5, "plain", None, [], datetime.datetime(2024, 1, 2, 3, 4, 5),
        datetime.date(2024, 1, 2), decimal.Decimal("12345.6789"), True, uuid.UUID("12345678-1234-5678-1234-567812345678"),
    ],
    [
        0, 2147483647, -0.25, "ünïcødé 😀 \t tab \n newline 'quote' \\ back", "set", ["a", "b'c", ""],
        datetime.datetime(1999, 12, 31, 23, 59, 59), datetime.date(1970, 1, 1), decimal.Decimal("-0.0001"), False,
        uuid.UUID("00000000-0000-0000-0000-000000000000"),
    ],
    [
        42, 0, 1e300, "", "", ["ü" * 100], datetime.datetime(2038, 1, 19, 3, 14, 7), datetime.date(2149, 6, 6),
        decimal.Decimal("0"), True, uuid.UUID("ffffffff-ffff-ffff-ffff-ffffffffffff"),
    ],
]


@check
def connects_and_reads_server_info():
    expect_equal(client.query("SELECT 1").result_rows, [(1,)], "SELECT 1")
    if not client.server_version:
        raise AssertionError("no server version")


@check
def command_runs_ddl():
    client.command(f"DROP TABLE IF EXISTS {TABLE}")
    client.command(
        f"CREATE TABLE {TABLE} (u64 UInt64, i32 Int32, f64 Float64, s String, ns Nullable(String), arr Array(String), "
        "dt DateTime('UTC'), d Date, dec Decimal(18, 4), b Bool, id UUID) ENGINE = MergeTree ORDER BY u64"
    )
    expect_equal(client.command(f"EXISTS TABLE {TABLE}"), 1, "EXISTS")


@check
def inserts_native_rows_of_many_types():
    summary = client.insert(TABLE, ROWS, column_names=COLUMNS)
    expect_equal(summary.written_rows, 3, "written_rows")


@check
def inserts_without_column_names_via_describe():
    client.command("DROP TABLE IF EXISTS cc_described")
    client.command("CREATE TABLE cc_described (id UInt32, name String, at DateTime DEFAULT now()) ENGINE = MergeTree ORDER BY id")
    client.insert("cc_described", [[1, "one", datetime.datetime(2024, 5, 6, 7, 8, 9)], [2, "twö", datetime.datetime(2000, 1, 1)]])
    expect_equal(client.command("SELECT count() FROM cc_described"), 2, "count via command")
    rows = client.query("SELECT id, name, toString(at) FROM cc_described ORDER BY id").result_rows
    expect_equal(rows, [(1, "one", "2024-05-06 07:08:09"), (2, "twö", "2000-01-01 00:00:00")], "described insert")


@check
def queries_them_back_exactly():
    rows = client.query(f"SELECT {', '.join(COLUMNS)} FROM {TABLE} ORDER BY u64").result_rows
    expected = sorted((tuple(r) for r in ROWS), key=lambda r: r[0])
    got = [tuple(v.replace(tzinfo=None) if isinstance(v, datetime.datetime) else v for v in r) for r in rows]
    expect_equal(got, expected, "round trip")


@check
def passes_settings():
    rows = client.query("SELECT getSetting('max_threads')", settings={"max_threads": 1}).result_rows
    expect_equal(rows, [(1,)], "max_threads")


@check
def binds_query_parameters():
    s = "tab\tnew\nline 'q' \\ ünï"
    rows = client.query(
        "SELECT {x:UInt32} + 1, {s:String}, length({s:String}), {a:Array(String)}",
        parameters={"x": 41, "s": s, "a": ["p", "q'r"]},
    ).result_rows
    expect_equal(rows, [(42, s, len(s.encode()), ["p", "q'r"])], "parameters")
    client_side = client.query("SELECT %(v)s, %(n)s", parameters={"v": "it's", "n": 7}).result_rows
    expect_equal(client_side, [("it's", 7)], "client-side binding")


def wire_log(fn):
    """Runs fn with http.client's debug output captured: the request heads sent and headers received."""
    out = io.StringIO()
    http.client.HTTPConnection.debuglevel = 1
    try:
        with contextlib.redirect_stdout(out):
            result = fn()
    finally:
        http.client.HTTPConnection.debuglevel = 0
    return result, out.getvalue()


@check
def inserts_and_queries_with_compression():
    zipped.command("DROP TABLE IF EXISTS cc_zip")
    zipped.command("CREATE TABLE cc_zip (n UInt64, s String) ENGINE = MergeTree ORDER BY n")
    rows = [[i, f"row {i} " + "x" * 40] for i in range(20000)]
    summary, sent = wire_log(lambda: zipped.insert("cc_zip", rows, column_names=["n", "s"]))
    expect_equal(summary.written_rows, 20000, "written_rows")
    if "Content-Encoding: lz4" not in sent:
        raise AssertionError(f"insert was not sent as lz4: {sent[:2000]}")
    got, received = wire_log(lambda: zipped.query("SELECT n, s FROM cc_zip ORDER BY n").result_rows)
    if not re.search(r"header: Content-Encoding: (lz4|zstd|gzip|deflate)", received):
        raise AssertionError(f"query answer was not compressed: {received[:2000]}")
    expect_equal(len(got), 20000, "rows")
    expect_equal(list(got[123]), rows[123], "row 123")
    expect_equal(zipped.query("SELECT count(), sum(n) FROM cc_zip").result_rows, [(20000, 199990000)], "aggregate")


@check
def raises_database_errors_with_codes():
    expect_error(lambda: client.query("SELEC 1"), 62, "SYNTAX_ERROR")
    expect_error(lambda: client.query("SELECT * FROM cc_no_such_table"), 60, "UNKNOWN_TABLE")
    expect_error(lambda: client.command("DROP TABLE cc_no_such_table"), 60, "UNKNOWN_TABLE")
    expect_equal(client.query("SELECT 2").result_rows, [(2,)], "still serving")


@check
def streams_row_blocks():
    total = 0
    count = 0
    blocks = 0
    with client.query_row_block_stream("SELECT number FROM numbers(1000000)") as stream:
        for block in stream:
            blocks += 1
            for row in block:
                total += row[0]
                count += 1
    expect_equal(count, 1000000, "rows")
    expect_equal(total, 999999 * 1000000 // 2, "sum")
    if blocks < 2:
        raise AssertionError(f"expected several blocks, got {blocks}")


@check
def reports_errors_raised_mid_stream():
    sql = "SELECT number, throwIf(number = 3000000) FROM numbers(10000000)"
    expect_error(lambda: client.query(sql), 395, "FUNCTION_THROW_IF_VALUE_IS_NON_ZERO")
    try:
        with client.query_row_block_stream(sql) as stream:
            for _block in stream:
                pass
    except Exception as err:  # noqa: BLE001 - StreamFailureError, whatever its base
        if "Code: 395." not in str(err):
            raise AssertionError(f"expected code 395 in: {err}") from err
    else:
        raise AssertionError("the stream ended without the error")
    expect_equal(client.query("SELECT 4").result_rows, [(4,)], "next query")


@check
def closing_a_stream_early_ends_the_query():
    # The client drains the rest of the answer on close (as with ClickHouse), so the result is bounded.
    query_id = f"cc-stream-{uuid.uuid4()}"
    sql = "SELECT number FROM numbers(3000000)"
    with client.query_row_block_stream(sql, settings={"query_id": query_id}) as stream:
        for _block in stream:
            break
    deadline = time.time() + 15
    while client.command(f"SELECT count() FROM system.processes WHERE query_id = '{query_id}'") != 0:
        if time.time() > deadline:
            raise AssertionError("the query still runs after its stream was closed")
        time.sleep(0.1)
    expect_equal(client.query("SELECT 3").result_rows, [(3,)], "next query")


@check
def keeps_session_state():
    client.command("SET max_threads = 3")
    expect_equal(client.query("SELECT getSetting('max_threads')").result_rows, [(3,)], "session SET")


failed = [name for name, error in results if error is not None]
print(f"clickhouse-connect checks: passed={len(results) - len(failed)} failed={len(failed)}")
sys.exit(1 if failed else 0)
