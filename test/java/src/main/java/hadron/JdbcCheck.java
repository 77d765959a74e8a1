package hadron;

import java.sql.Array;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.TimeZone;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Exercises the unmodified ClickHouse JDBC driver (jdbc-v2) against a ClickHouse HTTP endpoint:
 * connect, SELECT 1, DDL, a batch insert read back exactly, a 1 M-row result, a server error,
 * Statement.cancel() from another thread, and DatabaseMetaData basics.
 *
 * Usage: java -cp ... hadron.JdbcCheck jdbc:clickhouse://127.0.0.1:PORT/default
 * Prints one "ok ..." line per step and a final "JDBC_OK ..." line; exits 1 on the first failure.
 */
public final class JdbcCheck {
  private static final int ROWS = 1000;
  private static final List<String> summary = new ArrayList<>();

  public static void main(String[] args) {
    if (args.length < 1) {
      System.err.println("usage: JdbcCheck jdbc:clickhouse://host:port/db");
      System.exit(2);
    }
    String url = args[0];
    // The driver's own warnings go to stderr (slf4j-simple); -Dorg.slf4j.simpleLogger.defaultLogLevel=debug shows more.
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    long started = System.nanoTime();
    try {
      run(url);
    } catch (Throwable t) {
      System.out.flush();
      System.err.println("JDBC_FAIL " + t);
      t.printStackTrace(System.err);
      System.exit(1);
    }
    System.out.println("JDBC_OK " + String.join(", ", summary) + String.format(" (%.1f s)", (System.nanoTime() - started) / 1e9));
    System.exit(0);
  }

  private static void ok(String step, String detail) {
    System.out.println("ok " + step + (detail.isEmpty() ? "" : ": " + detail));
    System.out.flush();
    summary.add(step);
  }

  private static final List<String> failures = new ArrayList<>();

  private interface Step {
    void run() throws Exception;
  }

  /** Runs one step; a failure is reported and remembered, and the next steps still run. */
  private static void step(String name, Step body) {
    try {
      body.run();
    } catch (Throwable t) {
      System.out.println("FAIL " + name + ": " + t);
      System.out.flush();
      t.printStackTrace(System.err);
      failures.add(name + ": " + firstLine(String.valueOf(t)));
    }
  }

  private static void check(boolean cond, String message) {
    if (!cond) throw new AssertionError(message);
  }

  private static void run(String url) throws Exception {
    Properties props = new Properties();
    props.setProperty("user", "default");
    props.setProperty("password", "");
    // jdbc-v2 binds a LocalDateTime as an instant in the JVM's zone (taken when the connection opens)
    // but reads DateTime in the server's zone (X-ClickHouse-Timezone): the round trip is exact only
    // when they agree, so a first connection learns the server's zone.
    try (Connection probe = DriverManager.getConnection(url, props);
         Statement st = probe.createStatement();
         ResultSet rs = st.executeQuery("SELECT timezone()")) {
      check(rs.next(), "SELECT timezone(): no row");
      TimeZone.setDefault(TimeZone.getTimeZone(rs.getString(1)));
    }
    try (Connection conn = DriverManager.getConnection(url, props)) {
      DatabaseMetaData md = conn.getMetaData();
      ok("connect", md.getDriverName() + " " + md.getDriverVersion() + " -> " + md.getDatabaseProductName() + " " + md.getDatabaseProductVersion());
      check(conn.isValid(5), "isValid(5) returned false");
      ok("isValid", "");

      try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
        check(rs.next(), "SELECT 1: no row");
        check(rs.getInt(1) == 1, "SELECT 1 returned " + rs.getInt(1));
        check(!rs.next(), "SELECT 1: more than one row");
      }
      ok("select1", "");

      try (Statement st = conn.createStatement()) {
        st.execute("DROP TABLE IF EXISTS jt");
        st.execute("CREATE TABLE jt (id UInt64, name String, price Float64, d Date, ts DateTime, n Nullable(Int32), tags Array(String)) ENGINE = MergeTree ORDER BY id");
      }
      ok("ddl", "");

      step("batch-insert", () -> batchInsertAndReadBack(conn));
      step("1M-rows", () -> bigResult(conn));
      step("error", () -> serverError(conn));
      step("cancel", () -> cancel(conn));
      step("metadata", () -> metadata(conn));
      if (!failures.isEmpty()) throw new AssertionError(failures.size() + " step(s) failed: " + String.join("; ", failures));

      try (Statement st = conn.createStatement()) {
        st.execute("DROP TABLE jt");
      }
    }
  }

  // ---- rows: deterministic values with the characters that break text formats ----

  private static String name(int i) {
    switch (i % 7) {
      case 0: return "plain" + i;
      case 1: return "quote ' \" and backslash \\ #" + i;
      case 2: return "tab\tnewline\ncr\r#" + i;
      case 3: return "unicode éß漢字🚀 #" + i;
      case 4: return "";
      case 5: return "comma, (paren) [bracket] {brace} ?" + i;
      default: return "x".repeat(i % 50) + i;
    }
  }

  private static double price(int i) {
    switch (i % 5) {
      case 0: return i * 1.1;
      case 1: return -i / 3.0;
      case 2: return 0.1 + 0.2;
      case 3: return 1e-300 * i;
      default: return Math.PI * i * 1e12;
    }
  }

  private static LocalDate date(int i) {
    return LocalDate.of(2020, 1, 1).plusDays(i * 3L);
  }

  private static LocalDateTime ts(int i) {
    return LocalDateTime.of(2024, 3, 10, 0, 0, 0).plusSeconds(i * 3607L);
  }

  private static Integer n(int i) {
    return i % 3 == 0 ? null : (i % 2 == 0 ? i * 1000 : -i);
  }

  private static String[] tags(int i) {
    String[] t = new String[i % 4];
    for (int k = 0; k < t.length; k++) t[k] = k == 1 ? "it's,\"q\"" : "t" + i + "_" + k;
    return t;
  }

  private static void batchInsertAndReadBack(Connection conn) throws SQLException {
    long t0 = System.nanoTime();
    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO jt (id, name, price, d, ts, n, tags) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      for (int i = 0; i < ROWS; i++) {
        ps.setLong(1, i);
        ps.setString(2, name(i));
        ps.setDouble(3, price(i));
        ps.setObject(4, date(i));
        ps.setObject(5, ts(i));
        Integer v = n(i);
        if (v == null) ps.setNull(6, Types.INTEGER);
        else ps.setInt(6, v);
        ps.setArray(7, conn.createArrayOf("String", tags(i)));
        ps.addBatch();
        // Two batches, so the table has two parts and the read-back below spans several blocks.
        if (i == ROWS / 2 - 1 || i == ROWS - 1) {
          int[] counts = ps.executeBatch();
          check(counts.length == ROWS / 2, "executeBatch returned " + counts.length + " counts, expected " + ROWS / 2);
        }
      }
    }
    long insertMs = (System.nanoTime() - t0) / 1_000_000;

    try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT count() FROM jt")) {
      check(rs.next(), "count: no row");
      check(rs.getLong(1) == ROWS, "count() = " + rs.getLong(1) + ", expected " + ROWS);
    }

    int seen = 0;
    try (Statement st = conn.createStatement();
         ResultSet rs = st.executeQuery("SELECT id, name, price, d, ts, n, tags, toString(ts) AS ts_text, toString(d) AS d_text FROM jt ORDER BY id")) {
      String[] types = new String[rs.getMetaData().getColumnCount()];
      for (int c = 0; c < types.length; c++) types[c] = rs.getMetaData().getColumnTypeName(c + 1);
      check(Arrays.asList(types).subList(0, 7).equals(List.of("UInt64", "String", "Float64", "Date", "DateTime", "Nullable(Int32)", "Array(String)")),
          "column types " + Arrays.toString(types));
      while (rs.next()) {
        int i = seen++;
        String row = "row " + i + ": ";
        check(rs.getLong("id") == i, row + "id " + rs.getLong("id"));
        check(name(i).equals(rs.getString("name")), row + "name " + show(rs.getString("name")) + " != " + show(name(i)));
        double p = rs.getDouble("price");
        check(Double.doubleToLongBits(p) == Double.doubleToLongBits(price(i)), row + "price " + p + " != " + price(i));
        LocalDate d = rs.getObject("d", LocalDate.class);
        check(date(i).equals(d), row + "d " + d + " != " + date(i));
        check(date(i).toString().equals(rs.getString("d_text")), row + "toString(d) " + rs.getString("d_text") + " != " + date(i));
        LocalDateTime t = rs.getObject("ts", LocalDateTime.class);
        check(ts(i).equals(t), row + "ts " + t + " != " + ts(i));
        String tsText = ts(i).toString().replace('T', ' ');
        if (tsText.length() == 16) tsText += ":00";
        check(tsText.equals(rs.getString("ts_text")), row + "toString(ts) " + rs.getString("ts_text") + " != " + tsText);
        int nv = rs.getInt("n");
        Integer got = rs.wasNull() ? null : nv;
        check(Objects.equals(n(i), got), row + "n " + got + " != " + n(i));
        check(Objects.equals(n(i), rs.getObject("n")), row + "getObject(n) " + rs.getObject("n") + " != " + n(i));
        Array arr = rs.getArray("tags");
        Object[] tags = (Object[]) arr.getArray();
        check(Arrays.equals(tags(i), tags), row + "tags " + Arrays.toString(tags) + " != " + Arrays.toString(tags(i)));
      }
    }
    check(seen == ROWS, "read back " + seen + " rows, expected " + ROWS);

    // A parameterised SELECT (the driver inlines the values into the SQL text).
    try (PreparedStatement ps = conn.prepareStatement("SELECT name, tags FROM jt WHERE id = ? AND name = ?")) {
      ps.setLong(1, 1);
      ps.setString(2, name(1));
      try (ResultSet rs = ps.executeQuery()) {
        check(rs.next(), "prepared select: no row for id 1");
        check(name(1).equals(rs.getString(1)), "prepared select: name " + show(rs.getString(1)));
        check(!rs.next(), "prepared select: more than one row");
      }
    }
    ok("batch-insert", ROWS + " rows inserted (2 batches) in " + insertMs + " ms and read back exactly");
  }

  private static String show(String s) {
    return s == null ? "null" : '"' + s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r") + '"';
  }

  private static void bigResult(Connection conn) throws SQLException {
    long t0 = System.nanoTime();
    long sum = 0;
    long rows = 0;
    try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT number FROM numbers(1000000)")) {
      while (rs.next()) {
        sum += rs.getLong(1);
        rows++;
      }
    }
    check(rows == 1_000_000, "1M result: " + rows + " rows");
    check(sum == 499_999_500_000L, "1M result: sum " + sum);
    ok("1M-rows", "sum " + sum + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
  }

  private static void serverError(Connection conn) throws SQLException {
    try (Statement st = conn.createStatement()) {
      st.executeQuery("SELECT * FROM missing_table").close();
      throw new AssertionError("SELECT * FROM missing_table did not fail");
    } catch (SQLException e) {
      String msg = String.valueOf(e.getMessage());
      check(msg.contains("UNKNOWN_TABLE") || msg.contains("60"), "error message lacks 60/UNKNOWN_TABLE: " + msg);
      check(e.getErrorCode() == 60, "SQLException.getErrorCode() = " + e.getErrorCode() + ", expected 60; message: " + msg);
      ok("error", "code " + e.getErrorCode() + ", " + firstLine(msg));
    }
    // The connection is still usable after an error.
    try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT 2")) {
      check(rs.next() && rs.getInt(1) == 2, "SELECT 2 after an error");
    }
  }

  private static String firstLine(String s) {
    String l = s.split("\n", 2)[0];
    return l.length() > 160 ? l.substring(0, 160) + "…" : l;
  }

  private static void cancel(Connection conn) throws Exception {
    Statement st = conn.createStatement();
    AtomicReference<Throwable> outcome = new AtomicReference<>();
    AtomicReference<Long> rowsRead = new AtomicReference<>(0L);
    CountDownLatch done = new CountDownLatch(1);
    Thread worker = new Thread(() -> {
      long rows = 0;
      // 100 rows, 0.5 s each: 50 s unless cancelled.
      try (ResultSet rs = st.executeQuery("SELECT sleepEachRow(0.5), number FROM numbers(100) SETTINGS max_block_size = 1")) {
        while (rs.next()) rows++;
        outcome.set(new AssertionError("long query finished with " + rows + " rows instead of being cancelled"));
      } catch (Throwable t) {
        outcome.set(t);
      } finally {
        rowsRead.set(rows);
        done.countDown();
      }
    }, "long-query");
    worker.setDaemon(true);
    worker.start();
    Thread.sleep(1500);
    check(done.getCount() == 1, "long query ended before cancel(): " + outcome.get());
    long t0 = System.nanoTime();
    st.cancel();
    boolean ended = done.await(10, TimeUnit.SECONDS);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    check(ended, "long query still running 10 s after Statement.cancel()");
    check(ms < 5000, "long query took " + ms + " ms to end after cancel()");
    Throwable t = outcome.get();
    if (t instanceof AssertionError) throw (AssertionError) t;
    check(t instanceof SQLException, "cancelled query ended with " + t);
    st.close();

    // The server no longer lists it.
    long deadline = System.nanoTime() + 5_000_000_000L;
    long running;
    do {
      try (Statement s2 = conn.createStatement(); ResultSet rs = s2.executeQuery("SELECT count() FROM system.processes WHERE query LIKE '%sleepEachRow(0.5)%' AND query NOT LIKE '%system.processes%'")) {
        rs.next();
        running = rs.getLong(1);
      }
      if (running > 0) Thread.sleep(100);
    } while (running > 0 && System.nanoTime() < deadline);
    check(running == 0, "the cancelled query is still in system.processes");
    ok("cancel", "ended " + ms + " ms after cancel() with " + t.getClass().getSimpleName() + ": " + firstLine(String.valueOf(t.getMessage())));
  }

  private static void metadata(Connection conn) throws SQLException {
    DatabaseMetaData md = conn.getMetaData();
    List<String> schemas = new ArrayList<>();
    try (ResultSet rs = md.getSchemas()) {
      while (rs.next()) schemas.add(rs.getString("TABLE_SCHEM"));
    }
    check(schemas.contains("default"), "getSchemas() lacks default: " + schemas);

    List<String> tables = new ArrayList<>();
    try (ResultSet rs = md.getTables(null, "default", "jt", null)) {
      while (rs.next()) tables.add(rs.getString("TABLE_SCHEM") + "." + rs.getString("TABLE_NAME") + ":" + rs.getString("TABLE_TYPE"));
    }
    check(tables.size() == 1 && tables.get(0).startsWith("default.jt:"), "getTables(default, jt) = " + tables);

    List<String> columns = new ArrayList<>();
    try (ResultSet rs = md.getColumns(null, "default", "jt", null)) {
      while (rs.next()) columns.add(rs.getString("COLUMN_NAME") + " " + rs.getString("TYPE_NAME"));
    }
    check(columns.equals(List.of("id UInt64", "name String", "price Float64", "d Date", "ts DateTime", "n Nullable(Int32)", "tags Array(String)")),
        "getColumns(default, jt) = " + columns);
    ok("metadata", "getSchemas " + schemas.size() + ", getTables " + tables + ", getColumns " + columns.size());
  }
}
