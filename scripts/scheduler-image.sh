#!/bin/sh
# Build ncg-scheduler's container image (an OCI image) without a container engine or registry:
#
#   scripts/scheduler-image.sh [--tag TAG] [--out DIR]   build the image: DIR/oci (an OCI layout) and
#                                                        DIR/ncg-scheduler-TAG.oci.tar (an oci-archive)
#   scripts/scheduler-image.sh --rootfs-only DIR         only the image's root filesystem, in DIR (deploy/Dockerfile)
#   scripts/scheduler-image.sh --test [--out DIR]        build, unpack the image, run ncg-scheduler --version in it
#
# The image: libncg (a release build) and ncg-scheduler (cgo), on a glibc runtime made of Debian's libc6,
# base-files and netbase packages (apt-get download, extracted as dpkg-deb does); user 65532, entrypoint
# /usr/local/bin/ncg-scheduler. umoci, from the Go module proxy, writes the OCI layout. Load it with
# `skopeo copy oci-archive:DIR/ncg-scheduler-TAG.oci.tar docker://REGISTRY/ncg-scheduler:TAG`, or
# `podman load -i ...`. Users with Docker build the same image from deploy/Dockerfile.
set -eu
cd "$(dirname "$0")/.."
root=$PWD
UMOCI_VERSION=v0.6.0
UMOCI_REPLACE="github.com/vbatts/go-mtree => github.com/cyphar/go-mtree v0.0.0-20250928235313-918fa724e2fe"
RUNTIME_PACKAGES="libc6 base-files netbase"
version=$(sed -n "s/^ *version: '\([^']*\)'.*/\1/p" meson.build | head -n 1)
tag=$version out=$root/build/image rootfs_only="" test=""
while [ $# -gt 0 ]; do
    case $1 in
        --tag) tag=$2; shift 2;;
        --out) out=$2; shift 2;;
        --rootfs-only) rootfs_only=$2; shift 2;;
        --test) test=1; shift;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0;;
        *) echo "scheduler-image: unknown argument $1 (see --help)" >&2; exit 2;;
    esac
done
for tool in go meson ninja pkg-config apt-get dpkg-deb; do
    command -v $tool >/dev/null 2>&1 || { echo "scheduler-image: $tool is needed" >&2; exit 1; }
done
mkdir -p "$out"
out=$(cd "$out" && pwd)

# 1. libncg, release, into a staging prefix; ncg-scheduler against it, finding libncg.so.2 in /usr/local/lib.
stage=$out/stage
rm -rf "$stage"
if [ ! -f "$out/libncg-build/build.ninja" ]; then
    meson setup "$out/libncg-build" --buildtype=release -Dtests=false -Dcli=disabled --prefix=/usr/local \
        --libdir=lib >/dev/null
fi
meson compile -C "$out/libncg-build" >/dev/null
DESTDIR=$stage meson install -C "$out/libncg-build" --no-rebuild >/dev/null
echo "scheduler-image: building ncg-scheduler $tag" >&2
(cd bindings/go/cmd/ncg-scheduler &&
    CGO_ENABLED=1 GOFLAGS=-mod=mod PKG_CONFIG_PATH=$stage/usr/local/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$stage \
    CGO_LDFLAGS="-Wl,-rpath,/usr/local/lib" \
    go build -trimpath -ldflags "-s -w -X main.Version=$tag" -o "$stage/usr/local/bin/ncg-scheduler" .)

# 2. The root filesystem: the runtime packages, then libncg and ncg-scheduler.
rootfs=${rootfs_only:-$out/rootfs}
rm -rf "$rootfs"
mkdir -p "$rootfs" "$out/debs"
chmod 777 "$out/debs" # apt-get download runs as _apt where it can
(cd "$out/debs" && rm -f ./*.deb && apt-get download $RUNTIME_PACKAGES >/dev/null 2>&1) || {
    apt-get update -qq && (cd "$out/debs" && apt-get download $RUNTIME_PACKAGES >/dev/null)
}
for deb in "$out"/debs/*.deb; do
    dpkg-deb -x "$deb" "$rootfs"
done
mkdir -p "$rootfs/usr/local/bin" "$rootfs/usr/local/lib" "$rootfs/tmp" "$rootfs/etc"
chmod 1777 "$rootfs/tmp"
cp -P "$stage"/usr/local/lib/libncg.so* "$rootfs/usr/local/lib/"
cp "$stage/usr/local/bin/ncg-scheduler" "$rootfs/usr/local/bin/"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' \
    > "$rootfs/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' > "$rootfs/etc/group"
# Licences beside what they cover: Debian's are in usr/share/doc of each package.
mkdir -p "$rootfs/usr/share/doc/libncg"
cp data/ec2/LICENSE "$rootfs/usr/share/doc/libncg/LICENSE-ec2-data"
[ -n "$rootfs_only" ] && { echo "scheduler-image: root filesystem in $rootfs" >&2; exit 0; }

# 3. The OCI image, with umoci.
umoci=$out/bin/umoci
if [ ! -x "$umoci" ] || [ "$(cat "$out/bin/umoci.version" 2>/dev/null)" != "$UMOCI_VERSION" ]; then
    echo "scheduler-image: building umoci $UMOCI_VERSION" >&2
    # umoci's go.mod replaces go-mtree by a fork, which `go install PKG@VERSION` refuses: a module of our own
    # requires umoci and repeats the replacement.
    src=$out/umoci-src
    rm -rf "$src"
    mkdir -p "$src" "$out/bin"
    printf 'module ncg-image-tools\n\ngo 1.24\n\nrequire github.com/opencontainers/umoci %s\n\nreplace %s\n' \
        "$UMOCI_VERSION" "$UMOCI_REPLACE" > "$src/go.mod"
    printf 'package tools\n\nimport _ "github.com/opencontainers/umoci/cmd/umoci"\n' > "$src/tools.go"
    (cd "$src" && GOFLAGS=-mod=mod go mod tidy >/dev/null 2>&1 && GOFLAGS=-mod=mod go build -trimpath \
        -o "$out/bin/umoci" github.com/opencontainers/umoci/cmd/umoci)
    echo "$UMOCI_VERSION" > "$out/bin/umoci.version"
fi
rm -rf "$out/oci"
"$umoci" init --layout "$out/oci"
"$umoci" new --image "$out/oci:$tag"
"$umoci" insert --image "$out/oci:$tag" "$rootfs" /
"$umoci" config --image "$out/oci:$tag" --os linux --architecture amd64 --author "libncg" \
    --config.entrypoint /usr/local/bin/ncg-scheduler --config.user 65532:65532 --config.workingdir / \
    --config.label org.opencontainers.image.title=ncg-scheduler \
    --config.label "org.opencontainers.image.description=Kubernetes scheduler extender for AWS Neuron, on libncg" \
    --config.label org.opencontainers.image.version="$tag" \
    --config.label org.opencontainers.image.source=https://github.com/libncg/libncg
"$umoci" gc --layout "$out/oci"
tar -C "$out/oci" -cf "$out/ncg-scheduler-$tag.oci.tar" .
echo "scheduler-image: $out/oci:$tag and $out/ncg-scheduler-$tag.oci.tar" >&2

[ -z "$test" ] && exit 0
# 4. The test: unpack the image as a runtime would and run the binary in its root filesystem.
rm -rf "$out/bundle"
if [ "$(id -u)" -eq 0 ]; then
    "$umoci" unpack --image "$out/oci:$tag" "$out/bundle" >/dev/null
    got=$(chroot --userspec=65532:65532 "$out/bundle/rootfs" /usr/local/bin/ncg-scheduler --version)
else
    "$umoci" unpack --rootless --image "$out/oci:$tag" "$out/bundle" >/dev/null
    r=$out/bundle/rootfs
    got=$("$r/lib64/ld-linux-x86-64.so.2" --library-path "$r/lib/x86_64-linux-gnu:$r/usr/local/lib" \
        "$r/usr/local/bin/ncg-scheduler" --version)
fi
echo "$got"
case $got in
    "ncg-scheduler $tag (libncg $version)") echo "scheduler-image: the image runs" >&2;;
    *) echo "scheduler-image: unexpected output: $got" >&2; exit 1;;
esac
