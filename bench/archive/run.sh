#!/usr/bin/env bash
# Layer create (tree -> tar.gz) and apply (tar.gz -> tree): our archive code vs GNU tar + gzip, on one tmpfs.
# Trees: (a) a Debian bookworm minbase rootfs made by debootstrap from apt's configured mirror,
#        (b) 20,000 files of 1-4 KB. Prints wall time, MB/s (of uncompressed tree bytes), compression ratio
# and peak RSS for each run. Usage: bench/archive/run.sh [workdir on tmpfs, default /dev/shm/archbench]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${1:-/dev/shm/archbench}
mkdir -p "$work"

mirror=$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 | awk '{print $2}')
mirror=${mirror:-$(grep -h '^deb ' /etc/apt/sources.list 2>/dev/null | head -1 | awk '{print $2}')}
if [ ! -d "$work/rootfs/usr" ]; then
  echo "debootstrap minbase bookworm from $mirror ..." >&2
  debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" > "$work/debootstrap.log" 2>&1
fi
if [ ! -d "$work/small" ]; then
  echo "making 20000 small files ..." >&2
  python3 - "$work/small" <<'PY'
import os, random, sys
root = sys.argv[1]; random.seed(42)
for d in range(200):
    p = os.path.join(root, f"d{d:03}")
    os.makedirs(p)
    for f in range(100):
        with open(os.path.join(p, f"f{f:03}.txt"), "wb") as fh:
            n = random.randint(1024, 4096)
            fh.write((("line %d of file %d/%d " % (random.randint(0, 10**6), d, f)) * 200).encode()[:n])
PY
fi

dotnet build -c Release "$here/ArchiveBench.csproj" -o "$work/bin" > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
bench="$work/bin/ArchiveBench"

# runs CMD..., prints "wall_seconds maxrss_kb cpu_seconds" (cpu = user + sys: the machine may be shared, wall is noisy)
measure() { /usr/bin/time -f '%e %M %U %S' -o "$work/time.out" "$@" > /dev/null 2> "$work/cmd.err" || { cat "$work/cmd.err"; exit 1; }; awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}' "$work/time.out"; }

printf '%-7s %-26s %8s %8s %9s %7s %9s\n' tree run 'wall s' 'cpu s' 'MB/s' ratio 'RSS MB'
for tree in rootfs small; do
  src="$work/$tree"
  bytes=$(du -sb --apparent-size "$src" | cut -f1)
  files=$(find "$src" | wc -l)
  row() { # name wall rss cpu [archive]   MB/s is tree bytes per wall second
    local ratio="-"; [ -n "${5:-}" ] && ratio=$(awk -v a="$(stat -c %s "$5")" -v b="$bytes" 'BEGIN{printf "%.3f", a/b}')
    awk -v t="$tree" -v n="$1" -v s="$2" -v r="$3" -v c="$4" -v b="$bytes" -v q="$ratio" 'BEGIN{printf "%-7s %-26s %8.2f %8.2f %9.1f %7s %9.1f\n", t, n, s, c, b/1e6/(s>0?s:0.01), q, r/1024}'
  }
  echo "# $tree: $files entries, $((bytes / 1000000)) MB" >&2
  sync
  read -r s r c < <(measure tar --numeric-owner --xattrs -C "$src" -czf "$work/gnu.tar.gz" .); row "create GNU tar+gzip -6" "$s" "$r" "$c" "$work/gnu.tar.gz"
  read -r s r c < <(measure "$bench" create "$src" "$work/ours-opt.tar.gz"); row "create ours gzip Optimal" "$s" "$r" "$c" "$work/ours-opt.tar.gz"
  read -r s r c < <(measure "$bench" create "$src" "$work/ours-fast.tar.gz" fastest); row "create ours gzip Fastest" "$s" "$r" "$c" "$work/ours-fast.tar.gz"
  rm -rf "$work/x"; mkdir "$work/x"
  read -r s r c < <(measure tar --numeric-owner --xattrs --same-owner -xpzf "$work/gnu.tar.gz" -C "$work/x"); row "apply GNU tar+gzip" "$s" "$r" "$c"
  rm -rf "$work/x"
  read -r s r c < <(measure "$bench" apply "$work/ours-opt.tar.gz" "$work/x"); row "apply ours (our blob)" "$s" "$r" "$c"
  rm -rf "$work/x"
  read -r s r c < <(measure "$bench" apply "$work/gnu.tar.gz" "$work/x"); row "apply ours (GNU blob)" "$s" "$r" "$c"
  rm -rf "$work/x"
done
