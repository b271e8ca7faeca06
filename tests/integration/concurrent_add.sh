#!/bin/bash
# 20 concurrent `nsbox netns add same`: one namespace, one mount, one
# success, 19 clear "already exists".
. "$TESTLIB"

for i in $(seq 20); do
	"$NSBOX" netns add same >"$TMP/out.$i" 2>"$TMP/err.$i" &
	pids[i]=$!
done
succ=0 exists=0 other=0
for i in $(seq 20); do
	wait "${pids[i]}"
	rc=$?
	if [[ $rc -eq 0 ]]; then
		succ=$((succ + 1))
	elif [[ $rc -eq 2 ]] && [[ $(cat "$TMP/err.$i") == "nsbox: netns same: already exists" ]]; then
		exists=$((exists + 1))
	else
		other=$((other + 1))
		echo "# unexpected: exit $rc: $(cat "$TMP/err.$i")"
	fi
done
[[ $succ -eq 1 ]] && ok "exactly one success" || not_ok "$succ successes"
[[ $exists -eq 19 ]] && ok "19 'already exists'" || not_ok "$exists 'already exists', $other other"
n=$(ls /run/netns | wc -l)
[[ $n -eq 1 ]] && ok "one netns in /run/netns" || not_ok "$n entries in /run/netns"
m=$(awk '$5 == "/run/netns/same"' /proc/self/mountinfo | wc -l)
[[ $m -eq 1 ]] && ok "one mount of it in mountinfo" || not_ok "$m mounts of /run/netns/same"
m=$(awk '$5 == "/run/netns"' /proc/self/mountinfo | wc -l)
[[ $m -eq 1 ]] && ok "/run/netns itself mounted once" || not_ok "/run/netns mounted $m times"
check "it is a working netns" ip -n same link show lo
expect 0 "nsbox made it" netns list
check "listed as nsbox's" grep -Eq '^same +nsbox ' "$TMP/out"

# And 20 concurrent deletes: one success, 19 "no such network namespace".
for i in $(seq 20); do
	"$NSBOX" netns del same >/dev/null 2>"$TMP/err.$i" &
	pids[i]=$!
done
succ=0
for i in $(seq 20); do wait "${pids[i]}" && succ=$((succ + 1)); done
[[ $succ -eq 1 ]] && ok "one concurrent delete succeeds" || not_ok "$succ deletes succeeded"
assert_clean
done_testing
