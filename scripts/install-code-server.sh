#!/usr/bin/env bash
# Installs a real VS Code (code-server from the npm registry) for the end-to-end
# tests, offline apart from the npm registry and Debian's packages, and caches it
# outside the project's node_modules. Idempotent: a second run only prints the path.
# Prints the path of the code-server executable on its last line of stdout.
set -euo pipefail

CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.100.3}"
CACHE_ROOT="${OPTLAB_CACHE:-$HOME/.cache/optimizer-lab}"
PREFIX="$CACHE_ROOT/code-server-$CODE_SERVER_VERSION"
BIN="$PREFIX/node_modules/code-server/out/node/entry.js"
STAMP="$PREFIX/.installed"

log() { echo "[install-code-server] $*" >&2; }

# --- Debian packages: Chromium drives the workbench, ripgrep replaces the binary
# @vscode/ripgrep would download, libkrb5-dev lets kerberos build; g++/make/python3 for node-gyp.
ensure_apt_packages() {
  local missing=()
  for p in chromium ripgrep libkrb5-dev g++ make python3; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
}

# --- @vscode/ripgrep's postinstall takes a cached release tarball from
# $TMPDIR/vscode-ripgrep-cache-<its version>/ before trying to download one.
# Build that tarball from Debian's rg. The version comes from code-server's
# shrinkwrap, so another code-server version still finds its cache.
prepare_ripgrep_cache() {
  local shrinkwrap="$PREFIX/node_modules/code-server/lib/vscode/npm-shrinkwrap.json"
  local version asset_version pkg
  version="$(node -e 'const s=require(process.argv[1]);console.log(s.packages["node_modules/@vscode/ripgrep"].version)' "$shrinkwrap")"
  # The release tag it wants is a constant in its postinstall: read it from the package itself.
  pkg="$(cd "$TMPDIR" && npm pack --silent "@vscode/ripgrep@$version")"
  asset_version="$(tar -xzOf "$TMPDIR/$pkg" package/lib/postinstall.js | sed -n "s/^const VERSION = '\(.*\)';/\1/p")"
  [ -n "$asset_version" ] || { log "cannot read ripgrep's release tag from @vscode/ripgrep@$version"; exit 1; }
  local dir="$TMPDIR/vscode-ripgrep-cache-$version"
  local tarball="$dir/ripgrep-$asset_version-x86_64-unknown-linux-musl.tar.gz"
  [ "$(uname -m)" = "x86_64" ] || { log "only x86_64 is supported (got $(uname -m))"; exit 1; }
  if [ ! -f "$tarball" ]; then
    local stage
    stage="$(mktemp -d)"
    cp "$(command -v rg)" "$stage/rg"
    mkdir -p "$dir"
    tar -czf "$tarball" -C "$stage" rg
    rm -rf "$stage"
  fi
  log "ripgrep cache: $tarball"
}

if [ -f "$STAMP" ] && [ -f "$BIN" ]; then
  echo "$BIN"
  exit 0
fi

ensure_apt_packages
start=$(date +%s)
rm -rf "$PREFIX"
mkdir -p "$PREFIX/tmp"
export TMPDIR="$PREFIX/tmp"
# code-server's postinstall refuses to run as root without unsafe-perm; its nested
# installs call `npx node-gyp`, which must not stop at a prompt.
export npm_config_yes=true npm_config_unsafe_perm=true
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

cd "$PREFIX"
# A private package.json keeps this install from walking up into any project.
# allowScripts approves the packages whose install scripts must run (npm 11 only
# reports unapproved ones today; a later npm will block them).
cat > package.json <<'JSON'
{
  "name": "optimizer-lab-code-server",
  "private": true,
  "allowScripts": { "code-server": true, "argon2": true }
}
JSON
log "fetching code-server@$CODE_SERVER_VERSION (scripts deferred)"
npm install --no-save --ignore-scripts --no-package-lock "code-server@$CODE_SERVER_VERSION" >&2
prepare_ripgrep_cache
log "running install scripts (builds VS Code's native modules)"
npm rebuild --foreground-scripts >&2
# The postinstall leaves a marker only indirectly: check what the workbench needs.
for f in lib/vscode/node_modules/@vscode/ripgrep/bin/rg lib/vscode/node_modules.asar lib/vscode/out/server-main.js; do
  [ -e "node_modules/code-server/$f" ] || { log "install incomplete: missing $f"; exit 1; }
done
rm -rf "$PREFIX/tmp"
touch "$STAMP"
log "installed in $(( $(date +%s) - start )) s"
echo "$BIN"
