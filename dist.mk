# Release archives and the krew plugin manifest. The Makefile includes this file.
#
#   make dist            one .tar.gz per platform (binary, LICENSE, completion script) and a
#                        sha256 sums file, in $(DIST_DIR)
#   make krew-manifest   $(DIST_DIR)/directus.yaml for $(VERSION), from the sums of `make dist`
#   make krew-validate   krew's own validator on that manifest (structure and selectors only;
#                        test/krew installs archives with krew for real)
#
# VERSION must be a semantic version with a leading v. It defaults to `git describe` when the
# tree carries a v-tag, else to v0.0.0-dev. The build date is the commit's, so one commit
# always gives byte-identical archives.

DIST_GIT_VERSION := $(shell git describe --tags --always --dirty 2>/dev/null | grep '^v[0-9]')
DIST_GIT_COMMIT := $(shell git rev-parse --short HEAD 2>/dev/null || echo none)
DIST_GIT_DATE := $(shell TZ=UTC git log -1 --format=%cd \
	--date=format-local:%Y-%m-%dT%H:%M:%SZ 2>/dev/null)

VERSION ?= $(or $(DIST_GIT_VERSION),v0.0.0-dev)
DIST_COMMIT ?= $(DIST_GIT_COMMIT)
DIST_DATE ?= $(or $(DIST_GIT_DATE),1970-01-01T00:00:00Z)
DIST_DIR ?= dist
DIST_PLATFORMS ?= linux/amd64,linux/arm64,darwin/amd64,darwin/arm64,windows/amd64,windows/arm64
KREW_BASE_URL ?= https://github.com/kubectl-directus/kubectl-directus/releases/download/$(VERSION)

.PHONY: dist krew-manifest krew-validate

dist:
	go run ./hack/dist build -version=$(VERSION) -commit=$(DIST_COMMIT) -date=$(DIST_DATE) \
		-platforms=$(DIST_PLATFORMS) -out=$(DIST_DIR)

krew-manifest:
	go run ./hack/dist manifest -version=$(VERSION) -base-url=$(KREW_BASE_URL) \
		-platforms=$(DIST_PLATFORMS) -dist=$(DIST_DIR) -out=$(DIST_DIR)/directus.yaml

krew-validate: krew-manifest
	go -C test/tools/krew tool validate-krew-manifest -skip-install \
		-manifest=$(abspath $(DIST_DIR))/directus.yaml
