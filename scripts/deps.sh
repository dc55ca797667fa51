#!/bin/sh
# Installs the Debian packages vigil needs to build and test, when missing.
# Idempotent: with everything present it prints nothing and changes nothing.
# As root it runs one `apt-get update` and one `apt-get install`; otherwise
# it prints the exact command to run.
#
#   scripts/deps.sh build     packages to build vigil and run `make demo`
#   scripts/deps.sh test      the above plus what the test suite uses
#   scripts/deps.sh bench     the above plus the tools benchmarks compare with
set -eu

build="gcc make cmake pkg-config libyaml-dev libpcre2-dev libcjson-dev
zlib1g-dev libsqlite3-dev libcurl4-openssl-dev libsodium-dev libvectorscan-dev
libisal-dev"
test="$build clang libclang-rt-14-dev libcmocka-dev python3
python3-jsonschema python3-yaml gzip libevtx-utils"
bench="$test fail2ban sshguard time libevtx-utils"

case "${1:-build}" in
build) want=$build ;;
test) want=$test ;;
bench) want=$bench ;;
*) echo "usage: $0 build|test|bench" >&2; exit 2 ;;
esac

missing=""
for pkg in $want; do
	st=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $pkg" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "vigil needs these Debian packages:$missing" >&2
	echo "run as root: apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
