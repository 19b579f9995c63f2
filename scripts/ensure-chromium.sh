#!/usr/bin/env bash
# Headless tests drive Debian's Chromium (browser downloads are not possible here).
# Installs it when missing; a no-op otherwise.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "[ensure-chromium] installing Debian's chromium" >&2
$sudo apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >&2
