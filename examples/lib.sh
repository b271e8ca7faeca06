# shellcheck shell=bash
# Sourced by every examples/*/check. A check brings its lab up, verifies
# what the lab's EXERCISE.md claims with iproute2, ping, curl, iperf3...,
# runs `nsbox lab check`, takes the lab down and asserts nothing is left.
# It prints one "ok N - ..." or "not ok N - ..." line per assertion and
# exits non-zero if any failed.
#
#   sudo ./check                        # nsbox from $PATH
#   sudo NSBOX=../../build/src/nsbox ./check
#
# Unless NSBOX_HERMETIC is set (the test suite sets it), the check first
# re-executes itself in a mount and network namespace of its own with a
# tmpfs on /run, so that whatever it does (or a bug leaves) dies with it.
set -uo pipefail

NSBOX=${NSBOX:-nsbox}
EXAMPLE_DIR=$(cd "$(dirname "$0")" && pwd)

if ! NSBOX=$(command -v -- "$NSBOX"); then
	echo "Bail out! nsbox not found (set NSBOX to the binary)"
	exit 1
fi
case $NSBOX in /*) ;; *) NSBOX=$PWD/$NSBOX ;; esac
export NSBOX

if [[ -z ${NSBOX_HERMETIC:-} ]]; then
	if [[ $(id -u) -ne 0 ]]; then
		echo "Bail out! the examples need root (network namespaces, mounts)"
		exit 1
	fi
	export NSBOX_HERMETIC=1
	exec unshare --mount --net -- bash -c \
		'mount -t tmpfs nsbox-example /run && ip link set lo up && exec "$0" "$@"' \
		"$0" "$@"
fi

cd "$EXAMPLE_DIR" || exit 1
TMP=$(mktemp -d)
checks=0
fails=0
LABS_UP=()

# A check may define example_cleanup, run at exit before the labs go down.
cleanup() {
	local lab
	declare -F example_cleanup >/dev/null && example_cleanup
	for lab in "${LABS_UP[@]}"; do
		"$NSBOX" lab down "$lab" >/dev/null 2>&1
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

ok() {
	checks=$((checks + 1))
	echo "ok $checks - $*"
}

not_ok() {
	checks=$((checks + 1))
	fails=$((fails + 1))
	echo "not ok $checks - $*"
}

# check DESC CMD...: CMD must succeed; its output is kept in $TMP/out and
# shown (the first lines) when it fails.
check() {
	local desc=$1
	shift
	if "$@" >"$TMP/out" 2>&1; then
		ok "$desc"
	else
		not_ok "$desc"
		head -c 1500 "$TMP/out" | sed 's/^/#   /'
	fi
}

# check_not DESC CMD...: CMD must fail.
check_not() {
	local desc=$1
	shift
	if "$@" >"$TMP/out" 2>&1; then
		not_ok "$desc (it succeeded)"
		head -c 1500 "$TMP/out" | sed 's/^/#   /'
	else
		ok "$desc"
	fi
}

# check_eq DESC GOT WANT
check_eq() {
	if [[ $2 == "$3" ]]; then ok "$1"; else not_ok "$1 (got '$2', expected '$3')"; fi
}

# in_node LAB NODE CMD...: CMD in the node's network namespace only, as
# iproute2 does it (the filesystem, processes and hostname are the
# caller's). Use lab_exec for the node's own view.
in_node() {
	local lab=$1 node=$2
	shift 2
	ip netns exec "$lab-$node" "$@"
}

# lab_exec LAB NODE CMD...: CMD inside the node: its netns and its mount,
# UTS, IPC and PID namespaces, its root.
lab_exec() {
	local lab=$1 node=$2
	shift 2
	"$NSBOX" lab exec "$lab" "$node" -- "$@"
}

# pings RUNNER... ADDR: RUNNER... ping -c1 ADDR answers, at the first of
# three tries (a lone packet may be lost on a busy machine); up to 8 s of
# tries while the kernel's neighbour table is full (see neigh_full).
pings() {
	local addr=${!#} try
	local run=("${@:1:$#-1}")
	for try in $(seq 1 16); do
		"${run[@]}" ping -c1 -W1 "$addr" && return 0
		((try >= 3)) && ! neigh_full >/dev/null && break
		sleep 0.5
	done
	neigh_full
	return 1
}

# neigh_full: true, and says so, when the kernel's ARP or IPv6 neighbour
# table is full. Each is one table for every network namespace of the
# machine (gc_thresh3 entries, 1024 by default), so big labs or a Mininet
# run elsewhere on the machine make IPv4 or IPv6 sends fail here with
# ENOBUFS ("No buffer space available") until entries are 5 s old and can
# be reclaimed.
neigh_full() {
	local table entries max full=1
	for table in arp_cache ndisc_cache; do
		entries=$((16#$(awk 'NR == 2 {print $1}' /proc/net/stat/$table 2>/dev/null || echo 0)))
		max=1024
		[[ $table == arp_cache ]] && max=$(cat /proc/sys/net/ipv4/neigh/default/gc_thresh3 2>/dev/null || echo 1024)
		[[ $table == ndisc_cache ]] && max=$(cat /proc/sys/net/ipv6/neigh/default/gc_thresh3 2>/dev/null || echo 1024)
		if ((entries >= max)); then
			echo "# note: the kernel's $table, shared by every netns on the machine, is full ($entries of $max entries)"
			full=0
		fi
	done
	return $full
}

# lab_up LAB FILE: bring the lab up or bail out (nothing else can pass);
# then wait until its IPv6 addresses can be reached (ipv6_ready).
lab_up() {
	local lab=$1 file=$2
	if "$NSBOX" lab up "$file" >"$TMP/up" 2>&1; then
		LABS_UP+=("$lab")
		ok "nsbox lab up $file"
	else
		not_ok "nsbox lab up $file: $(cat "$TMP/up")"
		echo "Bail out! the lab did not come up"
		exit 1
	fi
	ipv6_ready "$lab"
}

# expand6 ADDR: the 32 hex digits of an IPv6 address.
expand6() {
	local addr=$1 head tail out="" g i
	local -a h t groups
	if [[ $addr == *::* ]]; then head=${addr%%::*} tail=${addr#*::}; else head=$addr tail=""; fi
	IFS=: read -ra h <<<"$head"
	IFS=: read -ra t <<<"$tail"
	groups=("${h[@]}")
	for ((i = ${#h[@]} + ${#t[@]}; i < 8; i++)); do groups+=(0); done
	groups+=("${t[@]}")
	for g in "${groups[@]}"; do out+=$(printf %04x "0x${g:-0}"); done
	echo "$out"
}

# _groups_missing LAB: the global IPv6 addresses of the lab's nodes whose
# solicited-node multicast group their interface has not joined yet.
_groups_missing() {
	local ns addr hex
	for ns in $(ip netns list | awk -v p="$1-" 'index($1, p) == 1 {print $1}'); do
		for addr in $(ip -n "$ns" -j -6 addr show scope global | jq -r '.[].addr_info[] | select(.local) | .local'); do
			hex=$(expand6 "$addr")
			ip netns exec "$ns" grep -q "ff0200000000000000000001ff${hex:26}" /proc/net/igmp6 ||
				echo "$ns:$addr"
		done
	done
}

# ipv6_ready LAB: an IPv6 address answers neighbour solicitations only once
# its interface has joined the address's solicited-node multicast group.
# The kernel joins it in its addrconf work, after the address is added and
# asynchronously, even for a "nodad" address; that work takes the RTNL
# lock, so on a machine busy with other labs it can run seconds after
# `nsbox lab up` has returned, and an IPv6 ping before then fails
# (neighbour INCOMPLETE). Wait for it, up to 10 s, and say how long it took.
ipv6_ready() {
	local start missing waited
	start=$(date +%s%N)
	missing=$(_groups_missing "$1")
	[[ -z $missing ]] && return 0
	while waited=$((($(date +%s%N) - start) / 1000000)) && ((waited < 10000)); do
		sleep 0.1
		missing=$(_groups_missing "$1")
		[[ -z $missing ]] && break
	done
	waited=$((($(date +%s%N) - start) / 1000000))
	if [[ -z $missing ]]; then
		ok "IPv6 addresses of $1 reachable $waited ms after lab up (solicited-node groups joined late)"
	else
		not_ok "IPv6 addresses still unreachable $waited ms after lab up: $(tr '\n' ' ' <<<"$missing")"
	fi
}

# lab_check LAB: every pair of nodes reaches every other as declared.
lab_check() {
	local try
	for try in 1 2 3 4; do
		"$NSBOX" --json lab check "$1" >"$TMP/check.json" 2>"$TMP/check.err" && break
		# Only a full neighbour table (someone else's big lab) is worth a
		# second try; anything else is a failure at once.
		neigh_full || break
		sleep 2
	done
	if jq -e '.ok' "$TMP/check.json" >/dev/null 2>&1; then
		ok "nsbox lab check $1: $(jq '.pairs | length' "$TMP/check.json") pairs as expected"
	else
		not_ok "nsbox lab check $1: $(cat "$TMP/check.err") $(jq -c '[.pairs[] | select(.reached != .expected)]' "$TMP/check.json" 2>/dev/null)"
	fi
}

# lab_down LAB: take it down; then no LAB-* netns, no journal of it.
lab_down() {
	local lab=$1 l
	if "$NSBOX" lab down "$lab" >"$TMP/down" 2>&1; then
		ok "nsbox lab down $lab"
	else
		not_ok "nsbox lab down $lab: $(cat "$TMP/down")"
	fi
	local kept=()
	for l in "${LABS_UP[@]}"; do [[ $l == "$lab" ]] || kept+=("$l"); done
	LABS_UP=("${kept[@]}")
	assert_gone "$lab"
}

# assert_gone LAB: no netns of the lab is left, and nsbox knows no such lab.
assert_gone() {
	local lab=$1 left
	left=$(ip netns list | awk -v p="$lab-" 'index($1, p) == 1 {print $1}' | tr '\n' ' ')
	if [[ -z $left ]]; then ok "nothing of $lab left in ip netns list"; else not_ok "netns left: $left"; fi
	if "$NSBOX" --json lab list 2>/dev/null | jq -e --arg l "$lab" 'all(.[]; .name != $l)' >/dev/null; then
		ok "nsbox lab list does not know $lab"
	else
		not_ok "nsbox lab list still has $lab: $("$NSBOX" lab list 2>&1)"
	fi
}

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds.
wait_for() {
	local tries=$(($1 * 10))
	shift
	while ((tries-- > 0)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	"$@" >/dev/null 2>&1
}

# finish: the summary line and the exit status.
finish() {
	echo "# $checks checks, $fails failed"
	((fails == 0))
	exit $?
}
