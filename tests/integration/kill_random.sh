#!/bin/bash
# SIGKILL at random points (issue #6): `lab up` (an example lab and
# linear:10), `lab down`, `run -d`, `stop` and `cleanup` itself (of a lab, a
# sandbox and a netns) are each started and killed with SIGKILL after a
# random delay spread over the command's measured duration, KILL_TRIALS
# times each (default 12). Recovery is nsbox's own:
# `lab down LAB` first in some lab trials, then `nsbox cleanup` always.
# Afterwards nothing may be left: no netns, link or mount, no journal
# entry, no process of this test's nsbox (no sandbox init left alive);
# and a netns made with `ip netns add` beforehand stays untouched.
# KILL_SEED (default: random, printed) repeats the same delays.
. "$TESTLIB"

SEED=${KILL_SEED:-$(((RANDOM << 15 | RANDOM) % 1000000))}
TRIALS=${KILL_TRIALS:-12}
RANDOM=$SEED
echo "# kill_random: seed $SEED (KILL_SEED=$SEED repeats it), $TRIALS trials per command"

# Through a path of this test's own, every init nsbox starts is findable
# by its command line (an init is a clone of nsbox and keeps its argv).
BIN=$TMP/nsbox
ln -s "$(realpath "$NSBOX")" "$BIN"
MARK=$((600000 + SEED % 100000))
EXAMPLE=$SRCDIR/examples/03-static-routing/lab.yaml
EXNAME=static

ip netns add foreign
foreign_ino=$(stat -L -c %i /run/netns/foreign)
sandbox_begin

now() { echo "$EPOCHREALTIME"; }
# pause SECONDS: read's timeout on a fifo nobody writes: no sleep(1) to
# fork and exec, whose start would dwarf the shortest delays.
mkfifo "$TMP/never"
exec 9<>"$TMP/never"
pause() { read -r -t "$1" -u 9 || true; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.4f", b - a }'; }

# measure ARGS...: the median of three undisturbed runs of nsbox ARGS, in
# seconds, each after SETUP as in the trials; fails if one fails.
measure() {
	local t=() i t0
	for i in 1 2 3; do
		"${setup[@]}" >/dev/null 2>&1
		t0=$(now)
		"$BIN" "$@" >/dev/null 2>"$TMP/measure.err" || return 1
		t+=("$(elapsed "$t0")")
		"$BIN" -q cleanup >/dev/null 2>&1
	done
	printf '%s\n' "${t[@]}" | sort -n | sed -n 2p
}

# What is left of nsbox's doing, one line per kind; empty when nothing.
leftovers() {
	local left p
	left=$(ls -A /run/netns 2>/dev/null | grep -vx foreign | tr '\n' ' ')
	[[ -n $left ]] && echo "netns: $left"
	[[ $(stat -L -c %i /run/netns/foreign 2>/dev/null) == "$foreign_ino" ]] ||
		echo "the foreign netns is gone or replaced"
	left=$(ip -j link show | jq -r '.[] | select(.ifname != "lo") | .ifname' | tr '\n' ' ')
	[[ -n $left ]] && echo "links: $left"
	if ! mounts_now | diff -q "$TMP/mounts0" - >/dev/null; then
		echo "mounts: $(mounts_now | diff "$TMP/mounts0" - | grep '^[<>]' | tr '\n' ' ')"
	fi
	left=$(find /run/nsbox -mindepth 1 ! -type d ! -path /run/nsbox/lock 2>/dev/null | tr '\n' ' ')
	[[ -n $left ]] && echo "journal: $left"
	left=""
	for p in $(pgrep -f "^$BIN( |\$)") $(pgrep -x -f "sleep $MARK"); do
		pid_alive "$p" && left+="$p($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)) "
	done
	[[ -n $left ]] && echo "processes: $left"
	return 0
}

# The processes may take a moment to go (a killed init's pid namespace is
# torn down by the kernel, an orphan reaped by the machine's PID 1).
settled_leftovers() {
	local i out
	for ((i = 0; i < 40; i++)); do
		out=$(leftovers)
		[[ -z $out ]] && return 0
		sleep 0.05
	done
	echo "$out"
}

trials=0
killed=0
leaks=0
# trial KIND DURATION LAB ARGS...: run SETUP, start nsbox ARGS, SIGKILL it
# after a random delay in [0, 1.2 x DURATION], recover, look for leftovers.
trial() {
	local kind=$1 dur=$2 lab=$3 delay pid rc down="" out
	shift 3
	"${setup[@]}" >/dev/null 2>&1
	delay=$(awk -v d="$dur" -v r="$RANDOM" 'BEGIN { printf "%.4f", d * 1.2 * r / 32767 }')
	"$BIN" "$@" >/dev/null 2>&1 &
	pid=$!
	pause "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	# 137: died of the SIGKILL; anything else: it had ended already.
	(($? == 137)) && killed=$((killed + 1))
	trials=$((trials + 1))
	# The journal must still be readable, whatever the moment of death.
	"$BIN" --json ps >/dev/null 2>"$TMP/ps.err" || {
		not_ok "$kind killed at ${delay}s: nsbox ps then failed: $(cat "$TMP/ps.err")"
		leaks=$((leaks + 1))
	}
	if [[ -n $lab ]] && ((RANDOM % 2)); then
		nsbox -q lab down "$lab"
		down=" lab down (exit $rc);"
		# 2: killed before its record was written, no lab to take down.
		if [[ $rc -ne 0 && $rc -ne 2 ]]; then
			not_ok "$kind killed at ${delay}s: lab down $lab: exit $rc: $(cat "$TMP/err")"
			leaks=$((leaks + 1))
		fi
	fi
	nsbox -q cleanup
	if [[ $rc -ne 0 ]]; then
		not_ok "$kind killed at ${delay}s:$down cleanup: exit $rc: $(cat "$TMP/err")"
		leaks=$((leaks + 1))
	fi
	out=$(settled_leftovers)
	if [[ -n $out ]]; then
		not_ok "$kind killed at ${delay}s (nsbox $*):$down cleanup left: $(tr '\n' ';' <<<"$out")"
		leaks=$((leaks + 1))
		# The next trial starts afresh, so that each leak counts once:
		# this test's own leftovers go, whatever nsbox could not remove.
		for p in $(pgrep -f "^$BIN( |\$)"); do kill -9 "$p"; done
		"$BIN" -q cleanup >/dev/null 2>&1
		find /run/nsbox -mindepth 1 ! -type d ! -path /run/nsbox/lock -delete 2>/dev/null
		for p in $(ls -A /run/netns | grep -vx foreign); do ip netns del "$p"; done
	fi
}

# kill_series KIND LAB ARGS...: measure, then TRIALS kills.
kill_series() {
	local kind=$1 lab=$2 dur t0 l0=$leaks n0=$trials k0=$killed k
	shift 2
	if ! dur=$(measure "$@"); then
		not_ok "$kind: nsbox $* fails undisturbed: $(cat "$TMP/measure.err")"
		"$BIN" -q cleanup >/dev/null 2>&1
		return
	fi
	t0=$(now)
	for ((k = 0; k < TRIALS; k++)); do
		trial "$kind" "$dur" "$lab" "$@"
	done
	((leaks == l0)) && ok "$kind: $((trials - n0)) SIGKILLs within 0-$(awk -v d="$dur" 'BEGIN { printf "%.0f", d * 1200 }') ms (it takes ${dur}s; $((killed - k0)) died of it, the others had ended), nothing left ($(elapsed "$t0")s)"
}

# --- lab up: an example and a generated lab ---
setup=(true)
kill_series "lab up $EXNAME" "$EXNAME" -q lab up "$EXAMPLE"
kill_series "lab up linear:10" k10 -q lab up --topo linear:10 --name k10

# --- lab down of a lab that is up ---
setup=("$BIN" -q lab up --topo linear:10 --name k10)
kill_series "lab down" k10 -q lab down k10

# --- run -d, in a netns of its own and in an nsbox netns ---
setup=(true)
kill_series "run -d" "" run -d --name kr -- sleep "$MARK"
setup=("$BIN" netns add kn)
kill_series "run -d --netns" "" run -d --name kr --netns kn -- sleep "$MARK"

# --- stop of a running sandbox ---
setup=("$BIN" run -d --name ks -- sleep "$MARK")
kill_series "stop" "" stop --timeout 2 ks

# --- cleanup itself, of a lab, a sandbox and a netns: the next one
# finishes the work ---
mix() {
	"$BIN" -q lab up --topo linear:4 --name kc && "$BIN" run -d --name kc1 -- sleep "$MARK" &&
		"$BIN" netns add kcn
}
setup=(mix)
kill_series "cleanup" "" -q cleanup

echo "# kill_random: seed $SEED: $trials trials ($killed killed mid-way), $leaks with something left"
ip netns del foreign
assert_clean
done_testing
