package gotest

// clickhouse-go v2 (native protocol, revision 54460) against Hadron's ClickHouse-dialect native port
// (config clickhouse_tcp_port), whose address is in TEST_CLICKHOUSE_NATIVE_ADDR.

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

func TestClickHouseGo(t *testing.T) {
	addr := nativeAddr(t, "TEST_CLICKHOUSE_NATIVE_ADDR")
	for _, lz4 := range []bool{true, false} {
		name := map[bool]string{true: "lz4", false: "uncompressed"}[lz4]
		t.Run(name, func(t *testing.T) { runScenarios(t, openClickHouseGo(t, addr, lz4, "chgo_"+name)) })
	}
}

func openClickHouseGo(t *testing.T, addr string, lz4 bool, suffix string) driverUnderTest {
	options := &clickhouse.Options{
		Protocol:     clickhouse.Native,
		Addr:         []string{addr},
		Auth:         clickhouse.Auth{Database: "default", Username: "default"},
		DialTimeout:  10 * time.Second,
		MaxOpenConns: 1,
		MaxIdleConns: 1,
		Debug:        driverDebug(),
	}
	if lz4 {
		options.Compression = &clickhouse.Compression{Method: clickhouse.CompressionLZ4}
	}
	conn, err := clickhouse.Open(options)
	if err != nil {
		t.Fatalf("clickhouse.Open %s: %v", addr, err)
	}
	return driverUnderTest{
		suffix: suffix,
		exec:   func(ctx context.Context, q string) error { return conn.Exec(ctx, q) },
		query: func(ctx context.Context, q string) (rows, error) {
			r, err := conn.Query(ctx, q)
			if err != nil {
				return nil, err
			}
			return r, nil
		},
		prepare: func(ctx context.Context, q string) (batch, error) {
			b, err := conn.PrepareBatch(ctx, q)
			if err != nil {
				return nil, err
			}
			return b, nil
		},
		ping: conn.Ping,
		version: func() (string, error) {
			v, err := conn.ServerVersion()
			if err != nil {
				return "", err
			}
			if v.Name == "" || v.Revision == 0 {
				return "", fmt.Errorf("incomplete server hello %+v", v)
			}
			return fmt.Sprintf("%s %d.%d.%d revision %d tz %v", v.Name, v.Version.Major, v.Version.Minor, v.Version.Patch, v.Revision, v.Timezone), nil
		},
		code: func(err error) (int32, bool) {
			var ex *clickhouse.Exception
			if errors.As(err, &ex) {
				return ex.Code, true
			}
			return 0, false
		},
		closeAll: conn.Close,
	}
}
