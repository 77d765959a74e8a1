package gotest

// Offline check of the type matrix itself, no server needed: each driver's own Native block codec
// takes the two rows, encodes them at the driver's revision, decodes the bytes into a fresh block and
// scans them back. A failure here is a mistake in the matrix, not in Hadron.

import (
	"bytes"
	"testing"
	"time"

	ch "github.com/ClickHouse/ch-go/proto"
	chcolumn "github.com/ClickHouse/clickhouse-go/v2/lib/column"
	chproto "github.com/ClickHouse/clickhouse-go/v2/lib/proto"
	ptbinary "github.com/timeplus-io/proton-go-driver/v2/lib/binary"
	ptcolumn "github.com/timeplus-io/proton-go-driver/v2/lib/column"
	ptproto "github.com/timeplus-io/proton-go-driver/v2/lib/proto"
)

const (
	clickhouseGoRevision = 54460
	protonGoRevision     = 54453
)

func TestMatrixRoundTripsThroughClickHouseGoCodec(t *testing.T) {
	block := chproto.NewBlock()
	block.ServerContext.Timezone = time.UTC
	for _, c := range matrix {
		if err := block.AddColumn(c.name, chcolumn.Type(c.clickhouse)); err != nil {
			t.Fatalf("AddColumn %s %s: %v", c.name, c.clickhouse, err)
		}
	}
	for row := range 2 {
		if err := block.Append(rowValues(row)...); err != nil {
			t.Fatalf("Append row %d: %v", row, err)
		}
	}
	var buffer ch.Buffer
	if err := block.Encode(&buffer, clickhouseGoRevision); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	decoded := chproto.NewBlock()
	decoded.ServerContext.Timezone = time.UTC
	if err := decoded.Decode(ch.NewReader(bytes.NewReader(buffer.Buf)), clickhouseGoRevision); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	checkDecoded(t, decoded.Rows(), func(i, row int, dest any) error { return decoded.Columns[i].ScanRow(dest, row) })
}

func TestMatrixRoundTripsThroughProtonGoCodec(t *testing.T) {
	block := &ptproto.Block{Timezone: time.UTC}
	for _, c := range matrix {
		if err := block.AddColumn(c.name, ptcolumn.Type(c.proton)); err != nil {
			t.Fatalf("AddColumn %s %s: %v", c.name, c.proton, err)
		}
	}
	for row := range 2 {
		if err := block.Append(rowValues(row)...); err != nil {
			t.Fatalf("Append row %d: %v", row, err)
		}
	}
	var out bytes.Buffer
	encoder := ptbinary.NewEncoder(&out)
	if err := block.Encode(encoder, protonGoRevision); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	if err := encoder.Flush(); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	decoded := &ptproto.Block{Timezone: time.UTC}
	if err := decoded.Decode(ptbinary.NewDecoder(&out), protonGoRevision); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	checkDecoded(t, decoded.Rows(), func(i, row int, dest any) error { return decoded.Columns[i].ScanRow(dest, row) })
}

func checkDecoded(t *testing.T, rows int, scan func(column, row int, dest any) error) {
	t.Helper()
	if rows != 2 {
		t.Fatalf("decoded %d rows, want 2", rows)
	}
	for row := range 2 {
		targets := scanTargets()
		for i, target := range targets {
			if err := scan(i, row, target); err != nil {
				t.Fatalf("ScanRow %s row %d: %v", matrix[i].name, row, err)
			}
		}
		for _, problem := range checkRow(row, targets) {
			t.Error(problem)
		}
	}
}
