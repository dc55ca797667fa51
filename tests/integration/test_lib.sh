#!/bin/bash
# The integration tests' own helpers (lib.sh): a skip after a failed
# check must fail the test, never hide the failure as skipped; a skip
# with nothing failed is a skip; finish counts.
. "$(dirname "$0")/lib.sh"

# child BODY: runs BODY in a script that sources lib.sh as a test does;
# prints its exit status.
child() {
	printf '. %s/tests/integration/lib.sh\n%s\n' "$SRCDIR" "$1" \
		>"$T/child.sh"
	DATASETS="$T/none" bash "$T/child.sh" >"$T/child.out" 2>&1
	echo $?
}

check "a failed check then a skip fails (exit 1)" \
	[ "$(child 'check "fails" false
need_dataset no/such/dataset
finish')" = 1 ]
check "and still says skip and the failure" \
	grep -q "failed before the skip" "$T/child.out"
check "a skip with nothing failed is a skip (exit 77)" \
	[ "$(child 'check "holds" true
need_dataset no/such/dataset
finish')" = 77 ]
check "finish after a failure fails (exit 1)" \
	[ "$(child 'check "fails" false
finish')" = 1 ]
check "finish with every check held passes (exit 0)" \
	[ "$(child 'check "holds" true
finish')" = 0 ]
finish
