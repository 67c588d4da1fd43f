//go:build unix

package faults

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/require"
)

// The battery's flags; each has an environment variable for runs through
// make or CI, where passing flags to one package is awkward.
var (
	seedFlag = flag.Uint64("faults.seed", 0, "seed of every run of the fault battery, to replay one (env PROGLOG_FAULTS_SEED; 0: a new seed per run)")
	longFlag = flag.Bool("faults.long", false, "run the fault battery at full size, 3 runs of 60 s (env PROGLOG_FAULTS=long)")
)

// longBatteryWanted reports whether the battery runs at full size.
func longBatteryWanted() bool {
	return *longFlag || os.Getenv("PROGLOG_FAULTS") == "long"
}

// batteryRun is one run of the battery: a cluster of nodes under the
// nemesis for duration.
type batteryRun struct {
	nodes    int
	duration time.Duration
}

// battery is a size of the battery: its runs, and the acknowledged
// produces each must reach for the run to count. A run lasts its
// duration, or longer, up to three times its duration, until it has them.
type battery struct {
	runs     []batteryRun
	minAcked int
	readers  int // linearizable readers beside the queue: see Queue.Readers
}

// The battery's sizes. At CI size it is one of the three runs of 60 s
// under mixed faults that the design asks of CI, each with at least 5,000
// acknowledged produces; the other two are TestQueueUnderPartitions'.
// The long size is three runs of its own.
var (
	ciBattery   = battery{runs: []batteryRun{{3, 60 * time.Second}}, minAcked: 5000}
	longBattery = battery{runs: []batteryRun{{3, 60 * time.Second}, {5, 60 * time.Second}, {3, 60 * time.Second}}, minAcked: 5000}
)

// The queue workload's size: enough producers that a produce is always
// under way during a fault, and consumers to see the log in order.
const (
	producers = 6
	consumers = 2
)

// TestQueueUnderFaults runs Jepsen's queue workload against clusters of
// real proglog processes while the nemesis kills leaders and followers and
// pauses leaders, then checks the history: every acknowledged produce in
// the log once at its offset, nothing else there but produces that may
// have happened, offsets dense, replicas identical, every consumer's reads
// in order. A failed run keeps its directory: history.json, anomalies.txt,
// each node's log and data.
func TestQueueUnderFaults(t *testing.T) {
	size := ciBattery
	if longBatteryWanted() {
		size = longBattery
	}
	bin := proglogBinary(t)
	for i, run := range size.runs {
		t.Run(fmt.Sprintf("run%d-%dnodes", i+1, run.nodes), func(t *testing.T) {
			runQueueUnderFaults(t, StartCluster, bin, run, size)
		})
	}
}

// startFunc starts a cluster of n nodes from bin: [StartCluster] or
// [StartPartitionableCluster].
type startFunc func(t testing.TB, bin string, n int) *Cluster

// runQueueUnderFaults is one run of TestQueueUnderFaults or
// TestQueueUnderPartitions, on a cluster start starts.
// With readers, it checks the history's linearizability too.
func runQueueUnderFaults(t *testing.T, start startFunc, bin string, run batteryRun, size battery) {
	seed := batterySeed(t)
	t.Logf("seed %d: replay with -faults.seed=%d or PROGLOG_FAULTS_SEED=%d", seed, seed, seed)
	c := start(t, bin, run.nodes)
	h := &History{}
	var (
		anomalies []Anomaly
		lin       *Linearizability
	)
	t.Cleanup(func() {
		if t.Failed() {
			keepFailure(t, c.Dir, seed, h, anomalies, lin)
		}
	})
	nemesis := &Nemesis{Cluster: c, History: h, Rand: rand.New(rand.NewPCG(seed, seed)), Logf: t.Logf}
	t.Logf("nemesis: %s", nemesis)
	queue := &Queue{Cluster: c, History: h, Producers: producers, Consumers: consumers, Readers: size.readers, MinAcked: size.minAcked, MaxDuration: 3 * run.duration}
	ctx, cancel := context.WithTimeout(t.Context(), queue.MaxDuration+5*Converge)
	defer cancel()
	var injected int
	started := time.Now()
	err := queue.Run(ctx, func(ctx context.Context) error {
		var err error
		injected, err = nemesis.Run(ctx)
		return err
	}, run.duration)
	require.NoError(t, err)
	require.Empty(t, c.UnexpectedExits(), "a node ended that the nemesis did not kill")

	anomalies = Check(h)
	t.Logf("%s under faults and healing: %s", time.Since(started).Round(time.Second), summary(h, injected))
	require.Empty(t, anomalies, "anomalies (history.json in the kept directory holds the run)")
	if size.readers > 0 {
		lin = CheckLinearizable(h, linearizableCheckTimeout)
		t.Logf("linearizability: %s", lin)
		require.Equal(t, porcupine.Ok, lin.Result, "the history is not linearizable (linearizability.html in the kept directory shows it)")
		require.Positive(t, lin.Reads, "no linearizable read was answered")
	}
	require.Positive(t, injected, "the nemesis injected no fault")
	require.GreaterOrEqual(t, h.Acknowledged(), size.minAcked, "too few acknowledged produces for the run to count")
}

// linearizableCheckTimeout bounds porcupine's check of a run's history:
// a minute's history of the log model takes it seconds.
const linearizableCheckTimeout = 3 * time.Minute

// batterySeed returns the seed of a run: the flag's, the environment's,
// or a new one.
func batterySeed(t *testing.T) uint64 {
	t.Helper()
	if *seedFlag != 0 {
		return *seedFlag
	}
	if env := os.Getenv("PROGLOG_FAULTS_SEED"); env != "" {
		seed, err := strconv.ParseUint(env, 10, 64)
		require.NoError(t, err, "PROGLOG_FAULTS_SEED must be a number")
		return seed
	}
	return rand.Uint64()
}

// faultKinds are the starts of the nemesis's events that inject a fault,
// one for each kind, for the summary of a run.
var faultKinds = []string{"killed the leader", "killed a follower", "killed a minority", "paused the leader", "isolated the leader", "split a minority off", "flapping the link", "cut the power of every node"}

// summary describes a finished run in one line.
func summary(h *History, injected int) string {
	var kinds []string
	for _, kind := range faultKinds {
		n := 0
		for _, e := range h.Events {
			if strings.HasPrefix(e.What, kind) {
				n++
			}
		}
		if n > 0 {
			kinds = append(kinds, fmt.Sprintf("%s %d", kind, n))
		}
	}
	outcomes := map[Outcome]int{}
	for _, op := range h.Produces {
		outcomes[op.Outcome]++
	}
	var reads []string
	for _, r := range h.Reads {
		reads = append(reads, strconv.Itoa(len(r)))
	}
	var length int
	for _, log := range h.Replicas {
		length = len(log)
	}
	return fmt.Sprintf("%d faults (%s); produces: %d acknowledged, %d unknown, %d refused; log of %d records on each of %d nodes; consumers read %s records",
		injected, strings.Join(kinds, ", "), outcomes[OK], outcomes[Unknown], outcomes[Fail], length, len(h.Replicas), strings.Join(reads, " and "))
}

// keepFailure writes what a person needs to look into a failed run into
// dir, which the cluster keeps: the seed, the history and the anomalies,
// and porcupine's visualisation of the history if lin, the verdict of its
// linearizability check, is not Ok.
func keepFailure(t *testing.T, dir string, seed uint64, h *History, anomalies []Anomaly, lin *Linearizability) {
	var lines []string
	for _, a := range anomalies {
		lines = append(lines, a.String())
	}
	files := map[string]string{
		"seed.txt":      strconv.FormatUint(seed, 10) + "\n",
		"anomalies.txt": strings.Join(lines, "\n") + "\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Errorf("keep the failed run: %v", err)
		}
	}
	if err := h.WriteFile(filepath.Join(dir, "history.json")); err != nil {
		t.Errorf("keep the failed run: %v", err)
	}
	if lin != nil && lin.Result != porcupine.Ok {
		if err := lin.WriteHTML(filepath.Join(dir, linearizabilityHTML)); err != nil {
			t.Errorf("keep the failed run: %v", err)
		}
	}
}

// linearizabilityHTML is the file of a failed run's directory that holds
// porcupine's visualisation of its history.
const linearizabilityHTML = "linearizability.html"
