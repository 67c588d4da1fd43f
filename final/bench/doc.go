// Package bench measures final/'s service against peers that do the same
// work: github.com/tidwall/wal and github.com/hashicorp/raft-wal for the
// log, a bare gRPC service over the same mutual TLS for the RPCs, and an
// embedded three-server NATS JetStream cluster for the replicated log.
//
// Every measurement is a [Case]: a system set up in a directory of its
// own ([Case.Setup]) and an operation run a bounded number of times by a
// number of callers ([Measure]). The go test -bench functions of this
// package and the bench command (cmd/bench) run the same cases, so the
// table the command prints is what the benchmarks measure. Cases of one
// [Row] are compared as ratios of records per second, measured in the same
// process one after the other.
//
// The package lives in a module of its own so that the peers never enter
// the service's go.mod.
package bench
