//go:build unix

package faults

import (
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

// The partition battery's sizes. At CI size, two of the three runs of
// 60 s under mixed faults (kills, pauses and partitions) that the design
// asks of CI, each with at least 5,000 acknowledged produces; the third
// is TestQueueUnderFaults'. The long size is three runs of its own.
var (
	ciPartitionBattery   = battery{runs: []batteryRun{{3, 60 * time.Second}, {5, 60 * time.Second}}, minAcked: 5000}
	longPartitionBattery = battery{runs: []batteryRun{{3, 60 * time.Second}, {5, 60 * time.Second}, {3, 60 * time.Second}}, minAcked: 5000}
)

// requireNetnsEnv names the environment variable that makes a machine
// unable to make network namespaces fail the partition tests instead of
// skipping them: CI sets it where it can make them, so that they cannot
// silently stop running there.
const requireNetnsEnv = "PROGLOG_REQUIRE_NETNS"

// netnsUsable is [NetnsUsable], asked once per test binary.
var netnsUsable = sync.OnceValue(NetnsUsable)

// requireNetns skips t, with one line saying why, if this machine cannot
// make network namespaces; it fails t instead if requireNetnsEnv is 1.
func requireNetns(t *testing.T) {
	t.Helper()
	err := netnsUsable()
	if err == nil {
		return
	}
	if os.Getenv(requireNetnsEnv) == "1" {
		t.Fatalf("%s=1, but this machine cannot partition a cluster: %v", requireNetnsEnv, err)
	}
	t.Skipf("partitions need network namespaces, and this machine cannot make them: %v", err)
}

// TestQueueUnderPartitions is TestQueueUnderFaults on clusters whose
// nodes each run in a network namespace of their own, so that the
// nemesis can also cut links for real: the leader isolated, a minority
// split off, a link flapping, mixed with the kills and pauses.
func TestQueueUnderPartitions(t *testing.T) {
	requireNetns(t)
	size := ciPartitionBattery
	if longBatteryWanted() {
		size = longPartitionBattery
	}
	bin := proglogBinary(t)
	for i, run := range size.runs {
		t.Run(fmt.Sprintf("run%d-%dnodes", i+1, run.nodes), func(t *testing.T) {
			runQueueUnderFaults(t, StartPartitionableCluster, bin, run, size)
		})
	}
}
