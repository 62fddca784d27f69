#!/usr/bin/env bash
# Registry benchmark: skopeo pushes (oci: -> docker://) and pulls (docker:// -> oci:) a debootstrap minbase image and
# a ~600 MB big-files image against Debian's docker-registry and against `images serve`, each on a fresh store, on
# 127.0.0.1. Usage: sudo bench/registry/run.sh [WORKDIR=/var/tmp/regbench]   (needs skopeo umoci debootstrap
# docker-registry). Rows for our own client (images push/pull) are added by the registry client's bench.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=${1:-/var/tmp/regbench}
mkdir -p "$work"
"$here/make-images.sh" "$work"
"$repo/images" --help >/dev/null # build the CLI before timing anything

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 1 300); do curl -fsS "http://127.0.0.1:$1/v2/" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "registry on :$1 did not start" >&2; return 1; }
now() { date +%s.%N; }
mb() { du -sb --apparent-size "$1/blobs" | awk '{printf "%.1f", $1/1048576}'; }

start_docker_registry() { # port storage
  cat >"$work/docker-registry.yml" <<YML
version: 0.1
log: { level: error }
storage: { filesystem: { rootdirectory: $2 }, delete: { enabled: true } }
http: { addr: 127.0.0.1:$1 }
YML
  docker-registry serve "$work/docker-registry.yml" >"$work/docker-registry.log" 2>&1 &
  pids+=($!)
}

start_ours() { # port store
  "$repo/images" --root "$2" --driver vfs serve --listen "127.0.0.1:$1" >"$work/images-serve.log" 2>&1 &
  pids+=($!)
}

printf '%-16s %-8s %8s %9s %9s %9s %9s\n' registry image MB push_s push_MB/s pull_s pull_MB/s | tee "$work/results.txt"
for registry in docker-registry images-serve; do
  for image in minbase big; do
    port=$(free_port)
    storage="$work/storage-$registry"
    rm -rf "$storage" "$work/pulled"
    sync; echo 3 >/proc/sys/vm/drop_caches
    if [ "$registry" = docker-registry ]; then start_docker_registry "$port" "$storage"; else start_ours "$port" "$storage"; fi
    wait_up "$port"
    size=$(mb "$work/$image")
    t0=$(now)
    skopeo copy -q --dest-tls-verify=false "oci:$work/$image:bench" "docker://127.0.0.1:$port/bench/$image:1"
    t1=$(now)
    skopeo copy -q --src-tls-verify=false "docker://127.0.0.1:$port/bench/$image:1" "oci:$work/pulled:bench"
    t2=$(now)
    awk -v r="$registry" -v i="$image" -v m="$size" -v a="$t0" -v b="$t1" -v c="$t2" \
      'BEGIN { printf "%-16s %-8s %8.1f %9.2f %9.1f %9.2f %9.1f\n", r, i, m, b-a, m/(b-a), c-b, m/(c-b) }' | tee -a "$work/results.txt"
    cleanup; pids=()
    rm -rf "$storage" "$work/pulled"
  done
done
