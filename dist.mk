# Release archives and the krew plugin manifest. The Makefile includes this file.
#
#   make dist            one .tar.gz per platform (binary, LICENSE, completion script) and a
#                        sha256 sums file, in $(DIST_DIR)
#   make krew-manifest   $(DIST_DIR)/directus.yaml for $(DIST_VERSION), from the sums that
#                        `make dist` wrote
#   make krew-validate   krew's own validator on that manifest (structure and selectors only;
#                        test/krew installs archives with krew for real)
#
# The version must be semantic with a leading v, as krew requires: VERSION when it is one (a
# v-tag found by `git describe`, or `make dist VERSION=v1.2.3`), else v0.0.0-dev. The build
# date is the commit's, not the clock's, so one commit always gives byte-identical archives.

DIST_GIT_VERSION := $(shell git describe --tags --always --dirty 2>/dev/null)
DIST_GIT_COMMIT := $(shell git rev-parse --short HEAD 2>/dev/null)
DIST_GIT_DATE := $(shell TZ=UTC git log -1 --format=%cd \
	--date=format-local:%Y-%m-%dT%H:%M:%SZ 2>/dev/null)

GO ?= go
VERSION ?= $(DIST_GIT_VERSION)
DIST_VERSION ?= $(if $(filter v%,$(VERSION)),$(VERSION),v0.0.0-dev)
DIST_COMMIT ?= $(or $(COMMIT),$(DIST_GIT_COMMIT),none)
DIST_DATE ?= $(or $(DIST_GIT_DATE),1970-01-01T00:00:00Z)
DIST_DIR ?= dist
DIST_PLATFORMS ?= linux/amd64,linux/arm64,darwin/amd64,darwin/arm64,windows/amd64,windows/arm64
KREW_BASE_URL ?= https://github.com/kubectl-directus/kubectl-directus/releases/download/$(DIST_VERSION)

.PHONY: dist krew-manifest krew-validate

dist: ## release archives for every platform, with sha256 sums, in dist/
	$(GO) run ./hack/dist build -version=$(DIST_VERSION) -commit=$(DIST_COMMIT) -date=$(DIST_DATE) \
		-platforms=$(DIST_PLATFORMS) -out=$(DIST_DIR)

krew-manifest: ## the krew plugin manifest for the archives in dist/
	$(GO) run ./hack/dist manifest -version=$(DIST_VERSION) -base-url=$(KREW_BASE_URL) \
		-platforms=$(DIST_PLATFORMS) -dist=$(DIST_DIR) -out=$(DIST_DIR)/directus.yaml

krew-validate: krew-manifest ## check that manifest with krew's own validator
	$(GO) -C test/tools/krew tool validate-krew-manifest -skip-install \
		-manifest=$(abspath $(DIST_DIR))/directus.yaml
