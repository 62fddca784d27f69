#!/usr/bin/env bash
# The main job, end to end: build examples/hello with `images build`, then run it.
# Needs a static busybox to put in the image (installed from Debian when missing). Store: $IMAGES_ROOT or /tmp/images-demo.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
images="$here/../../images"
export IMAGES_ROOT="${IMAGES_ROOT:-/tmp/images-demo}"
if [[ ! -x /bin/busybox ]]; then
  echo "build.sh: installing busybox-static (the image's shell and tools)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq busybox-static >/dev/null
fi
cp /bin/busybox "$here/busybox"
trap 'rm -f "$here/busybox"' EXIT
"$images" build -t hello:latest "$here"
"$images" run --rm hello:latest
