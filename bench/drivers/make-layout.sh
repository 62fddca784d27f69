#!/usr/bin/env bash
# Writes a 10-layer OCI image layout to $1 with GNU tar + gzip + a few lines of JSON. Each layer: 150 files of
# 1-8 KB, 40 of 64-256 KB and 4 of 2-4 MB of random bytes (~19 MB); layer 2 deletes a file of layer 1 (whiteout);
# layer 10 also holds /big/read.bin, 100 MB, the file the "containers" read. Staging happens on /dev/shm.
set -euo pipefail
out=$1
stage=$(mktemp -d /dev/shm/drvbench-stage.XXXXXX)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$out/blobs/sha256"
diffids=() layers=()
for i in $(seq 1 10); do
  d="$stage/l$i"; mkdir -p "$d/layer$i/small" "$d/layer$i/medium" "$d/layer$i/large"
  python3 - "$d/layer$i" "$i" <<'PY'
import os, random, sys
root, seed = sys.argv[1], int(sys.argv[2]); rnd = random.Random(seed)
def put(path, n):
    with open(path, "wb") as f: f.write(os.urandom(n))
for k in range(150): put(f"{root}/small/f{k:03}", rnd.randint(1024, 8192))
for k in range(40): put(f"{root}/medium/f{k:02}", rnd.randint(64 << 10, 256 << 10))
for k in range(4): put(f"{root}/large/f{k}", rnd.randint(2 << 20, 4 << 20))
PY
  if [ "$i" = 2 ]; then mkdir -p "$d/layer1/small"; touch "$d/layer1/small/.wh.f000"; fi
  if [ "$i" = 10 ]; then mkdir -p "$d/big"; head -c $((100 << 20)) /dev/urandom > "$d/big/read.bin"; fi
  tar --numeric-owner --owner=0 --group=0 --sort=name -C "$d" -cf "$stage/l$i.tar" .
  diffids+=("sha256:$(sha256sum "$stage/l$i.tar" | cut -d' ' -f1)")
  gzip -1 -n "$stage/l$i.tar"
  sum=$(sha256sum "$stage/l$i.tar.gz" | cut -d' ' -f1)
  mv "$stage/l$i.tar.gz" "$out/blobs/sha256/$sum"
  layers+=("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$sum\",\"size\":$(stat -c %s "$out/blobs/sha256/$sum")}")
  rm -rf "$d"
done
blob() { # writes stdin as a blob, prints "digest size"
  cat > "$stage/blob"; local s; s=$(sha256sum "$stage/blob" | cut -d' ' -f1)
  mv "$stage/blob" "$out/blobs/sha256/$s"; echo "sha256:$s $(stat -c %s "$out/blobs/sha256/$s")"
}
ids=$(printf '"%s",' "${diffids[@]}"); ids=${ids%,}
read -r cfg cfgsize < <(printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":[%s]}}' "$ids" | blob)
lys=$(IFS=,; echo "${layers[*]}")
read -r man mansize < <(printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[%s]}' "$cfg" "$cfgsize" "$lys" | blob)
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"bench"}}]}' "$man" "$mansize" > "$out/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' > "$out/oci-layout"
