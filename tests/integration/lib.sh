# Shared helpers for the integration tests; sourced, not run.
# The tests get VIGIL (the binary), SRCDIR, DATASETS and WORKDIR from ctest.
set -u

: "${VIGIL:?VIGIL is not set (run through ctest)}"
: "${SRCDIR:?}"
: "${DATASETS:=$SRCDIR/../shared/datasets}"
: "${WORKDIR:=/tmp}"

mkdir -p "$WORKDIR"
T=$(mktemp -d "$WORKDIR/$(basename "$0" .sh).XXXXXX")
trap 'rm -rf "$T"' EXIT
# The prefilter's database cache: one per test, never the caller's
# ~/.cache; a test of the cache itself sets its own.
export VIGIL_CACHE_DIR="$T/cache"
failures=0
checks=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

ok() {
	checks=$((checks + 1))
}

check() {	# check "what" command...
	what=$1
	shift
	if "$@"; then ok; else fail "$what"; fi
}

# run ARGS...: vigil with stdout to $T/out, stderr to $T/err; sets rc,
# and fails the test on a crash.
run() {
	"$VIGIL" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ $rc -gt 128 ]; then fail "crashed with signal $((rc - 128)): $*"; fi
}

# has FILE PATTERN / hasnt FILE PATTERN: grep, printing the file when
# the check fails.
has() {
	grep -q -- "$2" "$1" || { echo "--- $1:"; cat "$1"; return 1; }
}

hasnt() {
	! grep -q -- "$2" "$1" || { echo "--- $1:"; cat "$1"; return 1; }
}

# Skips the rest of the test, loudly: ctest shows it as skipped (exit
# 77), unless a check before it failed, which no skip may hide.
skip() {
	echo "SKIP: $*"
	if [ "$failures" -gt 0 ]; then
		echo "$checks passed, $failures failed before the skip"
		exit 1
	fi
	exit 77
}

need_dataset() {
	[ -e "$DATASETS/$1" ] || skip "dataset absent at $DATASETS/$1"
}

finish() {
	if [ "$failures" -gt 0 ]; then
		echo "$checks passed, $failures failed"
		exit 1
	fi
	echo "$checks passed, 0 failed"
	exit 0
}
