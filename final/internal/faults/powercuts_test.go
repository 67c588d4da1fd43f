//go:build unix

package faults

import (
	"context"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The coordinated crash's sizes: power cuts of a cluster of 3, and, in the
// negative control, cuts of a cluster whose Raft log does not sync before
// it acknowledges. The long sizes run with -faults.long (make faults).
const (
	ciPowerCuts, longPowerCuts         = 10, 40
	ciLazyPowerCuts, longLazyPowerCuts = 3, 10
	powerCutNodes                      = 3
	powerCutMaxDuration                = 10 * time.Minute
)

// TestCoordinatedCrash cuts the power of a whole cluster of real proglog
// processes, again and again, while the queue workload produces: every
// node killed at the same instant, the bytes its log never synced dropped
// ([CutToSynced]), every node started again. Then it checks the history:
// no acknowledged record lost, and the other promises of the queue
// workload kept.
func TestCoordinatedCrash(t *testing.T) {
	cycles := ciPowerCuts
	if fullSize() {
		cycles = longPowerCuts
	}
	h, anomalies := runPowerCuts(t, taggedBinary(t, "crashfs"), cycles)
	require.Empty(t, anomalies, "anomalies after %d power cuts (history.json in the kept directory holds the run)", cycles)
	require.Positive(t, h.Acknowledged())
}

// TestCoordinatedCrashSeesLostWrites is the negative control of
// TestCoordinatedCrash: the same power cuts, of nodes built to acknowledge
// entries before syncing them (syncing every half second in the
// background instead, see internal/log/lazysync.go). The checker must
// find acknowledged records lost: if it did not, TestCoordinatedCrash
// passing would prove nothing.
func TestCoordinatedCrashSeesLostWrites(t *testing.T) {
	cycles := ciLazyPowerCuts
	if fullSize() {
		cycles = longLazyPowerCuts
	}
	_, anomalies := runPowerCuts(t, taggedBinary(t, "crashfs", "crashfs_lazysync"), cycles)
	lost := 0
	for _, a := range anomalies {
		if a.Kind == Lost {
			lost++
		}
	}
	for i, a := range anomalies {
		if i == 5 {
			t.Logf("… and %d more", len(anomalies)-i)
			break
		}
		t.Logf("found, as it must: %s", a)
	}
	t.Logf("%d acknowledged records lost, %d anomalies in all, after %d power cuts without sync before acknowledge", lost, len(anomalies), cycles)
	require.Positive(t, lost, "power cuts of nodes that do not sync before they acknowledge must lose acknowledged records, and the checker must see it")
}

// runPowerCuts runs the queue workload on a new cluster of nodes built as
// bin while [PowerCuts] cuts its power cycles times, and returns the
// history and its anomalies. A failed test keeps the cluster's directory,
// with the history, as [TestQueueUnderFaults] does.
func runPowerCuts(t *testing.T, bin string, cycles int) (*History, []Anomaly) {
	seed := batterySeed(t)
	t.Logf("seed %d: replay with -faults.seed=%d or PROGLOG_FAULTS_SEED=%d", seed, seed, seed)
	c := StartCluster(t, bin, powerCutNodes)
	h := &History{}
	var anomalies []Anomaly
	t.Cleanup(func() {
		if t.Failed() {
			keepFailure(t, c.Dir, seed, h, anomalies, nil)
		}
	})
	nemesis := &Nemesis{Cluster: c, History: h, Rand: rand.New(rand.NewPCG(seed, seed)), Logf: t.Logf}
	cuts := &PowerCuts{Cluster: c, History: h, Cycles: cycles, Nemesis: nemesis}
	queue := &Queue{Cluster: c, History: h, Producers: producers, Consumers: consumers, MaxDuration: powerCutMaxDuration}
	ctx, cancel := context.WithTimeout(t.Context(), powerCutMaxDuration+5*Converge)
	defer cancel()
	var made int
	started := time.Now()
	err := queue.Run(ctx, func(ctx context.Context) error {
		var err error
		made, err = cuts.Run(ctx)
		return err
	}, powerCutMaxDuration)
	require.NoError(t, err)
	require.Empty(t, c.UnexpectedExits(), "a node ended that the power cuts did not kill")
	require.Equal(t, cycles, made, "the run ended before its power cuts were made")
	anomalies = Check(h)
	t.Logf("%s under power cuts: %s", time.Since(started).Round(time.Second), summary(h, made))
	return h, anomalies
}

// fullSize reports whether the battery runs at full size.
func fullSize() bool {
	return *longFlag || os.Getenv("PROGLOG_FAULTS") == "long"
}

// taggedBinary builds the proglog binary with build tags into a directory
// of the test's own.
func taggedBinary(t *testing.T, tags ...string) string {
	t.Helper()
	bin, err := Build(t.TempDir(), tags...)
	require.NoError(t, err)
	return bin
}
