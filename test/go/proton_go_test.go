package gotest

// proton-go-driver v2 (native protocol, revision 54453, Proton type names) against Hadron's Proton
// native ports: streaming (config tcp_port, TEST_PROTON_STREAMING_ADDR) and snapshot (config
// snapshot_tcp_port, TEST_PROTON_SNAPSHOT_ADDR).

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/timeplus-io/proton-go-driver/v2"
)

func TestProtonGoStreamingPort(t *testing.T) {
	runProtonGo(t, nativeAddr(t, "TEST_PROTON_STREAMING_ADDR"), "streaming")
}

func TestProtonGoSnapshotPort(t *testing.T) {
	runProtonGo(t, nativeAddr(t, "TEST_PROTON_SNAPSHOT_ADDR"), "snapshot")
}

func runProtonGo(t *testing.T, addr, port string) {
	for _, lz4 := range []bool{true, false} {
		name := map[bool]string{true: "lz4", false: "uncompressed"}[lz4]
		t.Run(name, func(t *testing.T) { runScenarios(t, openProtonGo(t, addr, lz4, "proton_"+port+"_"+name)) })
	}
}

func openProtonGo(t *testing.T, addr string, lz4 bool, suffix string) driverUnderTest {
	options := &proton.Options{
		Addr:         []string{addr},
		Auth:         proton.Auth{Database: "default", Username: "default"},
		DialTimeout:  10 * time.Second,
		MaxOpenConns: 1,
		MaxIdleConns: 1,
		Debug:        driverDebug(),
	}
	if lz4 {
		options.Compression = &proton.Compression{Method: proton.CompressionLZ4}
	}
	conn, err := proton.Open(options)
	if err != nil {
		t.Fatalf("proton.Open %s: %v", addr, err)
	}
	return driverUnderTest{
		proton: true,
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
			var ex *proton.Exception
			if errors.As(err, &ex) {
				return ex.Code, true
			}
			return 0, false
		},
		closeAll: conn.Close,
	}
}
