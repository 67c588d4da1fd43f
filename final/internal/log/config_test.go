package log

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestConfigDefaults(t *testing.T) {
	c := Config{}.withDefaults()
	require.Equal(t, uint64(defaultMaxStoreBytes), c.Segment.MaxStoreBytes)
	require.Equal(t, uint64(defaultMaxIndexBytes), c.Segment.MaxIndexBytes)
	require.NoError(t, c.validate(), "the defaults must be valid")

	var set Config
	set.Segment.MaxStoreBytes, set.Segment.MaxIndexBytes = 1, 1024
	require.Equal(t, set, set.withDefaults(), "withDefaults must keep the fields that are set")
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name          string
		maxIndexBytes uint64
		wantErr       string // what the error must name; "" means valid
	}{
		{"an index too small for one entry is rejected", entWidth - 1, "Segment.MaxIndexBytes (11)"},
		{"an index of one entry is valid", entWidth, ""},
		{"an index that is not a multiple of the entry width is valid", 1024, ""},
		{"an index of 2^32 entries is valid", entWidth << 32, ""},
		{"an index of more than 2^32 entries is rejected", entWidth<<32 + entWidth, "Segment.MaxIndexBytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Config
			c.Segment.MaxIndexBytes = tt.maxIndexBytes
			err := c.withDefaults().validate()
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.wantErr, "validate must name the field and its value")
		})
	}
}

func TestNewLogRejectsInvalidConfig(t *testing.T) {
	var c Config
	c.Segment.MaxIndexBytes = 5
	_, err := NewLog(t.TempDir(), c)
	require.ErrorContains(t, err, "Segment.MaxIndexBytes")
}
