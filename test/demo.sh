#!/usr/bin/env bash
# Starts the local control plane, deploys Directus with the plugin, puts load on its pods and
# shows the real HPA controller scaling the Deployment; everything is removed at the end.
# Run it with `make demo` (the plugin and the control plane's tools are built first).
set -euo pipefail
cd "$(dirname "$0")/.."

KUBECTL_DIRECTUS_BIN="${KUBECTL_DIRECTUS_BIN:-$(bash test/tools/build.sh)}"
export KUBECTL_DIRECTUS_BIN KUBECTL_DIRECTUS_DEMO=1
exec go test -count=1 -v -timeout 30m -run '^TestDemo$' ./test/demo/
