#!/usr/bin/env bash
# Runs every test project and ends with one line "N passed, N failed" (totals over all projects).
# Installs what the tests need (Debian packages) when missing. Tests that need root must run as root.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

packages=(skopeo docker-registry apache2-utils umoci buildah attr busybox-static btrfs-progs xfsprogs e2fsprogs fuse-overlayfs fuse3 runc debootstrap sqlite3 util-linux gzip bzip2 xz-utils zstd bc)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "test.sh: installing ${missing[*]}" >&2
  if [[ $(id -u) -ne 0 ]]; then echo "test.sh: need root to install packages" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null || {
    echo "test.sh: apt-get install ${missing[*]} failed" >&2; exit 1; }
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "test.sh: the tests mount filesystems and change owners: run as root" >&2
  exit 1
fi
modprobe fuse 2>/dev/null || true
modprobe loop 2>/dev/null || true

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build Images.sln -c Release -nologo -v quiet || { echo "0 passed, 1 failed"; exit 1; }

results="$here/.build/test-results"
rm -rf "$results"; mkdir -p "$results"
passed=0; failed=0; status=0
# The console logger's summary: "Total tests: N", then "Passed: N", "Failed: N", "Skipped: N" as they apply.
count() { grep -E "^\s+$1: [0-9]+\s*$" "$log" | tail -1 | grep -oE '[0-9]+' || echo 0; }
for proj in tests/*/*.csproj; do
  name="$(basename "$proj" .csproj)"
  log="$results/$name.log"
  echo "== $name" >&2
  dotnet test "$proj" -c Release --no-build -nologo --logger "console;verbosity=normal" 2>&1 | tee "$log" |
    grep -E "^\s+(Failed|Skipped) |^\s+(Passed|Failed|Skipped): |Total tests|Test Run" >&2
  rc=${PIPESTATUS[0]}
  if ! grep -qE "^Total tests: [0-9]+" "$log"; then
    echo "test.sh: $name produced no test summary (exit $rc): it crashed or ran no test" >&2
    failed=$((failed + 1)); status=1; continue
  fi
  p=$(count Passed); f=$(count Failed); s=$(count Skipped)
  passed=$((passed + p)); failed=$((failed + f))
  if ((s > 0)); then echo "test.sh: $name skipped $s tests: skipping is not allowed" >&2; failed=$((failed + s)); fi
  ((rc != 0)) && status=1
done
((failed > 0)) && status=1
echo "$passed passed, $failed failed"
exit $status
