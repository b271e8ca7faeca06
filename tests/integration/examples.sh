#!/bin/bash
# Every lab of examples/: run its check (which brings the lab up, verifies
# what its EXERCISE.md claims, runs nsbox lab check and takes it down) in
# this test's namespace, one ok/not ok per example; then nothing may be
# left.
. "$TESTLIB"

: "${SRCDIR:?SRCDIR must name the project root}"
found=0
for check in "$SRCDIR"/examples/*/check; do
	[[ -x $check ]] || continue
	found=$((found + 1))
	name=$(basename "$(dirname "$check")")
	start=$(date +%s%N)
	NSBOX=$NSBOX "$check" >"$TMP/$name.log" 2>&1
	status=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	summary=$(grep -E '^# [0-9]+ checks' "$TMP/$name.log" | tail -1)
	if ((status == 0)); then
		ok "examples/$name (${summary#\# }, $ms ms)"
	else
		not_ok "examples/$name (exit $status, ${summary#\# }, $ms ms):"
		grep -E '^(not ok|Bail out|#)' "$TMP/$name.log" | sed 's/^/#   /'
	fi
done
check "at least six examples ($found)" test "$found" -ge 6
assert_clean
done_testing
