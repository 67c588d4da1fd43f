# Thin wrappers: every target is one or two commands you can also type.
# `make help` lists them.

WORKSHOP := go run ./tools/workshop

.PHONY: help test test-tool test-final test-deploy faults cluster verify status doctor prefetch generate

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

test: test-tool verify test-final test-deploy ## every test and proof: what CI runs

test-tool: ## the workshop tool's own tests
	go test -race ./tools/workshop/...

test-final: ## vet, gofmt and the tests of final/, the complete service
	cd final && go vet ./... && test -z "$$(gofmt -l .)" && go test -race ./...

faults: ## the fault battery of final/ at full size: 3 runs of 60 s (see final/README.md)
	cd final && PROGLOG_FAULTS=long go test -race -count=1 -timeout 30m -v -run TestQueueUnderFaults ./internal/faults

# GOWORK=off: in the workspace, Helm's dependencies would raise the versions
# final/ and the chapters build with (go.etcd.io/bbolt among them), so the
# chart's module stays out of go.work and is tested on its own.
test-deploy: ## render the Helm chart of final/ and check every manifest
	cd final/deploy/helm && GOWORK=off go vet ./... && test -z "$$(gofmt -l .)" && GOWORK=off go test ./...

cluster: ## a local 3-node cluster of final/ to try (Ctrl-C stops it; see final/README.md)
	go run ./final/cmd/proglog cluster

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
