#!/bin/sh
# Time and peak memory of `ncg plan` writing a 100,000-replica plan as text and as JSON (doc/json.md, "Size").
# Usage: tests/cli/measure-output.sh [NCG]   (default build/src/cli/ncg). Prints one line per format.
set -eu
ncg=${1:-build/src/cli/ncg}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/apis.yaml" <<'YAML'
- name: many
  compute: {inf: 1, cpu: 1, mem: 1Gi}
  predictor: {processes_per_replica: 4}
  autoscaling: {min_replicas: 100000, max_replicas: 100000}
YAML
for format in text json yaml; do
    /usr/bin/time -f "$format: %e s, %M KB peak" "$ncg" plan "$dir/apis.yaml" --types inf1.24xlarge -o "$format" \
        --output-file "$dir/out.$format"
    echo "$format: $(wc -c < "$dir/out.$format") bytes written"
done
