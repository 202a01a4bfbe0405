# kubectl-directus build, test and demo targets. `make help` lists them.

SHELL := /usr/bin/env bash
GO ?= go
BIN := bin/kubectl-directus
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo v0.0.0-dev)
COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo none)
DATE ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DATE)
# Go test timeout for the whole suite, e2e included.
TEST_TIMEOUT ?= 75m
# How long each fuzz target runs in `make fuzz` (and so in CI).
FUZZ_TIME ?= 20s

.PHONY: help build test unit e2e tools demo cluster lint fuzz bench clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

build: ## build the plugin into bin/
	CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/kubectl-directus

tools: ## build the local control plane's binaries (cached outside the repository)
	bash test/tools/build.sh >/dev/null

# The e2e suites find the control plane's binaries through KUBECTL_DIRECTUS_BIN.
WITH_TOOLS = KUBECTL_DIRECTUS_BIN="$$(bash test/tools/build.sh)"

unit: ## unit tests only (no cluster)
	$(GO) test -short ./...

test: lint tools ## everything: lint, unit tests, e2e on the local control plane, fuzz smoke
	$(WITH_TOOLS) $(GO) test -timeout $(TEST_TIMEOUT) ./...
	$(MAKE) fuzz

e2e: tools ## e2e suites only, on the local control plane
	$(WITH_TOOLS) $(GO) test -timeout $(TEST_TIMEOUT) ./test/...

fuzz: ## run every fuzz target for FUZZ_TIME
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$f ($(FUZZ_TIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZ_TIME) $$pkg; \
	  done; \
	done

lint: ## gofmt and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then \
	  echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

demo: build tools ## start a local cluster, deploy Directus, and show the HPA at work
	bash test/demo.sh

cluster: build tools ## start the local cluster for manual use; Ctrl-C deletes it
	$(WITH_TOOLS) $(GO) run ./test/localcluster

bench: build tools ## scale benchmark: 1,000 HPAs, 10,000 pods (prints a table)
	$(WITH_TOOLS) $(GO) test -run '^$$' -bench . -benchtime 1x -timeout 90m ./test/bench/

clean: ## remove build output
	rm -rf bin dist

-include dist.mk
