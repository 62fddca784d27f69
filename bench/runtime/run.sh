#!/usr/bin/env bash
# Start-to-exit time of `true` in a container: the builtin runtime, the runc runtime (bundle written per run), and
# `runc run` of a bundle prepared once, in the same run on the same busybox rootfs (on tmpfs, so the disk is out).
# Usage: bench/runtime/run.sh [iterations, default 20]   (as root; needs runc and busybox-static)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /dev/shm/runtime-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bundle/rootfs/bin" "$work/bundle/rootfs/etc" "$work/bundle/rootfs/proc" "$work/bundle/rootfs/sys" "$work/bundle/rootfs/dev"
cp /bin/busybox "$work/bundle/rootfs/bin/busybox"
for a in sh true; do ln -s busybox "$work/bundle/rootfs/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' > "$work/bundle/rootfs/etc/passwd"
echo 'root:x:0:' > "$work/bundle/rootfs/etc/group"
(cd "$work/bundle" && runc spec && sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"true"/' config.json)
dotnet build -c Release "$here/RuntimeBench.csproj" -o "$work/bin" > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
nproc | sed 's/^/cores: /'
dotnet "$work/bin/RuntimeBench.dll" "$work/bundle/rootfs" "$work/bundle" "${1:-20}"
