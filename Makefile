# Thin wrappers: every target is one or two commands you can also type.
# `make help` lists them.

WORKSHOP := go run ./tools/workshop

.PHONY: help test test-tool test-final test-bench bench verify status doctor prefetch generate

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

test: test-tool verify test-final test-bench ## every test and proof: what CI runs

test-tool: ## the workshop tool's own tests
	go test -race ./tools/workshop/...

test-final: ## vet, gofmt and the tests of final/, the complete service
	cd final && go vet ./... && test -z "$$(gofmt -l .)" && go test -race ./...

test-bench: ## every benchmark of final/bench once, at tiny sizes, so none rots
	cd final/bench && go test -short ./...

bench: ## final/ against its peers: a table, and final/bench/results.json (see final/BENCHMARKS.md)
	go run ./final/bench/cmd/bench -json final/bench/results.json

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
