#!/usr/bin/env bash
# Registry push/pull throughput, in one run: ours (images push/pull) against our server (images serve) and against
# docker-registry, and skopeo against both. Images: a Debian bookworm minbase (debootstrap from apt's mirror; the
# rootfs tar and both OCI layouts are cached in /var/tmp/regbench-cache) and a big-files image (3 layers of 2 x 100 MB random files).
# Every measurement gets fresh, empty registries on new ports (no mounts, no skip, no client caches involved).
# MB/s = compressed bytes moved / wall seconds. Everything lives on tmpfs (default /dev/shm/regbench), removed at the end.
# Usage: bench/registry/client/run.sh [workdir]; BENCH_IMAGES, BENCH_SERVERS, BENCH_CLIENTS pick a subset.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
work=${1:-/dev/shm/regbench}
cache=/var/tmp/regbench-cache
mkdir -p "$work" "$cache"
images="$repo/images"
"$images" --help >/dev/null   # build once, outside the timings
export IMAGES_DRIVER=${IMAGES_DRIVER:-overlay}

pids=()
unmount_under() { awk -v p="$1" '$2 ~ "^"p {print $2}' /proc/mounts | sort -r | while read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; done; }
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  unmount_under "$work"
  rm -rf "$work"
}
trap cleanup EXIT

# ---- images (OCI layouts made by umoci) ----
mirror=$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 | awk '{print $2}')
mirror=${mirror:-$(grep -h '^deb ' /etc/apt/sources.list 2>/dev/null | head -1 | awk '{print $2}')}
if [ ! -f "$cache/minbase.tar" ]; then
  echo "debootstrap minbase bookworm from $mirror (cached in $cache) ..." >&2
  debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" > "$work/debootstrap.log" 2>&1
  tar -C "$work/rootfs" -cf "$cache/minbase.tar.tmp" . && mv "$cache/minbase.tar.tmp" "$cache/minbase.tar"
  rm -rf "$work/rootfs"
fi
layout() { # name -> an OCI layout at $cache/layout-name, tag 1 (kept for the next run)
  local name=$1 dir="$cache/layout-$1" b="$work/bundle-$1"
  [ -f "$dir/index.json" ] && grep -q '"1"' "$dir/index.json" && return 0
  rm -rf "$dir"
  umoci init --layout "$dir" && umoci new --image "$dir:1"
  if [ "$name" = minbase ]; then
    umoci unpack --image "$dir:1" "$b" >/dev/null
    tar -C "$b/rootfs" -xf "$cache/minbase.tar"
    umoci repack --image "$dir:1" "$b" && rm -rf "$b"
  else
    for l in 1 2 3; do
      umoci unpack --image "$dir:1" "$b" >/dev/null
      mkdir -p "$b/rootfs/data$l"
      for f in 1 2; do head -c 100000000 /dev/urandom > "$b/rootfs/data$l/file$f"; done
      umoci repack --image "$dir:1" "$b" && rm -rf "$b"
    done
  fi
}
blobsize() { du -sb --apparent-size "$cache/layout-$1/blobs" | cut -f1; }
echo "making the images ..." >&2
layout minbase; layout big

src="$work/store-src"
for n in minbase big; do
  id=$("$images" --root "$src" load -i "$cache/layout-$n" | sed -n 's/^Loaded image ID: //p' | tail -1)
  "$images" --root "$src" tag "$id" "bench/$n:1"
done

# ---- registries ----
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_up() { for _ in $(seq 100); do curl -s -o /dev/null "http://$1/v2/" && return 0; sleep 0.1; done; echo "registry $1 did not start" >&2; exit 1; }
start_docker_registry() { # -> host:port in $reg
  local p; p=$(port); local d="$work/dreg-$p"; mkdir -p "$d"
  printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' "$d/data" "$p" > "$d/config.yml"
  docker-registry serve "$d/config.yml" >"$d/log" 2>&1 & pids+=($!); reg="127.0.0.1:$p"; wait_up "$reg"
}
start_ours() {
  local p; p=$(port)
  "$images" --root "$work/store-reg-$p" serve --listen "127.0.0.1:$p" >"$work/serve-$p.log" 2>&1 & pids+=($!); reg="127.0.0.1:$p"; wait_up "$reg"
}
stop_registries() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; pids=(); }

seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>"$work/last.err" || { cat "$work/last.err" >&2; exit 1; }; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
report() { # client server image op secs bytes
  printf '%-8s %-16s %-8s %-5s %7.2f s %8.1f MB/s\n' "$1" "$2" "$3" "$4" "$5" "$(echo "$6 / 1000000 / $5" | bc -l)"
}

printf '%-8s %-16s %-8s %-5s %9s %13s\n' client server image op time throughput
only_images=${BENCH_IMAGES:-minbase big}
only_servers=${BENCH_SERVERS:-ours docker-registry}
only_clients=${BENCH_CLIENTS:-ours skopeo}
for n in $only_images; do
  bytes=$(blobsize "$n")
  for server in $only_servers; do
    for client in $only_clients; do
      if [ $server = ours ]; then start_ours; else start_docker_registry; fi
      dst="$reg/bench/$n:1"
      if [ $client = ours ]; then
        t=$(seconds "$images" --root "$src" push "bench/$n:1" "$dst"); report $client $server $n push "$t" "$bytes"
        pull="$work/store-pull-$RANDOM"
        t=$(seconds "$images" --root "$pull" pull "$dst"); report $client $server $n pull "$t" "$bytes"
        unmount_under "$pull"; rm -rf "$pull"
      else
        t=$(seconds skopeo copy -q --dest-tls-verify=false "oci:$cache/layout-$n:1" "docker://$dst"); report $client $server $n push "$t" "$bytes"
        t=$(seconds skopeo copy -q --src-tls-verify=false "docker://$dst" "oci:$work/skopeo-pull:1"); report $client $server $n pull "$t" "$bytes"
        rm -rf "$work/skopeo-pull"
      fi
      stop_registries
      rm -rf "$work"/dreg-* "$work"/store-reg-*
    done
  done
done
