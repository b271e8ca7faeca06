#!/bin/bash
# A failed up leaves nothing; bad files change nothing; SIGKILL at any point
# of up, then down or cleanup, leaves nothing of the lab and touches nothing
# else.
. "$TESTLIB"

# Something outside the labs that must survive all of it (made without
# nsbox: cleanup removes what nsbox's journal names, by design).
ip netns add keep
ip netns add foreign
snapshot >"$TMP/before"

for f in "$SRCDIR"/tests/lab/bad/*.yaml; do
	expect 2 "bad file $(basename "$f")" lab up "$f"
	expect_err "^nsbox: $f:[0-9]+:[0-9]+: " "$(basename "$f"): names file:line:column"
done
unchanged "after every bad file"

cat >"$TMP/failing.yaml" <<'YAML'
name: failing
nodes:
  a: {}
  b: { exec: [["sh", "-c", "exit 3"]] }
links:
  - ["a:eth0=10.6.0.1/24", "b:eth0=10.6.0.2/24"]
YAML
expect 1 "up fails in an exec command" lab up "$TMP/failing.yaml"
expect_err "node b: exec sh: exited with status 3" "the message names the node and command"
unchanged "after the failed up"

# A 30-node lab killed with SIGKILL at several points of its way up.
for delay in 0.02 0.05 0.1 0.2 0.4; do
	"$NSBOX" -q lab up --topo linear:15 --name k30 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if [[ $delay == 0.1 ]]; then
		expect 0 "cleanup after SIGKILL at ${delay}s" -q cleanup
	else
		nsbox lab down k30
		[[ $rc == 0 || $rc == 2 ]] && ok "lab down after SIGKILL at ${delay}s (exit $rc)" ||
			not_ok "lab down after SIGKILL at ${delay}s: exit $rc: $(cat "$TMP/err")"
		# A kill before the journal's first record leaves no lab to
		# take down; cleanup finds whatever else there is.
		nsbox -q cleanup
	fi
	left=$(ip netns list | grep -c '^k30-')
	[[ $left == 0 ]] && ok "no k30 netns left (SIGKILL at ${delay}s)" || not_ok "$left k30 netns left (SIGKILL at ${delay}s)"
	left=$(pgrep -f "^nsbox" -c)
	sleep 0.2
	check "no k30 sandbox record left" bash -c '! ls /run/nsbox/sandbox 2>/dev/null | grep -q "^k30-"'
	check "no lab record left" bash -c '[[ -z $(ls /run/nsbox/lab 2>/dev/null) ]]'
	check "keep and foreign untouched" bash -c 'ip netns list | grep -q "^keep" && ip netns list | grep -q "^foreign"'
done
unchanged "after the killed ups"
ip netns del keep
ip netns del foreign

# The kernel's neighbour table is the host's, however many namespaces:
# filled by another netns (entries under five seconds old cannot be pushed
# out), lab check cannot reach some pairs, and must say why; once the
# entries are older, it waits for the room it needs.
fill_neighbours() {
	ip netns add filler
	ip -n filler link add d0 type veth peer name d1
	ip -n filler link set d0 up
	ip -n filler addr add 10.9.0.1/16 dev d0
	local i j
	for i in $(seq 0 4); do
		for j in $(seq 1 250); do
			printf 'neigh add 10.9.%d.%d lladdr 02:00:00:00:%02x:%02x nud stale dev d0\n' "$i" "$j" "$i" "$j"
		done
	done >"$TMP/neigh.batch"
	ip -n filler -batch "$TMP/neigh.batch" >/dev/null 2>&1
}
expect 0 "lab up (the demo)" lab up
fill_neighbours
check "another netns fills the neighbour table: $(ip -n filler neigh | wc -l) entries" \
	test "$(ip -n filler neigh | wc -l)" -ge 1000
expect 1 "lab check demo --timeout 2000 with the table full" lab check demo --timeout 2000
expect_err "the kernel's neighbour table was full.*gc_thresh3" "says the table was full and names gc_thresh3"
ip -n filler neigh flush dev d0
ip -n filler -batch "$TMP/neigh.batch" >/dev/null 2>&1
t0=$(date +%s%N)
expect 0 "filled anew, lab check demo (10 s at most) waits for room and reaches every pair" lab check demo
ms=$((($(date +%s%N) - t0) / 1000000))
check "which took more than the four seconds the first passes could: $ms ms" test "$ms" -gt 4000
ip netns del filler
expect 0 "lab down demo" lab down demo
assert_clean
done_testing
