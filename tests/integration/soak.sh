#!/bin/bash
# Concurrency soak (issue #6): SOAK_WORKERS workers run SOAK_OPS random
# operations between them on a small pool of OVERLAPPING names: netns
# add/del, link add/del (addressed veth pairs), run -d/stop/exec, lab up/down
# of small labs (generated and from files) whose LAB-NODE names collide with
# each other and with the names the other operations use. Each command has a
# timeout: one that hangs is a deadlock. Each must succeed, or fail with one
# "nsbox: ..." line and its documented exit code; never crash.
#
# A burst of SOAK_BURST operations on one sandbox name and one netns comes
# first (burst_worker). The operations run in rounds; between rounds, with
# nothing of nsbox running but sandbox inits, the journal (/run/nsbox, nsbox --json netns
# list / ps / lab list / lab status) and the system (ip -j, mountinfo,
# processes) must agree (check_invariants below). At the end everything is
# taken down with nsbox's own commands and cleanup, and nothing may be left.
#
# Environment: SOAK_OPS (default 300), SOAK_WORKERS (4), SOAK_BURST
# (default: OPS/5, at least 120), SOAK_SEED (default:
# random; printed, so a run can be repeated with the same operations),
# SOAK_ROUNDS (default: one per 100 operations), SOAK_CMD_TIMEOUT (seconds,
# default 30), SOAK_LOG (a file: every command with its start time, worker,
# outcome and stderr, to see what led to a violation). scripts/soak runs the
# long version.
# shellcheck disable=SC2034 # the name pools are read through pick's nameref
. "$TESTLIB"

OPS=${SOAK_OPS:-300}
WORKERS=${SOAK_WORKERS:-4}
SEED=${SOAK_SEED:-$(((RANDOM << 15 | RANDOM) % 1000000))}
ROUNDS=${SOAK_ROUNDS:-$(((OPS + 99) / 100))}
BURST=${SOAK_BURST:-$((OPS / 5 > 120 ? OPS / 5 : 120))}
CMD_TIMEOUT=${SOAK_CMD_TIMEOUT:-30}
echo "# soak: seed $SEED (SOAK_SEED=$SEED repeats it), $OPS operations, $WORKERS workers, $ROUNDS rounds, after a burst of $BURST"

# Every process nsbox starts keeps its argv: calling it through a path of
# this test's own makes every sandbox init this test leaves findable.
BIN=$TMP/nsbox
ln -s "$(realpath "$NSBOX")" "$BIN"
MARK=$((500000 + SEED % 100000)) # sleep MARK: the sandboxes' commands

# The pools. Names collide on purpose: l1-s1 is the switch s1 of every lab
# l1 and a netns of its own; ya-x-h2 is node x-h2 of lab ya and node h2 of
# lab ya-x; l1-h1 and ya-x-h1 are lab hosts and sandbox names alike.
NETNS=(n1 n2 n3 l1-s1 ya-x-h2)
LINKNS=(n1 n2 n3 l1-s1)
IFS_=(e0 e1)
SANDBOXES=(s1 s2 l1-h1 ya-x-h1)
RUNNS=(n1 n2 n3)
LABS=(l1 l2 ya ya-x)

cat >"$TMP/l1.yaml" <<'YAML'
name: l1
nodes:
  h1: {}
  s1: { kind: bridge }
links:
  - ["h1:eth0=10.89.0.1/24", "s1:p1"]
YAML
cat >"$TMP/ya.yaml" <<'YAML'
name: ya
nodes:
  x-h1: {}
  x-h2: { kind: bridge }
links:
  - ["x-h1:eth0=10.89.1.1/24,fd89:1::1/64", "x-h2:p1"]
YAML
cat >"$TMP/yax.yaml" <<'YAML'
name: ya-x
nodes:
  h1: {}
  h2: {}
links:
  - ["h1:eth0=10.89.2.1/24", "h2:eth0=10.89.2.2/24"]
YAML
LABUP=("--topo linear:2 --name l1" "--topo single:2 --name l1" "$TMP/l1.yaml"
	"--topo single:2 --name l2" "--topo linear:2 --name l2" "$TMP/ya.yaml" "$TMP/yax.yaml")

# The addresses of NS:IF (the same whoever adds it): a veth of the pool
# carrying anything else is a half-made or half-removed one.
addr_of() {
	local i j
	for i in "${!LINKNS[@]}"; do [[ ${LINKNS[i]} == "$1" ]] && break; done
	for j in "${!IFS_[@]}"; do [[ ${IFS_[j]} == "$2" ]] && break; done
	local k=$((i * ${#IFS_[@]} + j + 1))
	echo "10.77.$k.1/24,fd77:$k::1/64"
}

# pick VAR POOL: VAR = a random name of array POOL. Not $(...): a subshell
# reseeds RANDOM, and the run could not be repeated from its seed.
pick() {
	local -n pool_=$2
	printf -v "$1" '%s' "${pool_[RANDOM % ${#pool_[@]}]}"
}

# op W ARGS...: run nsbox ARGS with a timeout and judge the outcome; one
# line "KIND RC SECONDS VERDICT ARGS" per operation in $TMP/res.W.
op() {
	local w=$1 kind=$2
	shift 2
	local t0=$EPOCHREALTIME rc verdict=ok
	timeout -k 3 "$CMD_TIMEOUT" "$BIN" "$@" >"$TMP/o.$w" 2>"$TMP/e.$w"
	rc=$?
	local dt
	dt=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
	local -a err
	mapfile -t err <"$TMP/e.$w"
	local oneline=0
	[[ ${#err[@]} -eq 1 && ${err[0]} == "nsbox: "* ]] && oneline=1
	if [[ $rc -eq 124 || $rc -eq 137 && $kind != exec ]]; then
		verdict=deadlock
	elif [[ $kind == run ]]; then
		if [[ $rc -eq 0 ]]; then
			[[ $(<"$TMP/o.$w") == "$4" && ${#err[@]} -eq 0 ]] || verdict=bad_success
		elif [[ $rc -ne 125 || $oneline -ne 1 ]]; then
			verdict=bad_failure
		fi
	elif [[ $kind == exec ]]; then
		# 137: the sandbox was stopped under the command, which dies
		# with its pid namespace.
		if [[ $rc -eq 125 ]]; then
			((oneline)) || verdict=bad_failure
		elif [[ $rc -ne 0 && $rc -ne 137 ]]; then
			verdict=bad_failure
		fi
	elif [[ $rc -eq 0 ]]; then
		[[ ${#err[@]} -eq 0 ]] || verdict=bad_success
	elif [[ $rc -eq 1 || $rc -eq 2 ]]; then
		((oneline)) || verdict=bad_failure
	else
		verdict=crash
	fi
	echo "$kind $rc $dt $verdict $*" >>"$TMP/res.$w"
	[[ -n ${SOAK_LOG:-} ]] && echo "$t0 $w $kind $rc $dt $* | $(head -c 200 "$TMP/e.$w" | tr '\n' '|')" >>"$SOAK_LOG"
	if [[ $verdict != ok ]]; then
		echo "$verdict: nsbox $* -> exit $rc; stderr: $(head -c 400 "$TMP/e.$w" | tr '\n' '|')" >>"$TMP/bad.$w"
	elif [[ $rc -eq 0 && $kind == stop ]]; then
		# A lab's node may be stopped: see check_labs.
		shift $(($# - 1))
		echo "$1" >>"$TMP/removed.$w"
	fi
}

worker() {
	local w=$1 n=$2 k a b c d
	RANDOM=$3
	for ((k = 0; k < n; k++)); do
		local r=$((RANDOM % 100))
		if ((r < 12)); then
			pick a NETNS
			if ((RANDOM % 3)); then
				op "$w" netns-add netns add "$a"
			else
				pick b NETNS
				[[ $a == "$b" ]] && b=n3
				[[ $a == "$b" ]] && b=n1
				op "$w" netns-add netns add "$a" "$b"
			fi
		elif ((r < 22)); then
			pick a NETNS
			op "$w" netns-del netns del "$a"
		elif ((r < 36)); then
			pick a LINKNS
			pick b LINKNS
			pick c IFS_
			pick d IFS_
			[[ $a == "$b" && $c == "$d" ]] && d=$([[ $c == e0 ]] && echo e1 || echo e0)
			op "$w" link-add link add "$a:$c=$(addr_of "$a" "$c")" "$b:$d=$(addr_of "$b" "$d")"
		elif ((r < 44)); then
			pick a LINKNS
			pick c IFS_
			op "$w" link-del link del "$a:$c"
		elif ((r < 56)); then
			local net=()
			pick a SANDBOXES
			((RANDOM % 2)) && pick b RUNNS && net=(--netns "$b")
			op "$w" run run -d --name "$a" "${net[@]}" -- sleep "$MARK"
		elif ((r < 66)); then
			pick a SANDBOXES
			op "$w" stop stop --timeout 2 "$a"
		elif ((r < 74)); then
			pick a SANDBOXES
			op "$w" exec exec "$a" -- true
		elif ((r < 86)); then
			pick a LABUP
			# shellcheck disable=SC2086 # the spec is words
			op "$w" lab-up -q lab up $a
		elif ((r < 95)); then
			pick a LABS
			# By name, or by a file naming it (l2.yaml: none such).
			((RANDOM % 4)) || a=$TMP/${a//-/}.yaml
			op "$w" lab-down -q lab down "$a"
		else
			pick a LABS
			pick b LINKNS
			case $((RANDOM % 5)) in
			0) op "$w" read --json netns list ;;
			1) op "$w" read --json ps ;;
			2) op "$w" read --json lab list ;;
			3) op "$w" read --json lab status "$a" ;;
			4) op "$w" read --json link list "$b" ;;
			esac
		fi
	done
}

# The burst before the random rounds: the same sandbox started and stopped
# by several commands at once while the netns it joins is deleted and made
# again, where a record can be removed under a launch or a netns deleted
# under one (6 workers: 2 start, 3 stop, 1 deletes and adds the netns).
burst_worker() {
	local w=$1 n=$2 k
	for ((k = 0; k < n; k++)); do
		case $w in
		0 | 1) op "$w" run run -d --name hot --netns hot-ns -- sleep "$MARK" ;;
		2 | 3 | 4) op "$w" stop stop --timeout 2 hot ;;
		5) if ((k % 2)); then op "$w" netns-add netns add hot-ns; else op "$w" netns-del netns del hot-ns; fi ;;
		esac
	done
}

viol=0
violation() {
	viol=$((viol + 1))
	not_ok "$( ((round)) && echo "round $round" || echo burst): $*"
}

# The labs' state against the system: every node's netns there and in the
# journal (netns del refuses a lab's), every host's sandbox running in it. A
# node whose sandbox a successful `stop` of this round stopped is the user's
# doing: the lab goes down (which must work) before the next round.
check_labs() {
	local lab node kind ns removed
	removed=" $(cat "$TMP"/removed.* 2>/dev/null | tr '\n' ' ') "
	"$BIN" --json lab list >"$TMP/labs.json" 2>"$TMP/labs.err" ||
		violation "lab list failed: $(cat "$TMP/labs.err")"
	for lab in $(jq -r '.[].name' "$TMP/labs.json" 2>/dev/null); do
		local st degraded=0
		st=$(jq -r --arg l "$lab" '.[] | select(.name == $l) | .state' "$TMP/labs.json")
		[[ $st == up ]] || violation "lab $lab is $st between operations (a failed up left it)"
		if ! "$BIN" --json lab status "$lab" >"$TMP/status.json" 2>"$TMP/status.err"; then
			violation "lab status $lab: $(cat "$TMP/status.err")"
			continue
		fi
		while read -r node kind; do
			ns=$lab-$node
			local nst pid
			nst=$(jq -r --arg n "$node" '.nodes[] | select(.node == $n) | .state' "$TMP/status.json")
			if [[ ! -e /run/netns/$ns ]]; then
				violation "lab $lab: netns $ns of node $node is missing"
			elif [[ $(cat "/run/nsbox/netns/$ns" 2>/dev/null) != "done" ]]; then
				violation "lab $lab: netns $ns is not in the journal as done"
			elif [[ $kind != bridge && $removed == *" $ns "* ]]; then
				degraded=1
			elif [[ $kind != bridge ]]; then
				pid=$(jq -r --arg n "$ns" '.[] | select(.name == $n and .state == "running") | .pid' "$TMP/ps.json")
				[[ -n $pid && $nst == running ]] ||
					violation "lab $lab: node $node has no running sandbox (status $nst)"
				[[ $(jq -r --arg n "$ns" '.[] | select(.name == $n) | .netns' "$TMP/ps.json") == "$ns" ]] ||
					violation "lab $lab: sandbox $ns is not in netns $ns"
			fi
		done <"/run/nsbox/lab/$lab/nodes"
		if ((degraded)); then
			nsbox -q lab down "$lab"
			[[ $rc -eq 0 ]] || violation "lab down $lab (degraded by a user command): exit $rc: $(cat "$TMP/err")"
		fi
	done
	rm -f "$TMP"/removed.*
}

# Nothing of nsbox runs: the journal and the system must agree.
check_invariants() {
	local e n
	# Namespaces: one mount each; ours in the journal as done, the
	# foreign one not at all; the journal names nothing that is not there.
	for e in $(ls -A /run/netns); do
		n=$(awk -v p="/run/netns/$e" '$5 == p' /proc/self/mountinfo | wc -l)
		[[ $n -eq 1 ]] || violation "/run/netns/$e is mounted $n times"
		if [[ $e == foreign ]]; then
			[[ ! -e /run/nsbox/netns/$e ]] || violation "the foreign netns is in nsbox's journal"
		elif [[ $(cat "/run/nsbox/netns/$e" 2>/dev/null) != "done" ]]; then
			violation "netns $e is not in the journal as done ($(cat "/run/nsbox/netns/$e" 2>&1))"
		fi
	done
	for e in $(ls -A /run/nsbox/netns 2>/dev/null); do
		[[ -e /run/netns/$e ]] || violation "the journal names netns $e, which does not exist"
	done
	n=$(awk '$5 ~ "^/run/netns/"' /proc/self/mountinfo | wc -l)
	[[ $n -eq $(ls -A /run/netns | wc -l) ]] || violation "$n mounts below /run/netns for $(ls -A /run/netns | wc -l) entries"
	e=$(find /run/nsbox -name '.*' | tr '\n' ' ')
	[[ -z $e ]] || violation "journal temporaries left: $e"
	if "$BIN" --json netns list >"$TMP/ns.json" 2>"$TMP/ns.err"; then
		jq -e --arg f foreign 'all(.[]; .valid and ((.name == $f) == (.made_by == "other")))' \
			"$TMP/ns.json" >/dev/null || violation "netns list: $(jq -c . "$TMP/ns.json")"
		[[ $(jq length "$TMP/ns.json") -eq $(ls -A /run/netns | wc -l) ]] ||
			violation "netns list does not list every netns"
	else
		violation "netns list failed: $(cat "$TMP/ns.err")"
	fi

	# Sandboxes: every record complete and running, listed by ps, in a
	# netns that exists; every init of this test recorded.
	"$BIN" --json ps >"$TMP/ps.json" 2>"$TMP/ps.err" || violation "ps failed: $(cat "$TMP/ps.err")"
	for e in $(ls -A /run/nsbox/sandbox 2>/dev/null); do
		grep -q '^pid=[1-9]' "/run/nsbox/sandbox/$e/info" 2>/dev/null ||
			violation "sandbox record $e has no init"
		if ! jq -e --arg n "$e" 'any(.[]; .name == $n and .state == "running")' "$TMP/ps.json" >/dev/null; then
			local pid
			pid=$(sed -n 's/^pid=//p' "/run/nsbox/sandbox/$e/info" 2>/dev/null)
			violation "sandbox $e: not running in ps: $(jq -c --arg n "$e" '.[] | select(.name == $n)' "$TMP/ps.json");" \
				"its init $pid: $(awk '{ print "state " $3 ", start " $22 }' "/proc/$pid/stat" 2>/dev/null || echo gone)," \
				"recorded start $(sed -n 's/^start=//p' "/run/nsbox/sandbox/$e/info" 2>/dev/null)"
		fi
	done
	[[ $(jq length "$TMP/ps.json") -eq $(ls -A /run/nsbox/sandbox 2>/dev/null | wc -l) ]] ||
		violation "ps lists $(jq length "$TMP/ps.json") sandboxes for $(ls -A /run/nsbox/sandbox | wc -l) records"
	local sb
	for sb in $(jq -r '.[] | select(.netns != "none" and .state == "running") | "\(.name)=\(.netns)"' "$TMP/ps.json"); do
		[[ -e /run/netns/${sb#*=} ]] || violation "sandbox ${sb%%=*} runs in netns ${sb#*=}, which does not exist"
	done
	[[ -n ${SOAK_LOG:-} ]] && echo "$EPOCHREALTIME checkpoint $round: $(jq -c '[.[] | [.name, .pid, .netns, .state]]' "$TMP/ps.json")" >>"$SOAK_LOG"
	local pids p
	pids=" $(jq -r '.[].pid' "$TMP/ps.json" | tr '\n' ' ') "
	for p in $(pgrep -f "^$BIN( |\$)"); do
		if [[ $pids != *" $p "* ]] && pid_alive "$p"; then
			violation "init $p ($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)) is in no record"
		fi
	done
	for p in $(pgrep -x -f "sleep $MARK"); do
		local pp
		pp=$(awk '{ print $4 }' "/proc/$p/stat" 2>/dev/null) || continue
		[[ $pids == *" $pp "* ]] || violation "sleep $p runs under $pp, no recorded sandbox's init"
	done

	# Links of the pool: each veth with its peer, up, with its addresses.
	for n in "${LINKNS[@]}"; do
		[[ -e /run/netns/$n ]] || continue
		ip -n "$n" -j -d addr show >"$TMP/addr.json" 2>/dev/null || continue
		for e in "${IFS_[@]}"; do
			jq -e --arg i "$e" 'any(.[]; .ifname == $i)' "$TMP/addr.json" >/dev/null || continue
			local want got
			want=$(addr_of "$n" "$e" | tr ',' '\n' | sort | tr '\n' ' ')
			got=$(jq -r --arg i "$e" '.[] | select(.ifname == $i) | .addr_info[] | select(.scope == "global") | "\(.local)/\(.prefixlen)"' "$TMP/addr.json" | sort | tr '\n' ' ')
			[[ $got == "$want" ]] || violation "link $n:$e has addresses '$got', not '$want'"
			jq -e --arg i "$e" '.[] | select(.ifname == $i) | .linkinfo.info_kind == "veth" and (.flags | index("UP")) != null and (has("link_netnsid") or has("link"))' \
				"$TMP/addr.json" >/dev/null || violation "link $n:$e: not an up veth with its peer: $(jq -c --arg i "$e" '.[] | select(.ifname == $i) | {flags, linkinfo, link_netnsid}' "$TMP/addr.json")"
		done
	done
	e=$(ip -j link show | jq -r '.[] | select(.ifname != "lo") | .ifname' | tr '\n' ' ')
	[[ -z $e ]] || violation "links in the test's own netns: $e"
	mounts_now | grep -v '^/run/netns/' >"$TMP/mounts.now"
	diff -u "$TMP/mounts0" "$TMP/mounts.now" >"$TMP/mdiff" || violation "mounts changed: $(head -c 600 "$TMP/mdiff")"

	check_labs
}

ip netns add foreign
sandbox_begin
mounts_now | grep -v '^/run/netns/' >"$TMP/mounts0"

t_start=$EPOCHREALTIME
round=0
"$BIN" netns add hot-ns
for ((w = 0; w < 6; w++)); do
	burst_worker "$w" $(((BURST + 5) / 6)) &
done
wait
check_invariants
((viol == 0)) && ok "burst: $(((BURST + 5) / 6 * 6)) operations on one sandbox and its netns; the journal and the system agree"
per_round=$(((OPS + ROUNDS - 1) / ROUNDS))
done_ops=0
for ((round = 1; round <= ROUNDS; round++)); do
	n=$((OPS - done_ops < per_round ? OPS - done_ops : per_round))
	for ((w = 0; w < WORKERS; w++)); do
		share=$((n / WORKERS + (w < n % WORKERS ? 1 : 0)))
		worker "$w" "$share" $(((SEED * 7919 + round * 104729 + w * 1299709) % 32768)) &
	done
	wait
	done_ops=$((done_ops + n))
	v0=$viol
	check_invariants
	((viol == v0)) && ok "round $round: $n operations; the journal and the system agree"
done
t_ops=$(awk -v a="$t_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')

# Every command's outcome.
cat "$TMP"/res.* >"$TMP/results"
total=$(wc -l <"$TMP/results")
bad=$(cat "$TMP"/bad.* 2>/dev/null | wc -l)
deadlocks=$(grep -c ' deadlock ' "$TMP/results")
want=$((OPS + (BURST + 5) / 6 * 6))
[[ $total -eq $want ]] && ok "$total operations ran" || not_ok "$total operations ran, not $want"
if [[ $bad -eq 0 ]]; then
	ok "every command succeeded or failed with one 'nsbox:' line and its exit code"
else
	not_ok "$bad commands misbehaved: $(cat "$TMP"/bad.* | head -10 | tr '\n' ';')"
fi
[[ $deadlocks -eq 0 ]] && ok "no command hung (timeout ${CMD_TIMEOUT}s)" || not_ok "$deadlocks commands hung"
echo "# outcomes (kind: exit status x count, slowest):"
awk '{ n[$1 " " $2]++; if ($3 > m[$1]) m[$1] = $3 }
	END { for (k in n) { split(k, a, " "); printf "#   %-10s exit %-3s x %4d (slowest of kind %ss)\n", a[1], a[2], n[k], m[a[1]] } }' \
	"$TMP/results" | sort

# Teardown with nsbox's own commands, then cleanup, which must find
# nothing more.
for lab in $("$BIN" --json lab list | jq -r '.[].name'); do
	expect 0 "teardown: lab down $lab" -q lab down "$lab"
done
names=$("$BIN" --json ps | jq -r '.[].name' | tr '\n' ' ')
[[ -n $names ]] && expect 0 "teardown: stop $names" stop --timeout 2 $names
names=$(ls -A /run/nsbox/netns 2>/dev/null | tr '\n' ' ')
[[ -n $names ]] && expect 0 "teardown: netns del $names" netns del $names
expect 0 "teardown: cleanup" cleanup
out_is "cleanup found nothing more" ""
ip netns del foreign
assert_clean
assert_sandbox_clean "^sleep $MARK\$"
if no_procs 3 "^$BIN( |\$)"; then
	ok "teardown: no process of this test's nsbox left"
else
	not_ok "teardown: left: $(pgrep -af "^$BIN" | head -3 | tr '\n' ';')"
	# They live on after this test's namespaces: kill them (an init takes
	# its pid namespace along), by the pids that are this test's own.
	for p in $(pgrep -f "^$BIN( |\$)"); do kill -9 "$p"; done
fi
t_all=$(awk -v a="$t_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')

echo "# soak: seed $SEED: $total operations by $WORKERS workers in ${t_ops}s ($t_all s with teardown);" \
	"$bad misbehaving commands, $viol invariant violations, $deadlocks deadlocks"
done_testing
