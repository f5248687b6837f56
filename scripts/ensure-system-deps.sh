#!/usr/bin/env bash
# System packages the tests use, installed from Debian by the test run itself (never
# assumed from a previous session): git (runbook repositories), chromium (Studio
# browser tests), prometheus-alertmanager (the real Alertmanager sends webhooks), prometheus
# (ctx.prometheus queries the real server).
set -euo pipefail
need=(git chromium prometheus-alertmanager prometheus)
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing system packages: ${missing[*]} — install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing system packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
