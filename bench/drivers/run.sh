#!/usr/bin/env bash
# Graph drivers on the same data in one run: overlay, aufs, devicemapper, vfs on a scratch root on the ext4 disk,
# btrfs on a loop-mounted btrfs image, then buildah 1.28's overlay and vfs drivers where the work matches.
# Phases (seconds unless MB): apply a 10-layer image (~288 MB of gzip blobs, ~300 MB of files); mount + unmount;
# create + mount a rw layer; write 100 MB into it (fsync'd); diff it to a null stream; create + mount 20 "containers"
# (rw layers on the image); read the same 100 MB file through all 20 and the page cache that costs; remove them.
# Usage: bench/drivers/run.sh [workdir on ext4, default /var/tmp/drvbench]   (as root; needs buildah for its rows)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(realpath -m "${1:-/var/tmp/drvbench}")
containers=20
readpath=/big/read.bin

cleanup() {
  set +e
  # unmount everything under the work dir, deepest first (fuse mounts end their fuse-overlayfs process this way)
  grep -F " $work/" /proc/mounts | awk '{print $2}' | sort -r | while read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; done
  losetup -a | grep -F "($work/" | cut -d: -f1 | while read -r dev; do losetup -d "$dev"; done
  rm -rf "$work/roots" "$work/btrfs.img" "$work/btrfs" "$work/buildah" "$work/write.bin"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cleanup
mkdir -p "$work/roots"

echo "# build" >&2
dotnet build -c Release "$here/DriversBench.csproj" -o "$work/bin" > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
if [ ! -f "$work/layout/index.json" ]; then
  echo "# making the 10-layer OCI layout at $work/layout" >&2
  rm -rf "$work/layout"; "$here/make-layout.sh" "$work/layout"
fi
head -c $((100 << 20)) /dev/urandom > "$work/write.bin"   # buildah rows write this file (ours writes from memory)

echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)  ($(nproc) cores, shared)"
printf '%-16s %7s %7s %7s %7s %7s %7s %8s %7s %8s %8s %7s\n' driver apply mnt+um rw+mnt write100 diff diffMB "${containers}ctr" read20 cache1MB cache20MB rm20
row() { printf '%-16s %7s %7s %7s %7s %7s %7s %8s %7s %8s %8s %7s\n' "$@"; }

ours() { # driver root
  local out
  out=$("$work/bin/DriversBench" "$1" "$2" "$work/layout" "$readpath" "$containers") || { row "$1" FAILED; return 0; }
  # shellcheck disable=SC2086
  row $out
}

for driver in overlay aufs devicemapper vfs; do
  ours "$driver" "$work/roots/$driver"
  rm -rf "$work/roots/$driver"
done

# btrfs needs its root on btrfs: a sparse 16 GB image, loop-attached and mounted under the work dir
truncate -s 16G "$work/btrfs.img"
mkfs.btrfs -q "$work/btrfs.img" > /dev/null
mkdir -p "$work/btrfs"
dev=$(losetup -f --show "$work/btrfs.img")
mount "$dev" "$work/btrfs"
ours btrfs "$work/btrfs/store"
umount "$work/btrfs"; losetup -d "$dev"; rm -f "$work/btrfs.img"

# buildah: pull oci: (apply), from + mount (rw+mnt), umount + mount (mnt+um), write 100 MB + commit (not a bare
# diff: commit also stores the layer and an image), 20 x (from + mount), the same reads, rm -a.
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.2f", b-a}'; }
filecache() { awk '/^Cached:/{c=$2} /^Shmem:/{s=$2} END{print c-s}' /proc/meminfo; }
median3() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
buildah_row() { # storage driver
  local d=$1 r="$work/buildah/$1" t c m apply rwm mnt write commit ctrs reads one all rm
  mkdir -p "$r"
  echo '{"default":[{"type":"insecureAcceptAnything"}]}' > "$work/buildah/policy.json"
  bh() { buildah --storage-driver "$d" --root "$r/root" --runroot "$r/run" "$@"; }
  t=$(now); local id; id=$(bh pull -q --signature-policy "$work/buildah/policy.json" "oci:$work/layout:bench"); apply=$(since "$t")
  sync
  t=$(now); c=$(bh from --pull-never --name bench-write "$id"); m=$(bh mount "$c"); rwm=$(since "$t")
  t=$(now); bh umount "$c" > /dev/null; m=$(bh mount "$c"); mnt=$(since "$t")
  [ -f "$m$readpath" ] || { echo "buildah $d: $readpath missing in $m" >&2; return 1; }
  t=$(now); dd if="$work/write.bin" of="$m/written.bin" bs=1M conv=fsync status=none; write=$(since "$t")
  t=$(now); bh commit -q --signature-policy "$work/buildah/policy.json" "$c" bench-commit > /dev/null; commit=$(since "$t")
  bh rm "$c" > /dev/null
  local mounts=()
  t=$(now)
  for i in $(seq -w 1 "$containers"); do c=$(bh from --pull-never --name "bench-ctr-$i" "$id"); mounts+=("$(bh mount "$c")"); done
  ctrs=$(since "$t")
  local rs=() os=() as=() before
  for round in 1 2 3; do
    sync; echo 3 > /proc/sys/vm/drop_caches; before=$(filecache)
    t=$(now); local first=1
    for m in "${mounts[@]}"; do
      cat "$m$readpath" > /dev/null
      if [ $first = 1 ]; then os+=($(( ($(filecache) - before) / 1024 ))); first=0; fi
    done
    rs+=("$(since "$t")"); as+=($(( ($(filecache) - before) / 1024 )))
  done
  reads=$(median3 "${rs[@]}"); one=$(median3 "${os[@]}"); all=$(median3 "${as[@]}")
  t=$(now); bh umount -a > /dev/null; bh rm -a > /dev/null; rm=$(since "$t")
  bh rmi -a -f > /dev/null 2>&1 || true
  row "buildah-$d" "$apply" "$mnt" "$rwm" "$write" "$commit*" - "$ctrs" "$reads" "$one" "$all" "$rm"
  rm -rf "$r"
}
if command -v buildah > /dev/null; then
  for d in overlay vfs; do buildah_row "$d" || row "buildah-$d" FAILED; done
else
  echo "# buildah is not installed (apt-get install -y buildah): its rows are skipped"
fi
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# * buildah: 'diff' is 'buildah commit' (diff + store the layer + write an image), not a bare diff to a null stream"
