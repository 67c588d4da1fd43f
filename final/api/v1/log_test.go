package log_v1_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// The tests reach Record's fields through protobuf reflection, so that a
// missing or retyped field fails with a message instead of not compiling.

// field returns Record's field called name, or stops the test when
// log.proto does not declare it.
func field(t testing.TB, name protoreflect.Name) protoreflect.FieldDescriptor {
	t.Helper()
	fd := (&api.Record{}).ProtoReflect().Descriptor().Fields().ByName(name)
	if fd == nil {
		t.Fatalf("Record has no field %q (edit api/v1/log.proto, then run go generate ./...)", name)
	}
	return fd
}

// newRecord builds a Record with the given value and offset. It stops the
// test, instead of panicking, when a field has another type.
func newRecord(t testing.TB, value []byte, offset uint64) *api.Record {
	t.Helper()
	valueField, offsetField := field(t, "value"), field(t, "offset")
	if valueField.Kind() != protoreflect.BytesKind || offsetField.Kind() != protoreflect.Uint64Kind {
		t.Fatalf("Record's fields must be bytes value and uint64 offset; they are %s value and %s offset (see TestRecordFields)", valueField.Kind(), offsetField.Kind())
	}
	r := &api.Record{}
	m := r.ProtoReflect()
	m.Set(valueField, protoreflect.ValueOfBytes(value))
	m.Set(offsetField, protoreflect.ValueOfUint64(offset))
	return r
}

func TestRecordFields(t *testing.T) {
	tests := []struct {
		name   protoreflect.Name
		number protoreflect.FieldNumber
		kind   protoreflect.Kind
	}{
		{"value", 1, protoreflect.BytesKind},
		{"offset", 2, protoreflect.Uint64Kind},
		{"term", 3, protoreflect.Uint64Kind},
		{"type", 4, protoreflect.Uint32Kind},
		{"origin", 5, protoreflect.StringKind},
	}
	for _, tt := range tests {
		t.Run(string(tt.name), func(t *testing.T) {
			fd := field(t, tt.name)
			require.Equal(t, tt.number, fd.Number(), "field numbers are the wire format: %s must be number %d", tt.name, tt.number)
			require.Equal(t, tt.kind, fd.Kind(), "field %s must be of type %s", tt.name, tt.kind)
			require.Equal(t, protoreflect.Cardinality(protoreflect.Optional), fd.Cardinality(), "field %s is a single value, not repeated", tt.name)
			require.False(t, fd.HasPresence(), "field %s is a plain proto3 field: no `optional` keyword (it would make the Go field a pointer)", tt.name)
		})
	}
	require.Equal(t, 5, (&api.Record{}).ProtoReflect().Descriptor().Fields().Len(), "Record has exactly the fields value, offset, term, type and origin")
}

func TestRecordWireFormat(t *testing.T) {
	record := newRecord(t, []byte("hello"), 1)

	t.Run("encodes to the bytes protobuf specifies", func(t *testing.T) {
		got, err := proto.Marshal(record)
		require.NoError(t, err)
		// Field 1, wire type 2 (length-delimited): tag 0x0a, length 5, "hello";
		// field 2, wire type 0 (varint): tag 0x10, value 1.
		want := []byte{0x0a, 0x05, 'h', 'e', 'l', 'l', 'o', 0x10, 0x01}
		require.Equal(t, want, got, "check the field numbers and types in log.proto")
	})

	t.Run("decodes back to an equal record", func(t *testing.T) {
		b, err := proto.Marshal(record)
		require.NoError(t, err)
		var got api.Record
		require.NoError(t, proto.Unmarshal(b, &got))
		require.True(t, proto.Equal(record, &got), "round trip changed the record: %v", &got)
	})
}

func TestRecordJSON(t *testing.T) {
	record := newRecord(t, []byte("hello"), 1)

	t.Run("uses the canonical JSON mapping", func(t *testing.T) {
		got, err := protojson.Marshal(record)
		require.NoError(t, err)
		// bytes are base64; 64-bit integers are strings, since JSON numbers
		// lose precision above 2^53.
		require.JSONEq(t, `{"value":"aGVsbG8=","offset":"1"}`, string(got), "the JSON names come from the field names in log.proto")
	})

	t.Run("decodes back to an equal record", func(t *testing.T) {
		var got api.Record
		require.NoError(t, protojson.Unmarshal([]byte(`{"value":"aGVsbG8=","offset":1}`), &got))
		require.True(t, proto.Equal(record, &got), "protojson accepts 64-bit integers as numbers too: %v", &got)
	})
}
