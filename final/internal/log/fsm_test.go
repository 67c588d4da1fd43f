package log

import (
	"testing"

	"github.com/hashicorp/raft"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	api "github.com/proglog-workshop/proglog/final/api/v1"
)

// newTestLog returns a log in a temporary directory, closed when the test
// ends.
func newTestLog(t testing.TB, c Config) *Log {
	t.Helper()
	l, err := NewLog(t.TempDir(), c)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, l.Close()) })
	return l
}

// appendCommand returns the Raft command that appends value.
func appendCommand(t testing.TB, value string) []byte {
	t.Helper()
	b, err := proto.Marshal(&api.ProduceRequest{Record: &api.Record{Value: []byte(value)}})
	require.NoError(t, err)
	return append([]byte{byte(AppendRequestType)}, b...)
}

// isClosed reports whether ch is closed.
func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func TestFSMApply(t *testing.T) {
	f := &fsm{log: newTestLog(t, Config{})}
	for i, value := range []string{"first", "second"} {
		woken := f.appended.wait()
		res := f.Apply(&raft.Log{Index: uint64(i + 1), Data: appendCommand(t, value)})
		if err, ok := res.(error); ok {
			require.NoError(t, err, "Apply must skip the request type byte and append the request's record")
		}
		require.IsType(t, &api.ProduceResponse{}, res, "Apply answers an append with a *api.ProduceResponse")
		require.Equal(t, uint64(i), res.(*api.ProduceResponse).GetOffset())

		record, err := f.log.Read(uint64(i))
		require.NoError(t, err)
		require.Equal(t, value, string(record.GetValue()))
		require.True(t, isClosed(woken), "Apply must wake the streams waiting for a record: on a follower, no other code sees the append")
	}
}

func TestFSMApplyRejectsBadCommands(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"an empty command", nil},
		{"an unknown request type", append([]byte{7}, appendCommand(t, "x")[1:]...)},
		{"a request that is not protobuf", []byte{byte(AppendRequestType), 0xff, 0xff, 0xff}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fsm{log: newTestLog(t, Config{})}
			res := f.Apply(&raft.Log{Index: 1, Data: tt.data})
			err, ok := res.(error)
			require.True(t, ok, "Apply must refuse a request type it does not know, or a command it cannot read, with an error; it returned %v", res)
			require.Error(t, err)
			_, err = f.log.Read(0)
			require.Error(t, err, "a refused command must append nothing")
		})
	}
}
