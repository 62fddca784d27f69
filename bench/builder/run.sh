#!/bin/bash
# bench/builder: `images build` against `buildah bud --layers` (overlay and vfs drivers), in the same run, on the
# realistic recipe of issue #5: a debootstrap minbase base image (loaded once, not timed), COPY of 2,000 files,
# RUN steps that write and delete ~50 MB. Each builder: cold build, fully cached rebuild, rebuild after one context
# file changed. Stores live on the disk (/var/tmp, ext4), as a user's would. Run as root: ./bench/builder/run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=/var/tmp/builder-bench-cache
mirror=${MIRROR:-http://deb.debian.org/debian}
mkdir -p "$cache"
if [ ! -f "$cache/minbase.tar" ]; then
  echo "debootstrap minbase bookworm from $mirror (once; cached in $cache) ..." >&2
  rm -rf "$cache/rootfs"
  debootstrap --variant=minbase bookworm "$cache/rootfs" "$mirror" > "$cache/debootstrap.log" 2>&1
  tar -C "$cache/rootfs" --numeric-owner -cf "$cache/minbase.tar.part" .
  mv "$cache/minbase.tar.part" "$cache/minbase.tar"
  rm -rf "$cache/rootfs"
fi

work=$(mktemp -d /var/tmp/builder-bench.XXXXXX)
cleanup() {
  for d in overlay vfs; do
    buildah --root "$work/buildah-$d" --runroot "$work/buildah-$d-run" --storage-driver $d rmi --all --force >/dev/null 2>&1 || true
  done
  { grep -o " $work[^ ]*" /proc/mounts || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# The base: the minbase tree as one layer, made by each builder from the same recipe (not timed).
mkdir -p "$work/base"
ln "$cache/minbase.tar" "$work/base/minbase.tar" 2>/dev/null || cp "$cache/minbase.tar" "$work/base/minbase.tar"
printf 'FROM scratch\nADD minbase.tar /\nCMD ["/bin/bash"]\n' > "$work/base/Dockerfile"

# The app context: 2,000 files (40 directories x 50 files, 1-8 KiB each).
mkdir -p "$work/app"
python3 - "$work/app" <<'PY'
import os, random, sys
random.seed(5)
root = os.path.join(sys.argv[1], "src")
for d in range(40):
    os.makedirs(os.path.join(root, f"pkg{d:02}"))
    for f in range(50):
        with open(os.path.join(root, f"pkg{d:02}", f"file{f:02}.txt"), "wb") as out:
            out.write(random.randbytes(random.randint(1024, 8192)))
PY
cat > "$work/app/Dockerfile" <<'EOF'
FROM bench/base:1
ENV APP_HOME=/app
WORKDIR /app
COPY src/ /app/src/
RUN head -c 52428800 /dev/urandom > /tmp/blob && sha256sum /tmp/blob > /app/blob.sha256 && rm /tmp/blob
RUN mkdir -p /opt/scratch && for i in $(seq 1 50); do head -c 1048576 /dev/urandom > /opt/scratch/part$i; done && du -sh /opt/scratch > /app/scratch-size && rm -rf /opt/scratch
RUN ls -R /app/src | wc -l > /app/count
CMD ["cat", "/app/count"]
EOF

images="$repo/images"
"$images" --help > /dev/null  # build the CLI first, outside the timings

seconds() { local s e; s=$(date +%s.%N); "$@" > "$work/last.log" 2>&1 || { cat "$work/last.log" >&2; return 1; }; e=$(date +%s.%N); echo "$e - $s" | bc; }

ours() { local d=$1; shift; "$images" --root "$work/ours-$d" --driver "$d" "$@"; }
theirs() { local d=$1; shift; buildah --root "$work/buildah-$d" --runroot "$work/buildah-$d-run" --storage-driver "$d" "$@"; }

declare -A cold cached changed
run_builder() {
  local name=$1 d=$2 build
  if [ "$name" = ours ]; then
    ours "$d" build -t bench/base:1 "$work/base" > /dev/null
    build() { ours "$d" build -t bench/app:1 "$work/app"; }
  else
    theirs "$d" bud --layers --isolation chroot -t bench/base:1 "$work/base" > /dev/null
    build() { theirs "$d" bud --layers --isolation chroot --network host -t bench/app:1 "$work/app"; }
  fi
  sync
  cold[$name-$d]=$(seconds build)
  sync
  cached[$name-$d]=$(seconds build)
  echo "changed $(date +%s.%N)" >> "$work/app/src/pkg07/file13.txt"
  sync
  changed[$name-$d]=$(seconds build)
  git -C "$repo" rev-parse --short HEAD > /dev/null
  python3 - "$work/app/src/pkg07/file13.txt" <<'PY'
import sys
p = sys.argv[1]
data = open(p, "rb").read()
open(p, "wb").write(data[:data.rfind(b"changed ")])
PY
}

for combo in "ours overlay" "ours vfs" "buildah overlay" "buildah vfs"; do
  set -- $combo
  echo "== $1 $2" >&2
  run_builder "$1" "$2"
done

printf '\n| builder | driver | cold (s) | fully cached (s) | one file changed (s) |\n|---|---|---|---|---|\n'
for combo in "ours overlay" "ours vfs" "buildah overlay" "buildah vfs"; do
  set -- $combo
  printf '| %s | %s | %.2f | %.2f | %.2f |\n' "$1" "$2" "${cold[$1-$2]}" "${cached[$1-$2]}" "${changed[$1-$2]}"
done
printf '\nratios vs buildah overlay: cold %.2fx, cached %.2fx, changed %.2fx (ours overlay)\n' \
  "$(echo "${cold[ours-overlay]} / ${cold[buildah-overlay]}" | bc -l)" \
  "$(echo "${cached[ours-overlay]} / ${cached[buildah-overlay]}" | bc -l)" \
  "$(echo "${changed[ours-overlay]} / ${changed[buildah-overlay]}" | bc -l)"
