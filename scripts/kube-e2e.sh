#!/bin/sh
# Build and run the end-to-end suite of ncg-scheduler (tests/kube, doc/scheduler.md "End-to-end suite"): a real
# control plane (etcd, kube-apiserver, kube-scheduler) built from the Go module proxy, helm v4, ncg-scheduler on
# the library of ./build ($NCG_BUILD_DIR), then the scenarios. Figures and logs go to build/kube-e2e/
# (results.md: the figures).
#
#   scripts/kube-e2e.sh [go test flags...]      e.g. -run 'TestEndToEnd/burst'
#
# The first run downloads and compiles Kubernetes (10 to 17 minutes on 2 cores); Go's build cache keeps it, so
# later runs build in seconds.
set -eu
cd "$(dirname "$0")/.."
root=$PWD
KUBERNETES_VERSION=v1.36.3   # tests/kube/go.mod requires it; deploy/helm's kube-scheduler image names it too
HELM_VERSION=v4.3.2
build=${NCG_BUILD_DIR:-$root/build}   # the libncg build to use (meson test sets it)
command -v go >/dev/null 2>&1 || { echo "kube-e2e: Go is needed (https://go.dev/dl)" >&2; exit 1; }
if [ -z "${NCG_BUILD_DIR:-}" ]; then
    [ -f build/build.ninja ] || ./scripts/build.sh
    meson compile -C build >/dev/null
fi
out=$build/kube-e2e
bin=$out/bin
mkdir -p "$bin"
rm -rf "$out/cluster" "$out/helm-home"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=1
echo "kube-e2e: building ncg-scheduler" >&2
(cd bindings/go/cmd/ncg-scheduler &&
    PKG_CONFIG_PATH=$build/meson-uninstalled \
    go build -trimpath -ldflags "-X main.Version=$(git -C "$root" describe --always --dirty 2>/dev/null || echo devel)" \
        -o "$bin/ncg-scheduler" .)
echo "kube-e2e: building the control plane (Kubernetes $KUBERNETES_VERSION; the first time takes minutes)" >&2
v=k8s.io/component-base/version
minor=$(echo $KUBERNETES_VERSION | cut -d. -f2)
(cd tests/kube && go build -trimpath -ldflags "-X $v.gitVersion=$KUBERNETES_VERSION -X $v.gitMajor=1 -X $v.gitMinor=$minor \
    -X $v.gitTreeState=clean" -o "$bin/controlplane" ./cmd/controlplane)
if [ ! -x "$bin/helm" ] || [ "$(cat "$bin/helm.version" 2>/dev/null)" != "$HELM_VERSION" ]; then
    echo "kube-e2e: building helm $HELM_VERSION" >&2
    GOBIN=$bin GOFLAGS= go install "helm.sh/helm/v4/cmd/helm@$HELM_VERSION"
    echo "$HELM_VERSION" > "$bin/helm.version"
fi
export NCG_E2E_CONTROLPLANE=$bin/controlplane NCG_E2E_SCHEDULER=$bin/ncg-scheduler NCG_E2E_HELM=$bin/helm \
    NCG_E2E_CHART=$root/deploy/helm/ncg-scheduler NCG_E2E_EXAMPLES=$root/examples/kubernetes \
    NCG_E2E_LD_LIBRARY_PATH=$build/src NCG_E2E_OUT=$out
cd tests/kube
# The figures and the failures on the terminal, everything in test.log.
go test -count=1 -v -timeout 60m "$@" . 2>&1 | tee "$out/test.log" |
    grep -E '^(=== RUN|--- |e2e: |PASS|FAIL|ok|panic)|_test.go:[0-9]+:' || true
if ! grep -q '^ok ' "$out/test.log"; then
    echo "kube-e2e: FAILED; the test's output in $out/test.log, the processes' logs in $out/cluster/" >&2
    exit 1
fi
echo "kube-e2e: passed; figures in $out/results.md" >&2
