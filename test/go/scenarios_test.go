package gotest

// Driver-neutral scenarios run by every Go driver against a Hadron native port: each step has its own
// deadline, so a server that stops answering fails the step by name instead of hanging the run.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// rows and batch are the parts of driver.Rows / driver.Batch the scenarios use; both drivers'
// types satisfy them as they are.
type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

type batch interface {
	Append(v ...any) error
	Send() error
}

// driverUnderTest adapts one driver connection (a pool) to the scenarios.
type driverUnderTest struct {
	proton   bool   // Proton dialect: CREATE STREAM, table(s), snake_case functions
	suffix   string // makes table names unique per driver, port and compression
	exec     func(ctx context.Context, query string) error
	query    func(ctx context.Context, query string) (rows, error)
	prepare  func(ctx context.Context, query string) (batch, error)
	ping     func(ctx context.Context) error
	version  func() (string, error)
	code     func(err error) (int32, bool) // the server's exception code carried by err
	closeAll func() error
}

const stepTimeout = 60 * time.Second

// nativeAddr is the host:port in the environment variable, which must be a loopback address;
// without the variable the test is skipped (the vitest wrapper always sets it).
func nativeAddr(t *testing.T, variable string) string {
	t.Helper()
	addr := os.Getenv(variable)
	if addr == "" {
		t.Skipf("%s is not set (host:port of a Hadron native listener)", variable)
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("%s=%q: %v", variable, addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		t.Fatalf("%s=%q: only loopback addresses are tested", variable, addr)
	}
	return addr
}

func driverDebug() bool { return os.Getenv("GO_DRIVER_DEBUG") != "" }

func stepContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	t.Cleanup(cancel)
	return ctx
}

// runScenarios runs every scenario as a subtest; later ones still run when an earlier one fails.
func runScenarios(t *testing.T, d driverUnderTest) {
	t.Cleanup(func() { _ = d.closeAll() })
	t.Run("select_1", func(t *testing.T) { scenarioSelectOne(t, d) })
	t.Run("version_and_ping", func(t *testing.T) { scenarioVersion(t, d) })
	t.Run("types_round_trip", func(t *testing.T) { scenarioTypes(t, d) })
	t.Run("million_rows", func(t *testing.T) { scenarioMillion(t, d) })
	t.Run("error_codes", func(t *testing.T) { scenarioErrors(t, d) })
	t.Run("cancel_mid_stream", func(t *testing.T) { scenarioCancelStream(t, d) })
	t.Run("cancel_while_sleeping", func(t *testing.T) { scenarioCancelSleep(t, d) })
}

func scenarioSelectOne(t *testing.T, d driverUnderTest) {
	ctx := stepContext(t)
	r, err := d.query(ctx, "SELECT 1")
	if err != nil {
		t.Fatalf("query SELECT 1: %v", err)
	}
	defer r.Close()
	var got []uint8
	for r.Next() {
		var v uint8
		if err := r.Scan(&v); err != nil {
			t.Fatalf("scan SELECT 1: %v", err)
		}
		got = append(got, v)
	}
	if err := r.Err(); err != nil {
		t.Fatalf("SELECT 1 rows: %v", err)
	}
	if len(got) != 1 || got[0] != 1 {
		t.Fatalf("SELECT 1 returned %v, want [1]", got)
	}
}

func scenarioVersion(t *testing.T, d driverUnderTest) {
	ctx := stepContext(t)
	v, err := d.version()
	if err != nil {
		t.Fatalf("ServerVersion: %v", err)
	}
	t.Logf("server: %s", v)
	if err := d.ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if err := d.ping(ctx); err != nil {
		t.Fatalf("second Ping on the pooled connection: %v", err)
	}
}

func scenarioTypes(t *testing.T, d driverUnderTest) {
	ctx := stepContext(t)
	table := "go_types_" + d.suffix
	drop, create, from := "DROP TABLE IF EXISTS "+table, fmt.Sprintf("CREATE TABLE %s (%s) ENGINE = MergeTree ORDER BY id", table, columnDefs(false)), table
	if d.proton {
		drop, create, from = "DROP STREAM IF EXISTS "+table, fmt.Sprintf("CREATE STREAM %s (%s)", table, columnDefs(true)), "table("+table+")"
	}
	for _, ddl := range []string{drop, create} {
		if err := d.exec(ctx, ddl); err != nil {
			t.Fatalf("%s: %v", ddl, err)
		}
	}
	t.Cleanup(func() { _ = d.exec(context.Background(), drop) })
	b, err := d.prepare(ctx, fmt.Sprintf("INSERT INTO %s (%s)", table, columnList()))
	if err != nil {
		t.Fatalf("PrepareBatch: %v", err)
	}
	for row := range 2 {
		if err := b.Append(rowValues(row)...); err != nil {
			t.Fatalf("batch.Append row %d: %v", row, err)
		}
	}
	if err := b.Send(); err != nil {
		t.Fatalf("batch.Send: %v", err)
	}
	r, err := d.query(ctx, fmt.Sprintf("SELECT %s FROM %s ORDER BY id", columnList(), from))
	if err != nil {
		t.Fatalf("SELECT back: %v", err)
	}
	defer r.Close()
	row := 0
	for ; r.Next(); row++ {
		targets := scanTargets()
		if err := r.Scan(targets...); err != nil {
			t.Fatalf("scan row %d: %v", row, err)
		}
		if row < 2 {
			for _, problem := range checkRow(row, targets) {
				t.Error(problem)
			}
		}
	}
	if err := r.Err(); err != nil {
		t.Fatalf("SELECT back rows: %v", err)
	}
	if row != 2 {
		t.Fatalf("SELECT back returned %d rows, want 2", row)
	}
}

func scenarioMillion(t *testing.T, d driverUnderTest) {
	ctx := stepContext(t)
	r, err := d.query(ctx, "SELECT number FROM numbers(1000000)")
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	defer r.Close()
	var count, sum uint64
	for r.Next() {
		var n uint64
		if err := r.Scan(&n); err != nil {
			t.Fatalf("scan row %d: %v", count, err)
		}
		count, sum = count+1, sum+n
	}
	if err := r.Err(); err != nil {
		t.Fatalf("rows after %d: %v", count, err)
	}
	if count != 1_000_000 || sum != 499_999_500_000 {
		t.Fatalf("got count %d sum %d, want 1000000 and 499999500000", count, sum)
	}
}

func scenarioErrors(t *testing.T, d driverUnderTest) {
	cases := []struct {
		query string
		code  int32
	}{
		{"SELECT * FROM go_no_such_stream_" + d.suffix, 60},
		{"SELEC 1", 62},
	}
	for _, c := range cases {
		ctx := stepContext(t)
		err := queryAll(ctx, d, c.query)
		if err == nil {
			t.Errorf("%s: no error, want code %d", c.query, c.code)
			continue
		}
		if code, ok := d.code(err); !ok || code != c.code {
			t.Errorf("%s: error %T %v (code %d, exception %v), want exception code %d", c.query, err, err, code, ok, c.code)
		}
	}
	scenarioSelectOne(t, d) // the connection survives a server exception
}

// queryAll runs a query to its end and returns the first error (from Query, Scan-free Next or Err).
func queryAll(ctx context.Context, d driverUnderTest, query string) error {
	r, err := d.query(ctx, query)
	if err != nil {
		return err
	}
	defer r.Close()
	for r.Next() {
	}
	return r.Err()
}

func scenarioCancelStream(t *testing.T, d driverUnderTest) {
	ctx, cancel := context.WithCancel(stepContext(t))
	r, err := d.query(ctx, "SELECT number FROM numbers(10000000000)")
	if err != nil {
		cancel()
		t.Fatalf("query: %v", err)
	}
	read := 0
	for read < 10_000 && r.Next() {
		read++
	}
	if read < 10_000 {
		cancel()
		t.Fatalf("stream ended after %d rows before the cancel: %v", read, r.Err())
	}
	cancel()
	drainAfterCancel(t, r)
	checkUsableAfterCancel(t, d, "%FROM numbers(10000000000)%")
}

func scenarioCancelSleep(t *testing.T, d driverUnderTest) {
	sleep := "SELECT sleepEachRow(1) FROM numbers(60) SETTINGS max_block_size = 1"
	if d.proton {
		sleep = "SELECT sleep_each_row(1) FROM numbers(60) SETTINGS max_block_size = 1"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	started := time.Now()
	err := queryAll(ctx, d, sleep)
	if err == nil {
		t.Fatalf("the 60 s query ended without error after %v, want a context error", time.Since(started))
	}
	if !errors.Is(err, context.DeadlineExceeded) && !strings.Contains(err.Error(), "deadline") && !strings.Contains(err.Error(), "timeout") {
		t.Logf("error after the deadline is %T %v (not a deadline error)", err, err)
	}
	if elapsed := time.Since(started); elapsed > 15*time.Second {
		t.Fatalf("the query returned %v after a 1.5 s deadline", elapsed)
	}
	checkUsableAfterCancel(t, d, "%FROM numbers(60) SETTINGS%")
}

// checkUsableAfterCancel: a new query on the same pool answers within 5 s, and the cancelled query
// leaves system.processes within 10 s (the server stopped it, not just the client).
func checkUsableAfterCancel(t *testing.T, d driverUnderTest, pattern string) {
	t.Helper()
	started := time.Now()
	scenarioSelectOne(t, d)
	if elapsed := time.Since(started); elapsed > 5*time.Second {
		t.Errorf("SELECT 1 after the cancel took %v", elapsed)
	}
	count := fmt.Sprintf("SELECT count() FROM system.processes WHERE query LIKE '%s' AND query NOT LIKE '%%system.processes%%'", pattern)
	deadline := time.Now().Add(10 * time.Second)
	for {
		// proton-go-driver's cancel() marks the connection closed without closing it, so release()
		// never closes the socket: it stays open, unread, until the GC finalizes the net.Conn. Only
		// then does the server see EOF (until then it is a stalled reader). Collect to get there.
		runtime.GC()
		running, err := countOf(stepContext(t), d, count)
		if err != nil {
			t.Fatalf("%s: %v", count, err)
		}
		if running == 0 {
			t.Logf("the cancelled query left system.processes %v after the cancel returned", time.Since(started).Round(time.Millisecond))
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the cancelled query is still in system.processes 10 s after the cancel (%d entries)", running)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func countOf(ctx context.Context, d driverUnderTest, query string) (uint64, error) {
	r, err := d.query(ctx, query)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	var n uint64
	for r.Next() {
		if err := r.Scan(&n); err != nil {
			return 0, err
		}
	}
	return n, r.Err()
}

// drainAfterCancel reads what the driver still delivers after the cancel; it must stop soon.
func drainAfterCancel(t *testing.T, r rows) {
	t.Helper()
	done := make(chan error, 1)
	var extra atomic.Int64
	go func() {
		for r.Next() {
			extra.Add(1)
		}
		done <- r.Err()
	}()
	select {
	case err := <-done:
		t.Logf("after cancel: %d more rows, then %v", extra.Load(), err)
	case <-time.After(15 * time.Second):
		t.Fatalf("rows.Next still delivering 15 s after the cancel (%d more rows)", extra.Load())
	}
	_ = r.Close()
}
