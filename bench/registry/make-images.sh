#!/usr/bin/env bash
# Writes the two benchmark images as OCI layouts (tag "bench") under $1, once (kept for re-runs):
#   $1/minbase  a debootstrap --variant=minbase bookworm root in one layer (~60 MB gzip), from deb.debian.org
#   $1/big      three layers of 2 x 100 MB random files each (~600 MB; random bytes do not compress)
# umoci makes the layers (unpack + copy + repack), so they are ordinary gzip OCI layers.
set -euo pipefail
work=${1:?usage: make-images.sh WORKDIR}
mkdir -p "$work"

layout_from_dirs() { # layout dir...: one layer per directory, in order
  local layout=$1; shift
  local bundle; bundle=$(mktemp -d "$work/bundle.XXXXXX")
  umoci init --layout "$layout"
  umoci new --image "$layout:bench"
  for dir in "$@"; do
    rm -rf "$bundle/b"
    umoci unpack --image "$layout:bench" "$bundle/b" >/dev/null
    cp -a "$dir/." "$bundle/b/rootfs/"
    umoci repack --image "$layout:bench" "$bundle/b" >/dev/null
  done
  rm -rf "$bundle"
}

if [ ! -f "$work/minbase/index.json" ]; then
  stage=$(mktemp -d "$work/minbase-root.XXXXXX")
  debootstrap --variant=minbase bookworm "$stage" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1
  rm -rf "$work/minbase"
  layout_from_dirs "$work/minbase" "$stage"
  rm -rf "$stage"
fi

if [ ! -f "$work/big/index.json" ]; then
  stage=$(mktemp -d "$work/big-stage.XXXXXX")
  for l in 1 2 3; do
    mkdir -p "$stage/l$l/data$l"
    for f in a b; do head -c $((100 << 20)) /dev/urandom >"$stage/l$l/data$l/$f.bin"; done
  done
  rm -rf "$work/big"
  layout_from_dirs "$work/big" "$stage/l1" "$stage/l2" "$stage/l3"
  rm -rf "$stage"
fi
