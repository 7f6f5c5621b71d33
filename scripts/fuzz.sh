#!/bin/sh
# Run every libFuzzer target of tests/fuzz (quantity, env, state, ops, plan, cortex, cortex-gen), and ncg-scheduler's Go fuzz targets, for SECONDS seconds each (default
# 60): scripts/fuzz.sh [SECONDS] [TARGET...]
# Builds build-fuzz with clang first (-Dfuzz=true, ASan+UBSan). New inputs go to build-fuzz/corpus/TARGET (the seed
# corpus in tests/fuzz/corpus/TARGET is only read); a crash leaves crash-* in build-fuzz/artifacts/ and fails the
# script. The Go targets (go:FuzzDecodeArgs, go:FuzzStatePods, in bindings/go/cmd/ncg-scheduler, against the
# library of ./build) keep what they find in Go's cache, and a failing input in the package's testdata/fuzz/.
# Executions per target are printed as "fuzz TARGET: N executions in S s".
set -eu
cd "$(dirname "$0")/.."
secs=${1:-60}
[ $# -gt 0 ] && shift
gotargets=""
if command -v go >/dev/null 2>&1; then gotargets="go:FuzzDecodeArgs go:FuzzStatePods"; fi
targets=${*:-quantity env state ops plan cortex cortex-gen $gotargets}
cfuzz=""
for t in $targets; do case $t in go:*) ;; *) cfuzz="$cfuzz $t";; esac; done
set -- $targets
targets=$cfuzz
if [ ! -d build-fuzz ]; then
    CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
for t in $targets; do
    meson compile -C build-fuzz "tests/fuzz/fuzz-$t" >/dev/null
done
mkdir -p build-fuzz/artifacts
status=0
for t in $targets; do
    mkdir -p "build-fuzz/corpus/$t"
    log="build-fuzz/fuzz-$t.log"
    # ops: entropic scheduling costs more than the runs themselves on this target's many features
    opts=""; case $t in ops | plan | cortex | cortex-gen) opts="-entropic=0" ;; esac
    if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        "build-fuzz/tests/fuzz/fuzz-$t" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix=build-fuzz/artifacts/ $opts \
        "build-fuzz/corpus/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1; then
        :
    else
        status=1
        echo "fuzz $t: FAILED, see $log" >&2
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    echo "fuzz $t: ${runs:-0} executions in $secs s"
done
for t in "$@"; do
    case $t in go:*) ;; *) continue;; esac
    f=${t#go:}
    [ -f build/build.ninja ] || ./scripts/build.sh >/dev/null
    meson compile -C build >/dev/null
    log="build/fuzz-$f.log"
    root=$PWD
    if (cd bindings/go/cmd/ncg-scheduler && CGO_ENABLED=1 GOFLAGS=-mod=mod GOTOOLCHAIN=local \
        PKG_CONFIG_PATH=$root/build/meson-uninstalled LD_LIBRARY_PATH=$root/build/src \
        go test -run '^$' -fuzz "^$f\$" -fuzztime "${secs}s" .) >"$log" 2>&1; then
        :
    else
        status=1
        echo "fuzz $t: FAILED, see $log" >&2
    fi
    runs=$(sed -n 's/.*execs: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
    echo "fuzz $t: ${runs:-0} executions in $secs s"
done
exit $status
