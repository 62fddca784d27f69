#!/usr/bin/env bash
# Benchmarks `images layers` (and `images diff`) on a ~1 GB, 20-layer image: wall time and peak memory (max RSS).
# Usage: bench/inspect/run.sh [scratch-dir]   (default: a fresh directory under /dev/shm, removed afterwards)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
scratch="${1:-$(mktemp -d /dev/shm/inspect-bench.XXXXXX)}"
owned=$([ $# -eq 0 ] && echo yes || echo no)
cleanup() { [ "$owned" = yes ] && rm -rf "$scratch"; }
trap cleanup EXIT

dotnet build -c Release "$repo/src/Cli/Images.Cli.csproj" -o "$scratch/cli" >/dev/null
[ -f "$scratch/layout/index.json" ] || python3 "$repo/bench/inspect/make_image.py" "$scratch/layout"
du -sh "$scratch/layout/blobs"

measure() { # label, then the command
  local label="$1"; shift
  /usr/bin/time -f "$label: %e s wall, %M KiB max RSS" "$@" >/dev/null
}
images=(dotnet "$scratch/cli/images.dll" --root "$scratch/store")
measure "layers (text, full trees)"   "${images[@]}" layers "oci:$scratch/layout:bench"
measure "layers --depth 1"            "${images[@]}" layers "oci:$scratch/layout:bench" --depth 1
measure "layers --format json"        "${images[@]}" layers "oci:$scratch/layout:bench" --format json
measure "layers --ci"                 "${images[@]}" layers "oci:$scratch/layout:bench" --ci --lowest-efficiency 0 --highest-user-wasted-percent 1 || true
measure "diff (hashes all content)"   "${images[@]}" diff "oci:$scratch/layout:bench" "oci:$scratch/layout:bench"
"${images[@]}" layers "oci:$scratch/layout:bench" --ci --lowest-efficiency 0 --highest-user-wasted-percent 1 | tail -n 14
