#!/usr/bin/env bash
# Installs the Debian packages Temblor builds and tests against.
# Idempotent: when everything is present it only checks and returns.
# As root it installs what is missing with apt-get; otherwise it names what is missing and fails.
set -euo pipefail

packages=(
  pkg-config
  liblua5.4-dev
  libsimdjson-dev
  zlib1g-dev
  g++
  time
  python3
  redis-server
  openssl
  wrk
  chromium
  nats-server
  lua-check
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    echo "bootstrap: missing Debian packages: ${missing[*]}" >&2
    echo "bootstrap: run this script as root, or: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
if ! "${as_root[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi
echo "bootstrap: installed ${missing[*]}"
