#!/usr/bin/env bash
# Builds the binaries of the local control plane used by the e2e tests (etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, kubectl, kwok, kwokctl, metrics-server) from the
# pinned tool modules next to this script, through the Go module proxy only.
#
# Output goes to ${KUBECTL_DIRECTUS_TOOLS:-$HOME/.cache/kubectl-directus/tools}/<key>/, where
# <key> hashes the tool modules' go.mod and go.sum, the Go version and $recipe below, so a
# change to any of them builds into a fresh directory. Binaries already built there are kept.
# The directory also receives the manifests the harness needs from those modules:
#   manifests/metrics-server/   metrics-server's kustomize base (kwokctl renders it locally)
#   manifests/kwok-metrics.yaml kwok's Metric that serves kubelet-style resource metrics
#   manifests/kwok-usage.yaml   kwok's ClusterResourceUsage reading the usage annotations
#
# stdout: the bin directory, and nothing else. Progress goes to stderr.
# A cold build takes about 15-20 minutes on two idle cores, about 9 of them for the four
# Kubernetes binaries; with a warm Go build cache, relinking everything takes 1-2 minutes.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tools_root=${KUBECTL_DIRECTUS_TOOLS:-$HOME/.cache/kubectl-directus/tools}
modules=(etcd kube kwok metrics-server)
# recipe names how the binaries are built (flags, stamps, copied manifests): change it
# whenever that changes, so cached tools built the old way are not reused.
recipe="ldflags-version-stamps-1 manifests-1"

log() { printf 'build.sh: %s\n' "$*" >&2; }

# tool_key prints a short hash of everything that decides what the binaries are.
tool_key() {
  {
    for m in "${modules[@]}"; do
      cat "$here/$m/go.mod" "$here/$m/go.sum"
    done
    echo "$recipe"
    go version
  } | sha256sum | cut -c1-16
}

# module_version prints the version of module $2 as required by tool module $1.
module_version() {
  (cd "$here/$1" && go list -m -f '{{.Version}}' "$2")
}

# module_dir prints where module $2, required by tool module $1, sits in the module cache.
module_dir() {
  (cd "$here/$1" && go mod download "$2" && go list -m -f '{{.Dir}}' "$2")
}

# have reports whether every named binary already exists in the bin directory.
have() {
  local name
  for name in "$@"; do
    [[ -x "$bin/$name" ]] || return 1
  done
}

# build_into runs go build in tool module $1 with ldflags $2 for the packages that follow,
# writing into a scratch directory first so a half-written binary never lands in bin/.
build_into() {
  local module=$1 ldflags=$2
  shift 2
  local scratch
  scratch=$(mktemp -d "$out/.build.XXXXXX")
  log "building $* (module $module)"
  (cd "$here/$module" && go build -ldflags "$ldflags" -o "$scratch/" "$@")
  mv -f "$scratch"/* "$bin/"
  rmdir "$scratch"
}

build_etcd() {
  have etcd && return 0
  local scratch
  scratch=$(mktemp -d "$out/.build.XXXXXX")
  log "building etcd (module etcd)"
  # The package path ends in /v3, so name the output explicitly.
  (cd "$here/etcd" && go build -o "$scratch/etcd" go.etcd.io/etcd/server/v3)
  mv -f "$scratch/etcd" "$bin/etcd"
  rmdir "$scratch"
}

build_kube() {
  have kube-apiserver kube-controller-manager kube-scheduler kubectl && return 0
  local v major minor pkg flags=""
  v=$(module_version kube k8s.io/kubernetes)
  major=${v#v}; major=${major%%.*}
  minor=${v#v"$major".}; minor=${minor%%.*}
  # kwokctl picks component flags from each binary's --version, so stamp it as the Makefile
  # of Kubernetes does instead of leaving the development placeholder.
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$v -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
    flags+=" -X $pkg.gitTreeState=clean"
  done
  build_into kube "$flags" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
}

build_kwok() {
  have kwok kwokctl && return 0
  local v
  v=$(module_version kube k8s.io/kubernetes)
  # kwokctl's own default Kubernetes version is used only where a configuration leaves it
  # out; point it at the version built here all the same.
  build_into kwok "-X sigs.k8s.io/kwok/pkg/consts.KubeVersion=${v#v}" \
    sigs.k8s.io/kwok/cmd/kwok sigs.k8s.io/kwok/cmd/kwokctl
}

build_metrics_server() {
  have metrics-server && return 0
  local v
  v=$(module_version metrics-server sigs.k8s.io/metrics-server)
  build_into metrics-server "-X k8s.io/client-go/pkg/version.gitVersion=$v" \
    sigs.k8s.io/metrics-server/cmd/metrics-server
}

copy_manifests() {
  local ms kwok dest=$out/manifests
  [[ -f "$dest/kwok-usage.yaml" ]] && return 0
  ms=$(module_dir metrics-server sigs.k8s.io/metrics-server)
  kwok=$(module_dir kwok sigs.k8s.io/kwok)

  local scratch
  scratch=$(mktemp -d "$out/.manifests.XXXXXX")
  cp -R "$ms/manifests/base" "$scratch/metrics-server"
  cp "$kwok/kustomize/metrics/resource/metrics-resource.yaml" "$scratch/kwok-metrics.yaml"
  cp "$kwok/kustomize/metrics/usage/usage-from-annotation.yaml" "$scratch/kwok-usage.yaml"
  chmod -R u+w "$scratch"

  rm -rf "$dest"
  mv "$scratch" "$dest"
}

main() {
  local key start=$SECONDS
  key=$(tool_key)
  out=$tools_root/$key
  bin=$out/bin
  mkdir -p "$bin"

  # Several test binaries may call this at once: one builds, the others wait for it.
  exec 9>"$out/.lock"
  flock 9
  rm -rf "$out"/.build.* "$out"/.manifests.* # left by an interrupted run

  build_etcd
  build_kwok
  build_metrics_server
  build_kube
  copy_manifests

  log "tools ready in $bin ($((SECONDS - start))s)"
  printf '%s\n' "$bin"
}

main "$@"
