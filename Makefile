# Thin wrappers: every target is one or two commands you can also type.
# `make help` lists them.

WORKSHOP := go run ./tools/workshop

.PHONY: help test test-beside-faults test-packaging test-tool test-final test-faults test-compose test-deploy test-bench bench faults cluster image compose-certs verify status doctor prefetch generate

# The tag `make image` gives the image; `make image IMAGE=proglog:1.0` for another.
IMAGE ?= proglog:dev

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

test: test-tool verify test-final test-beside-faults ## every test and proof: what CI runs

# The fault battery spends most of its five minutes waiting out its
# clusters' runs of 60 s, so the packaging tests (compose, Helm, the
# benchmarks' smoke run: mostly downloads and compiles on a fresh machine)
# run beside it instead of after it, one after the other: about three
# minutes less on CI's two cores. The battery sizes its runs by
# acknowledged produces, not by time, so a busier machine makes them no
# weaker; test-final's in-process clusters, which are timing-sensitive,
# stay alone. Each step's output is printed whole when it ends.
test-beside-faults:
	$(MAKE) --no-print-directory -j2 --output-sync=target test-faults test-packaging

test-packaging: ## the compose cluster, the Helm chart and the benchmarks' smoke run, one after the other
	$(MAKE) --no-print-directory test-compose
	$(MAKE) --no-print-directory test-deploy
	$(MAKE) --no-print-directory test-bench

test-tool: ## the workshop tool's own tests
	go test -race ./tools/workshop/...

test-final: ## vet, gofmt and the tests of final/, the complete service
	cd final && go vet ./... && test -z "$$(gofmt -l .)" && go test -race -skip '^($(FAULT_TESTS)|TestComposeCluster)$$' ./...

# The fault battery's tests that run clusters of proglog processes; its
# checkers' own tests run with test-final.
FAULT_TESTS := TestQueueUnderFaults|TestQueueUnderPartitions|TestLinearizableReadsUnderFaults|TestLinearizableCheckCatchesFollowerReads|TestCoordinatedCrash|TestCoordinatedCrashSeesLostWrites|TestNodeRefusesDamagedRaftLog

# The fault battery runs clusters of its own processes for five minutes:
# apart from test-final, so that its load does not decide the timing of the
# in-process clusters of the other packages. The partition tests skip
# where the machine cannot make network namespaces, unless
# PROGLOG_REQUIRE_NETNS=1 (.ci/run sets it where it can).
test-faults: ## the fault battery of final/ at CI size: SIGKILL, SIGSTOP, partitions, linearizable reads, power cuts (about 5 min)
	cd final && go test -race -count=1 -timeout 20m -run '^($(FAULT_TESTS))$$' ./internal/faults

# Apart from test-final, so that the cluster's containers do not take the
# CPU from the timing-sensitive tests running beside them; -count=1 as a
# cached pass would say nothing about the Docker of today.
test-compose: ## the compose cluster of final/ in Docker (skips without Docker, unless PROGLOG_REQUIRE_DOCKER=1)
	cd final && go test -count=1 -run '^TestComposeCluster$$' ./deploy/compose

faults: ## the fault battery of final/ at full size: 3 runs of 60 s each, 40 power cuts, and more (see final/README.md)
	cd final && PROGLOG_FAULTS=long go test -race -count=1 -timeout 60m -v -run '^($(FAULT_TESTS))$$' ./internal/faults

# GOWORK=off: in the workspace, Helm's dependencies would raise the versions
# final/ and the chapters build with (go.etcd.io/bbolt among them), so the
# chart's module stays out of go.work and is tested on its own.
test-deploy: ## render the Helm chart of final/ and check every manifest
	cd final/deploy/helm && GOWORK=off go vet ./... && test -z "$$(gofmt -l .)" && GOWORK=off go test ./...

# Built, then run, rather than go run: go run exits 1 when Ctrl-C reaches
# it, even after the cluster stopped cleanly, and make then says Error 1.
cluster: ## a local 3-node cluster of final/ to try (Ctrl-C stops it; see final/README.md)
	go build -o bin/proglog ./final/cmd/proglog
	bin/proglog cluster

image: ## the container image of final/: a static binary built here, copied into FROM scratch
	cd final && mkdir -p build/data && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o build/proglog ./cmd/proglog
	docker build -t $(IMAGE) final

# The nodes run as user 65532, not the files' owner, so the files must be
# readable by all: right for a cluster on your own machine, not for
# production, where the orchestrator mounts secrets owned by the node's user.
compose-certs: ## certificates and gossip key of the compose cluster (final/deploy/compose/certs)
	cd final && go run ./cmd/proglog gencert --dir deploy/compose/certs --host node-1 --host node-2 --host node-3
	chmod 0755 final/deploy/compose/certs && chmod 0644 final/deploy/compose/certs/*

# GOWORK=off, as for test-deploy: in the workspace, the peers' dependencies
# would raise the versions final/ and the chapters build with.
test-bench: ## every benchmark of final/bench once, at tiny sizes, so none rots
	cd final/bench && GOWORK=off go vet ./... && test -z "$$(gofmt -l .)" && GOWORK=off go test -short ./...

bench: ## final/ against its peers: a table, and final/bench/results.json (see final/BENCHMARKS.md)
	cd final/bench && GOWORK=off go run ./cmd/bench -json results.json

verify: ## every proof on every chapter (see tools/workshop)
	$(WORKSHOP) verify

status: ## your progress in every chapter
	$(WORKSHOP) status

doctor: ## check this machine is ready for the workshop
	$(WORKSHOP) doctor

prefetch: ## download and build everything for an offline workshop
	$(WORKSHOP) prefetch

generate: ## regenerate stubs and protobuf code after editing a reference
	$(WORKSHOP) generate
