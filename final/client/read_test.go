package client_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/proglog-workshop/proglog/final/client"
)

// TestLinearizableConsumeSeesAcknowledgedProduces reads each record the
// moment its produce is acknowledged, through a client dialled through a
// follower: a follower may not have applied it yet, but a linearizable
// read goes to the leader and must find it every time.
func TestLinearizableConsumeSeesAcknowledgedProduces(t *testing.T) {
	c := startCluster(t, 3)
	cl := c.newClient(t, 1)
	waitForServers(t, cl, 3)
	for i := range 100 {
		value := fmt.Sprint("record ", i)
		off, err := cl.Produce(t.Context(), []byte(value))
		require.NoError(t, err)
		record, err := cl.Consume(t.Context(), off, client.Linearizable())
		require.NoError(t, err, "a linearizable read of offset %d, right after its produce was acknowledged", off)
		require.Equal(t, value, string(record.GetValue()))
	}
}
