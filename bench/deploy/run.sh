#!/usr/bin/env bash
# Deploy v2 of an app to a target that runs v1: bytes on the wire and time, ours (`images deploy`: prepare + push of
# the missing blobs + start, health check, switch) against `skopeo copy` of the same v2 image into a docker-registry
# that already holds v1 (which only moves bytes: no container is started). Bytes on the wire are read from the
# loopback interface's counters (both directions, headers included), so both sides are measured the same way.
# Usage: sudo bench/deploy/run.sh [WORKDIR]   (root; needs skopeo and docker-registry; ~1 minute)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
work="${1:-/var/tmp/deploybench}"
images="$repo/images"
payload_mb="${PAYLOAD_MB:-20}"   # MB of app files that stay the same between v1 and v2

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [[ -d "$work/target" ]]; then
    for id in $("$images" --root "$work/target" ps -a -q 2>/dev/null); do "$images" --root "$work/target" rm -f "$id" >/dev/null 2>&1 || true; done
  fi
  rm -rf "$work"
}
trap cleanup EXIT
rm -rf "$work"; mkdir -p "$work/context/www"

lo_bytes() { awk '$1 == "lo:" { printf "%.0f\n", $2 + $10 }' /proc/net/dev; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }

# The app: busybox base, a payload of random files that stays the same, and index.html that names the version.
cp /bin/busybox "$work/context/busybox"
for i in $(seq 1 "$payload_mb"); do head -c 1048576 /dev/urandom > "$work/context/www/asset-$i.bin"; done
cat > "$work/context/Dockerfile" <<'RECIPE'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
COPY www/*.bin /www/
COPY www/index.html /www/
CMD ["httpd", "-f", "-p", "127.0.0.1:8080", "-h", "/www"]
RECIPE
src="$work/source"
for v in v1 v2; do
  echo "release $v" > "$work/context/www/index.html"
  "$images" --root "$src" build -t "app:$v" "$work/context" >/dev/null
done
for v in v1 v2; do "$images" --root "$src" save -o "$work/oci-$v" "app:$v" >/dev/null; done
# The changed layer's compressed size, from the saved OCI layout (the app layer is the manifest's last).
changed=$(python3 - "$work/oci-v2" <<'PY'
import json, os, sys
layout = sys.argv[1]
blob = lambda d: os.path.join(layout, "blobs", *d.split(":"))
index = json.load(open(os.path.join(layout, "index.json")))
manifest = json.load(open(blob(index["manifests"][0]["digest"])))
print(manifest["layers"][-1]["size"])
PY
)

# Ours: a target serving the store, v1 deployed, then v2 measured.
port=$(free_port)
"$images" --root "$work/target" serve --listen "127.0.0.1:$port" > "$work/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q "serving" "$work/serve.log" && break; sleep 0.1; done
deploy() { "$images" --root "$src" deploy "app:$1" --to "127.0.0.1:$port" --app web --network none \
  --health-cmd "wget -q -O /dev/null http://127.0.0.1:8080/index.html" --health-timeout 30; }
deploy v1 > /dev/null
b0=$(lo_bytes); t0=$(now)
deploy v2 > "$work/deploy-v2.log"
t1=$(now); b1=$(lo_bytes)
ours_bytes=$((b1 - b0)); ours_time=$(echo "$t1 - $t0" | bc)
ours_payload=$(grep -oE '\(([0-9]+) bytes\) sent' "$work/deploy-v2.log" | grep -oE '[0-9]+' | head -1)

# Peer: skopeo copy into a docker-registry that has v1.
rport=$(free_port)
mkdir -p "$work/registry"
cat > "$work/registry.yml" <<YML
version: 0.1
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$rport
YML
docker-registry serve "$work/registry.yml" > "$work/registry.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$rport/v2/" >/dev/null 2>&1 && break; sleep 0.1; done
skopeo copy -q --dest-tls-verify=false "oci:$work/oci-v1" "docker://127.0.0.1:$rport/apps/web:v1"
b0=$(lo_bytes); t0=$(now)
skopeo copy -q --dest-tls-verify=false "oci:$work/oci-v2" "docker://127.0.0.1:$rport/apps/web:v2"
t1=$(now); b1=$(lo_bytes)
peer_bytes=$((b1 - b0)); peer_time=$(echo "$t1 - $t0" | bc)

printf '\nchanged layer (compressed): %d bytes; app payload %d MB unchanged\n\n' "$changed" "$payload_mb"
printf '| deploy of v2 onto v1 | wire bytes (lo, both ways) | payload bytes | seconds |\n|---|---|---|---|\n'
printf '| images deploy (push + start + health + switch) | %d | %s | %.2f |\n' "$ours_bytes" "$ours_payload" "$ours_time"
printf '| skopeo copy -> docker-registry (push only) | %d | - | %.2f |\n' "$peer_bytes" "$peer_time"
