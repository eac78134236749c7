#!/usr/bin/env bash
# Installs the Debian packages of test/tools.txt that are not installed yet.
#   bash test/install-tools.sh            every package of the list
#   bash test/install-tools.sh TOOL...    only the packages that bring these tools
# Needs root (apt-get). Prints what it installs; exits non-zero naming an unknown tool.
set -euo pipefail
LIST="$(cd "$(dirname "$0")" && pwd)/tools.txt"

declare -A pkg_of=()
while read -r tool pkg _; do
  case "$tool" in ''|'#'*) continue ;; esac
  pkg_of[$tool]=$pkg
done <"$LIST"

wanted=()
if [ $# -eq 0 ]; then
  wanted=("${pkg_of[@]}")
else
  for tool in "$@"; do
    [ -n "${pkg_of[$tool]:-}" ] || { echo "install-tools: $tool is not in $LIST" >&2; exit 2; }
    wanted+=("${pkg_of[$tool]}")
  done
fi

missing=()
for p in $(printf '%s\n' "${wanted[@]}" | sort -u); do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "install-tools: missing Debian packages: ${missing[*]} (run as root: apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "install-tools: installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture (LAB-NOTES): answer no, ask nothing.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
