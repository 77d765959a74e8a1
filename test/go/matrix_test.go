package gotest

// The type matrix every driver inserts and reads back: one column per common type, spelled in
// ClickHouse and in Proton, with two rows of values. `in` is what the test appends to a batch,
// `out` what a scan into a fresh `*T` (T = the driver's scan type) must give back exactly.

import (
	"fmt"
	"math"
	"net"
	"reflect"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

type matrixColumn struct {
	name       string
	clickhouse string // type name on a ClickHouse port
	proton     string // type name on a Proton port
	in         [2]any
	out        [2]any
	dest       func() any // a fresh pointer to scan into
}

func ptr[T any](v T) *T { return &v }

func dest[T any]() func() any { return func() any { return new(T) } }

var (
	day      = time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)
	instant  = time.Date(2024, 2, 29, 23, 59, 58, 0, time.UTC)
	instant2 = time.Date(1999, 12, 31, 0, 0, 1, 0, time.UTC)
	milli    = time.Date(2024, 2, 29, 12, 34, 56, 789_000_000, time.UTC)
	milli2   = time.Date(1970, 1, 1, 0, 0, 0, 1_000_000, time.UTC)
	uuid1    = uuid.MustParse("8b1f0c6e-2f0a-4d8e-9c1b-1234567890ab")
	text     = "héllo, 'wörld' \"\\\t\n\x00 ✓"
)

// same two-value helper keeps each matrix row on one line.
func both(v any) [2]any { return [2]any{v, v} }

var matrix = []matrixColumn{
	{"id", "UInt32", "uint32", [2]any{uint32(1), uint32(2)}, [2]any{uint32(1), uint32(2)}, dest[uint32]()},
	{"c_i8", "Int8", "int8", [2]any{int8(math.MinInt8), int8(math.MaxInt8)}, [2]any{int8(math.MinInt8), int8(math.MaxInt8)}, dest[int8]()},
	{"c_i16", "Int16", "int16", [2]any{int16(math.MinInt16), int16(-2)}, [2]any{int16(math.MinInt16), int16(-2)}, dest[int16]()},
	{"c_i32", "Int32", "int32", [2]any{int32(math.MaxInt32), int32(0)}, [2]any{int32(math.MaxInt32), int32(0)}, dest[int32]()},
	{"c_i64", "Int64", "int64", [2]any{int64(math.MinInt64), int64(math.MaxInt64)}, [2]any{int64(math.MinInt64), int64(math.MaxInt64)}, dest[int64]()},
	{"c_u8", "UInt8", "uint8", [2]any{uint8(math.MaxUint8), uint8(0)}, [2]any{uint8(math.MaxUint8), uint8(0)}, dest[uint8]()},
	{"c_u16", "UInt16", "uint16", [2]any{uint16(math.MaxUint16), uint16(1)}, [2]any{uint16(math.MaxUint16), uint16(1)}, dest[uint16]()},
	{"c_u32", "UInt32", "uint32", [2]any{uint32(math.MaxUint32), uint32(7)}, [2]any{uint32(math.MaxUint32), uint32(7)}, dest[uint32]()},
	{"c_u64", "UInt64", "uint64", [2]any{uint64(math.MaxUint64), uint64(1 << 63)}, [2]any{uint64(math.MaxUint64), uint64(1 << 63)}, dest[uint64]()},
	{"c_f32", "Float32", "float32", [2]any{float32(1.5), float32(-math.MaxFloat32)}, [2]any{float32(1.5), float32(-math.MaxFloat32)}, dest[float32]()},
	{"c_f64", "Float64", "float64", [2]any{-2.25e300, math.SmallestNonzeroFloat64}, [2]any{-2.25e300, math.SmallestNonzeroFloat64}, dest[float64]()},
	{"c_str", "String", "string", [2]any{text, ""}, [2]any{text, ""}, dest[string]()},
	{"c_fstr", "FixedString(4)", "fixed_string(4)", both("abcd"), both("abcd"), dest[string]()},
	{"c_date", "Date", "date", [2]any{day, time.Unix(0, 0).UTC()}, [2]any{day, time.Unix(0, 0).UTC()}, dest[time.Time]()},
	{"c_dt", "DateTime('UTC')", "datetime('UTC')", [2]any{instant, instant2}, [2]any{instant, instant2}, dest[time.Time]()},
	{"c_dt64", "DateTime64(3, 'UTC')", "datetime64(3, 'UTC')", [2]any{milli, milli2}, [2]any{milli, milli2}, dest[time.Time]()},
	{"c_dec", "Decimal(18, 4)", "decimal(18, 4)", [2]any{decimal.RequireFromString("-12345678901234.5678"), decimal.RequireFromString("0.0001")}, [2]any{decimal.RequireFromString("-12345678901234.5678"), decimal.RequireFromString("0.0001")}, dest[decimal.Decimal]()},
	{"c_bool", "Bool", "bool", [2]any{true, false}, [2]any{true, false}, dest[bool]()},
	{"c_uuid", "UUID", "uuid", [2]any{uuid1, uuid.Nil}, [2]any{uuid1, uuid.Nil}, dest[uuid.UUID]()},
	{"c_ip4", "IPv4", "ipv4", [2]any{net.ParseIP("192.168.1.254").To4(), net.ParseIP("0.0.0.0").To4()}, [2]any{net.ParseIP("192.168.1.254"), net.ParseIP("0.0.0.0")}, dest[net.IP]()},
	{"c_ip6", "IPv6", "ipv6", [2]any{net.ParseIP("2001:db8::ff00:42:8329"), net.ParseIP("::1")}, [2]any{net.ParseIP("2001:db8::ff00:42:8329"), net.ParseIP("::1")}, dest[net.IP]()},
	{"c_null", "Nullable(Int32)", "nullable(int32)", [2]any{ptr(int32(-7)), nil}, [2]any{ptr(int32(-7)), (*int32)(nil)}, dest[*int32]()},
	{"c_nstr", "Nullable(String)", "nullable(string)", [2]any{nil, ptr("x")}, [2]any{(*string)(nil), ptr("x")}, dest[*string]()},
	{"c_lc", "LowCardinality(String)", "low_cardinality(string)", [2]any{"red", "green"}, [2]any{"red", "green"}, dest[string]()},
	{"c_arr", "Array(Int32)", "array(int32)", [2]any{[]int32{1, -2, 3}, []int32{}}, [2]any{[]int32{1, -2, 3}, []int32{}}, dest[[]int32]()},
	{"c_astr", "Array(String)", "array(string)", [2]any{[]string{"a", "", text}, []string{"z"}}, [2]any{[]string{"a", "", text}, []string{"z"}}, dest[[]string]()},
	{"c_map", "Map(String, UInt64)", "map(string, uint64)", [2]any{map[string]uint64{"a": 1, "b": math.MaxUint64}, map[string]uint64{}}, [2]any{map[string]uint64{"a": 1, "b": math.MaxUint64}, map[string]uint64{}}, dest[map[string]uint64]()},
	{"c_tup", "Tuple(String, Int64)", "tuple(string, int64)", [2]any{[]any{"t", int64(-1)}, []any{"", int64(42)}}, [2]any{[]any{"t", int64(-1)}, []any{"", int64(42)}}, dest[[]any]()},
	{"c_enum", "Enum8('a' = 1, 'b' = 2, 'c d' = -3)", "enum8('a' = 1, 'b' = 2, 'c d' = -3)", [2]any{"b", "c d"}, [2]any{"b", "c d"}, dest[string]()},
}

// columnList is "c1, c2, …" for SELECT and INSERT.
func columnList() string {
	names := make([]string, len(matrix))
	for i, c := range matrix {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}

// columnDefs is "c1 T1, c2 T2, …" in the given dialect.
func columnDefs(proton bool) string {
	defs := make([]string, len(matrix))
	for i, c := range matrix {
		t := c.clickhouse
		if proton {
			t = c.proton
		}
		defs[i] = c.name + " " + t
	}
	return strings.Join(defs, ", ")
}

func rowValues(row int) []any {
	values := make([]any, len(matrix))
	for i, c := range matrix {
		values[i] = c.in[row]
	}
	return values
}

func scanTargets() []any {
	targets := make([]any, len(matrix))
	for i, c := range matrix {
		targets[i] = c.dest()
	}
	return targets
}

// checkRow compares scanned targets with the expected row; it returns one message per mismatch.
func checkRow(row int, targets []any) []string {
	var problems []string
	for i, c := range matrix {
		got := reflect.ValueOf(targets[i]).Elem().Interface()
		if !sameValue(got, c.out[row]) {
			problems = append(problems, fmt.Sprintf("row %d column %s (%s): got %#v, want %#v", row, c.name, c.proton, got, c.out[row]))
		}
	}
	return problems
}

// sameValue is reflect.DeepEqual except: instants compare as instants (a driver may return them in
// another location), decimals by value, IP addresses by address (4- or 16-byte form).
func sameValue(got, want any) bool {
	switch w := want.(type) {
	case time.Time:
		g, ok := got.(time.Time)
		return ok && g.Equal(w)
	case decimal.Decimal:
		g, ok := got.(decimal.Decimal)
		return ok && g.Equal(w)
	case net.IP:
		g, ok := got.(net.IP)
		return ok && g.Equal(w)
	}
	return reflect.DeepEqual(got, want)
}
