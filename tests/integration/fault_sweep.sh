#!/bin/bash
# Fault injection without hooks in the product (issue #6): every operation
# runs under strace, which makes the Nth call of one syscall fail, for every
# N from 1 to the number of such calls the operation makes (counted first,
# per process: strace counts each process's calls on its own), and for each
# syscall of a set: netlink (sendmsg, recvmsg, socket, bind), mounts,
# namespaces (clone3, clone, unshare, setns), files (openat, openat2, mkdir,
# mkdirat, write, rename...). Each case must end in one of two ways:
#   - a failure: non-zero exit, one line "nsbox: ..." on stderr, and the
#     machine as before: namespaces, links, addresses, routes, mounts, the
#     journal (lib.sh's snapshot), plus the whole mount table, the nftables
#     ruleset, the forwarding sysctls, /etc/netns and the processes running
#     nsbox's binary or the test's command;
#   - or exit 0, when the failure was tolerated or retried: then the
#     operation must have done all of its work (checked, then undone).
# A command carried out whose output could not be written says so (exit 1,
# "only its output is lost"): it must have done all of its work.
# A failure past the point of no return (a foreground run whose command
# ran, but whose record could not be removed) may leave something if its
# message names the nsbox command that removes it: that command must.
# Teardowns (netns del, link del, stop, uplink del, lab down) promise less:
# a failed one says so in one "nsbox: " line and running the same command
# again finishes the job and leaves the machine as before the object was
# made.
#
# The counts start at main(): a preloaded constructor (built here, in the
# test) stops nsbox once the dynamic loader is done, strace attaches, and a
# SIGCONT lets it go; otherwise the loader's own openat calls would take the
# first N. strace -b execve leaves the commands nsbox starts alone.
#
# The suite runs every N for cheap pairs and a stride of at most
# FAULT_CAP (default 3) values for the others; FAULT_FULL=1 (scripts/faults)
# runs every N. FAULT_OPS="netns-add link-del ..." and FAULT_SYSCALLS limit
# the sweep. The last line of the output gives the figures.
# A pid namespace of the test's own, with this script as its PID 1: what
# nsbox leaves running is the test's to find (nsbox_procs sees no one
# else's processes) and dies with the test at the latest.
if [[ -z ${FAULT_PIDNS:-} && $(id -u) -eq 0 ]]; then
	export FAULT_PIDNS=1
	exec unshare --pid --fork --kill-child --mount --mount-proc -- "$BASH" "$0" "$@"
fi
. "$TESTLIB"
. "$(dirname "$TESTLIB")/uplink_lib.sh"

if ! command -v strace >/dev/null; then
	echo "SKIP: strace is needed"
	exit 77
fi
if ! strace -qq -o /dev/null -e trace=getpid -e inject=getpid:error=EPERM:when=1 true 2>/dev/null; then
	echo "SKIP: this strace cannot inject faults (strace -e inject)"
	exit 77
fi
t0=$(date +%s)
if [[ -n ${FAULT_DEBUG:-} ]]; then # a file: an xtrace with times goes there
	exec 9>>"$FAULT_DEBUG"
	BASH_XTRACEFD=9 PS4='+ ${EPOCHREALTIME} '
	set -x
fi
FULL=${FAULT_FULL:-0}
CAP=${FAULT_CAP:-3}
OPS=${FAULT_OPS:-netns-add netns-del link-add link-del run run-uplink run-d stop uplink-add uplink-del lab-up lab-down}
SYSCALLS=${FAULT_SYSCALLS:-sendmsg recvmsg socket bind mount umount2 clone3 clone unshare setns
	pidfd_open openat openat2 mkdir mkdirat write rename renameat unlink unlinkat rmdir flock
	pivot_root pipe2 socketpair}
SYSCALLS=$(echo $SYSCALLS)
# The errno each syscall fails with: one its callers can really get.
errno_of() {
	case $1 in
	sendmsg) echo ENOBUFS ;;
	recvmsg | mount | clone3 | clone | unshare | setns | pidfd_open | pivot_root) echo ENOMEM ;;
	socket | openat | openat2 | pipe2 | socketpair) echo EMFILE ;;
	bind) echo EADDRINUSE ;;
	umount2 | rmdir | unlink | unlinkat) echo EBUSY ;;
	mkdir | mkdirat | write | rename | renameat) echo ENOSPC ;;
	flock) echo ENOLCK ;;
	*) echo EIO ;;
	esac
}

# An ASan build works under strace, LeakSanitizer does not (it refuses to
# run under ptrace), and the runtime must not insist on being the first
# library while the constructor below is preloaded.
if grep -qa __asan_init "$NSBOX"; then
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0:verify_asan_link_order=0
fi

cat >"$TMP/stop.c" <<'EOF'
#include <signal.h>
#include <stdlib.h>
/* Runs after the dynamic loader has mapped every library, before main. */
__attribute__((constructor)) static void fault_stop(void)
{
	unsetenv("LD_PRELOAD");
	raise(SIGSTOP);
}
EOF
if ! gcc -shared -fPIC -O2 -o "$TMP/stop.so" "$TMP/stop.c" 2>"$TMP/gcc.err"; then
	echo "Bail out! cannot build the preloaded stop: $(head -c 300 "$TMP/gcc.err")"
	exit 1
fi
chmod 755 "$TMP" "$TMP/stop.so"

TRACE=$TMP/trace
CMD=424242$$ # the detached sandbox's command: sleep $CMD
SLEEP=$(command -v sleep)

_state_of() { awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null; }
_stopped() { [[ $(_state_of "$1") == T ]]; }
_traced() { [[ $(awk '$1 == "TracerPid:" { print $2 }' "/proc/$1/status" 2>/dev/null) != 0 ]]; }

# traced TRACE-SET INJECT ARGS...: nsbox ARGS with its calls of TRACE-SET
# written to $TRACE, INJECT (an strace -e inject=... value) if not empty;
# stdout in $TMP/out, stderr in $TMP/err, the exit status in $rc.
# strace detaches (SIGTERM) as soon as nsbox itself has exited: what
# outlives it (a detached sandbox, a lab's nodes) goes on untraced.
traced() {
	local set=$1 inject=() p s
	[[ -n $2 ]] && inject=(-e inject="$2")
	shift 2
	LD_PRELOAD=$TMP/stop.so "$NSBOX" "$@" >"$TMP/out" 2>"$TMP/err" &
	p=$!
	if ! wait_until 5 _stopped "$p"; then
		echo "Bail out! nsbox did not stop in the preloaded constructor (state $(_state_of "$p"))"
		exit 1
	fi
	strace -p "$p" -f -qq -I 2 -b execve -o "$TRACE" -e trace="$set" "${inject[@]}" 2>"$TMP/strace.err" &
	s=$!
	if ! wait_until 5 _traced "$p"; then
		echo "Bail out! strace does not attach: $(head -c 300 "$TMP/strace.err")"
		exit 1
	fi
	kill -CONT "$p"
	wait "$p"
	rc=$?
	kill -TERM "$s" 2>/dev/null
	wait "$s" 2>/dev/null
	return 0
}

# counts: "SYSCALL N" for each syscall in $TRACE, N the most calls of it one
# process made.
counts() {
	sed -nE 's/^([0-9]+) +([a-z0-9_]+)\(.*/\1 \2/p' "$TRACE" | sort | uniq -c |
		awk '{ if ($1 > m[$3]) m[$3] = $1 } END { for (s in m) print s, m[s] }' | sort
}

# nsbox_procs [pid]: the command lines (or pids) of the processes that run
# nsbox's binary (sandbox and lab node inits) or the test's command; in the
# test's own pid namespace, so none of anyone else's.
nsbox_procs() {
	local p a
	for p in /proc/[0-9]*; do
		# Builtins only: this runs after every case.
		[[ $p/exe -ef $NSBOX || $p/exe -ef $SLEEP ]] || continue
		mapfile -d '' -t a 2>/dev/null <"$p/cmdline" || continue
		[[ $p/exe -ef $NSBOX || ${a[*]} == "sleep $CMD" ]] || continue
		if [[ ${1:-} == pid ]]; then echo "${p#/proc/}"; else echo "${a[*]}"; fi
	done | sort
}

# state: lib.sh's snapshot and what else an operation may touch.
state() {
	snapshot
	echo "mount table:"
	mounts_now
	echo "nft:"
	nft list ruleset 2>&1
	echo "sysctl: ip_forward=$(fwd4) ipv6 forwarding=$(fwd6)"
	echo "/etc/netns:"
	find /etc/netns 2>/dev/null | sort
	echo "processes:"
	nsbox_procs
}

_state_is_before() {
	state >"$TMP/after"
	diff -u "$TMP/before" "$TMP/after" >"$TMP/diff"
}
# same_state: the machine is as $TMP/before says; a process that nsbox
# killed may take a moment to go.
# (Three seconds by the clock: wait_until counts tries, and one snapshot
# takes a third of a second.)
same_state() {
	local end=$((SECONDS + 3))
	until _state_is_before; do
		((SECONDS < end)) || return 1
		sleep 0.1
	done
}

# --- the operations ---
# For each: its command (args_of), what it needs (need: made once, before
# the state it must return to is taken), the object a teardown removes
# (make, before each case), what is true when an addition succeeded (made)
# and how to undo it (undo).
LAB=$SRCDIR/examples/01-two-hosts/lab.yaml
PAIR=(fa:v0=10.0.0.1/24,fd00::1/64 fb:v0=10.0.0.2/24,fd00::2/64)

# has_addr NS IF ADDR/LEN: iproute2 sees ADDR/LEN on IF in NS, IF up.
has_addr() {
	ip -n "$1" -j addr show dev "$2" 2>/dev/null | jq -e --arg a "${3%/*}" --argjson l "${3#*/}" \
		'.[0] | (.flags | index("UP")) and any(.addr_info[]; .local == $a and .prefixlen == $l)' >/dev/null
}
lo_up() { ip -n "$1" -j link show dev lo 2>/dev/null | jq -e '.[0].flags | index("UP")' >/dev/null; }
uplink_listed() { "$NSBOX" uplink list --json 2>/dev/null | jq -e --arg n "$1" 'any(.[]; .netns == $n or .name == $n)' >/dev/null; }
sandbox_running() { "$NSBOX" --json ps 2>/dev/null | jq -e --arg n "$1" 'any(.[]; .name == $n and .state == "running")' >/dev/null; }
quiet_nsbox() { "$NSBOX" "$@" >/dev/null 2>&1; }

args_of() {
	case $1 in
	netns-add | netns-del) args=(netns "${1#netns-}" fa fb) ;;
	link-add) args=(link add "${PAIR[@]}") ;;
	link-del) args=(link del fa:v0) ;;
	run) args=(run -- /bin/true) ;;
	run-uplink) args=(run --uplink -- /bin/true) ;;
	run-d) args=(run -d --name fd --netns fa -- sleep "$CMD") ;;
	stop) args=(stop --timeout 2 fd) ;;
	uplink-add | uplink-del) args=(uplink "${1#uplink-}" fa) ;;
	lab-up) args=(lab up "$LAB") ;;
	lab-down) args=(lab down two-hosts) ;;
	esac
}
teardown() { [[ $1 == *-del || $1 == stop || $1 == lab-down ]]; }
uses_netns() { [[ $1 == link-* || $1 == run-d || $1 == stop || $1 == uplink-* ]]; }

need() {
	if uses_netns "$1" && ! quiet_nsbox netns add fa fb; then
		echo "Bail out! $1: cannot make netns fa and fb"
		exit 1
	fi
	[[ $1 != uplink-* ]] || internet_up
}
unneed() {
	[[ $1 != uplink-* ]] || internet_down
	! uses_netns "$1" || quiet_nsbox netns del fa fb
	return 0
}

make() {
	case $1 in
	netns-del) quiet_nsbox netns add fa fb ;;
	link-del) quiet_nsbox link add "${PAIR[@]}" ;;
	stop) quiet_nsbox run -d --name fd --netns fa -- sleep "$CMD" ;;
	uplink-del) quiet_nsbox uplink add fa ;;
	lab-down) quiet_nsbox lab up "$LAB" ;;
	esac
}

made() {
	case $1 in
	netns-add) lo_up fa && lo_up fb ;;
	link-add) has_addr fa v0 10.0.0.1/24 && has_addr fa v0 fd00::1/64 &&
		has_addr fb v0 10.0.0.2/24 && has_addr fb v0 fd00::2/64 ;;
	run | run-uplink) true ;; # its exit status is /bin/true's
	run-d) grep -qx fd "$TMP/out" && sandbox_running fd ;;
	uplink-add) uplink_listed fa && [[ -s /etc/netns/fa/resolv.conf ]] && nsbox_table &&
		ip -n fa -j route show default | jq -e 'any(.[]; .dev == "uplink0")' >/dev/null ;;
	lab-up) has_addr two-hosts-alice eth0 10.1.0.1/24 && has_addr two-hosts-bob eth0 fd00:1::2/64 &&
		"$NSBOX" --json lab status two-hosts >"$TMP/status.json" 2>/dev/null &&
		jq -e '.state == "up" and (.nodes | length == 2) and all(.nodes[]; .state == "running")' \
			"$TMP/status.json" >/dev/null ;;
	esac
}

undo() {
	case $1 in
	netns-add | netns-del) quiet_nsbox netns del fa fb ;;
	link-add | link-del) quiet_nsbox link del fa:v0 ;;
	run-d | stop) quiet_nsbox stop --timeout 2 fd ;;
	uplink-add | uplink-del) quiet_nsbox uplink del fa ;;
	lab-up | lab-down) quiet_nsbox lab down two-hosts ;;
	esac
}

# again OP: a failed teardown once more, on what is left of its object
# (netns del fa fb refuses a name that is gone); sets $rc.
again() {
	local left=() n
	if [[ $1 == netns-del ]]; then
		for n in fa fb; do
			[[ -e /run/netns/$n ]] && left+=("$n")
		done
		rc=0
		((${#left[@]} == 0)) || nsbox netns del "${left[@]}"
	else
		nsbox "${args[@]}"
	fi
}

# cleanup_all OP: nsbox cleanup removes everything its journal names
# (also fa and fb, which are made again).
cleanup_all() {
	quiet_nsbox cleanup
	uses_netns "$1" && ! [[ -e /run/netns/fa ]] && quiet_nsbox netns add fa fb
	return 0
}

# restore OP: after a case that left something, by any means: undo,
# cleanup, kill what still runs (in the test's own pid namespace, so only
# the test's processes), delete by hand.
restore() {
	local p
	undo "$1"
	_state_is_before && return 0
	cleanup_all "$1"
	for p in $(nsbox_procs pid); do
		kill -9 "$p" 2>/dev/null
	done
	ip link del v0 2>/dev/null
	for p in $(ls -A /run/netns 2>/dev/null); do
		grep -qx "$p" <(sed -n '/^netns:$/,/^==/p' "$TMP/before") || ip netns del "$p"
	done
	for p in $(find /run/nsbox -mindepth 2 -not -name lock 2>/dev/null | sort -r); do
		grep -qxF "$p" "$TMP/before" || rm -rf "$p"
	done
	uses_netns "$1" && ! [[ -e /run/netns/fa ]] && quiet_nsbox netns add fa fb
	same_state
}

# --- the sweep ---
cases=0 leaks=0 bad_msgs=0 false_ok=0 tolerated=0 unreached=0 failed_teardowns=0 by_cleanup=0
by_named=0
log=$TMP/cases.log
: >"$log"

# one_line: stderr is one line "nsbox: ..." (a sanitizer's report would
# be more).
one_line() { [[ $(wc -l <"$TMP/err") -eq 1 ]] && grep -q '^nsbox: ' "$TMP/err"; }

# case_run OP SYSCALL N: one case; false if it went wrong (said why).
case_run() {
	local op=$1 sc=$2 n=$3 what="$1 / $2 #$3" injected=1 msg bad=0 code
	cases=$((cases + 1))
	if teardown "$op" && ! make "$op"; then
		not_ok "$what: cannot make the object to remove"
		restore "$op"
		return 1
	fi
	traced "$sc" "$sc:error=$(errno_of "$sc"):when=$n" "${args[@]}"
	code=$rc
	grep -q 'INJECTED' "$TRACE" || injected=0
	((injected)) || unreached=$((unreached + 1))
	msg=$(head -c 300 "$TMP/err" | tr '\n' '|')
	echo "$what: exit $code$( ((injected)) || echo ' (not reached)'): $msg" >>"$log"
	# strace counts per thread: a write #N also fails the Nth write of
	# the thread that prints the message, which then cannot be seen.
	if ((code != 0)) && ! one_line && ! grep -q '^[0-9]* *write(2, .*INJECTED' "$TRACE"; then
		bad_msgs=$((bad_msgs + 1))
		not_ok "$what: exit $code, stderr not one 'nsbox: ' line: $msg"
		bad=1
	fi
	if teardown "$op"; then
		# A failed teardown says so and leaves the rest to be
		# removed: running it again on what is left, or nsbox cleanup.
		if ((code != 0)); then
			failed_teardowns=$((failed_teardowns + 1))
			again "$op"
			if ! same_state; then
				by_cleanup=$((by_cleanup + 1))
				echo "$what: left for nsbox cleanup: $(grep '^[-+][^-+]' "$TMP/diff" | head -c 300)" >>"$log"
				cleanup_all "$op"
			fi
		fi
	elif ((code != 0)) && ! same_state && [[ $(cat "$TMP/err") =~ \'nsbox\ ([^\']+)\' ]]; then
		# A failure past the point of no return (a foreground run's
		# command ran) names the command that removes what stays.
		finish=(${BASH_REMATCH[1]})
		quiet_nsbox "${finish[@]}"
		by_named=$((by_named + 1))
		echo "$what: left for 'nsbox ${finish[*]}', as it said" >>"$log"
	elif ((code == 0)) || grep -q 'only its output is lost)$' "$TMP/err"; then
		# Carried out, its report lost (stdout failed): as a success.
		((injected)) && tolerated=$((tolerated + 1))
		if ! made "$op"; then
			false_ok=$((false_ok + 1))
			not_ok "$what: exit 0, but the $op is not all there (the call: $(grep -m1 INJECTED "$TRACE" | cut -c1-200))"
			bad=1
		fi
		undo "$op"
	fi
	if ! same_state; then
		leaks=$((leaks + 1))
		not_ok "$what: exit $code ($msg), left: $(grep '^[-+][^-+]' "$TMP/diff" | head -c 1200)"
		bad=1
		if ! restore "$op"; then
			echo "Bail out! $what: cannot restore the state: $(head -c 1500 "$TMP/diff")"
			exit 1
		fi
	fi
	return $bad
}

# values MAX: the Ns to try: all of 1..MAX, or CAP of them spread over it
# (the first and the last among them).
values() {
	local max=$1 k
	if ((FULL || max <= CAP)); then
		seq 1 "$max"
		return
	fi
	if ((CAP == 1)); then
		echo 1
		return
	fi
	for ((k = 0; k < CAP; k++)); do
		echo $((1 + k * (max - 1) / (CAP - 1)))
	done | uniq
}

# Once, so that /run/netns is a mount point before any snapshot (netns add
# leaves it one, as iproute2 does).
quiet_nsbox netns add fault-warmup && quiet_nsbox netns del fault-warmup

figures=()
for op in $OPS; do
	args=()
	args_of "$op"
	if ((${#args[@]} == 0)); then
		echo "Bail out! unknown operation $op"
		exit 1
	fi
	t_op=$(date +%s)
	need "$op"
	settle_dad
	state >"$TMP/before"
	# The count: a run without a fault, every syscall of the set traced.
	teardown "$op" && make "$op"
	traced "${SYSCALLS// /,}" "" "${args[@]}"
	if ((rc != 0)); then
		not_ok "$op: fails without a fault: exit $rc: $(head -c 300 "$TMP/err")"
		restore "$op"
		unneed "$op"
		continue
	fi
	counts >"$TMP/counts"
	teardown "$op" || undo "$op"
	if ! same_state; then
		not_ok "$op: without a fault, then undone, left: $(head -c 1000 "$TMP/diff")"
		restore "$op" || { echo "Bail out! $op: cannot restore the state"; exit 1; }
	fi
	summary="" op_cases=0 op_bad=0
	while read -r sc max; do
		[[ " $SYSCALLS " == *" $sc "* ]] || continue
		bad=0 nv=0
		for n in $(values "$max"); do
			nv=$((nv + 1))
			case_run "$op" "$sc" "$n" || bad=$((bad + 1))
		done
		op_cases=$((op_cases + nv)) op_bad=$((op_bad + bad))
		summary+=" $sc:$nv/$max"
		((bad == 0)) && ok "$op: $sc fails cleanly at each of $nv of its $max calls"
	done <"$TMP/counts"
	figures+=("$op: $op_cases cases, $op_bad bad, $(($(date +%s) - t_op)) s (syscall:cases/calls)$summary")
	unneed "$op"
done

echo "# cases that did not fail with one 'nsbox: ' line (exit 0: tolerated):"
grep -v ': exit [12]: nsbox: [^|]*|$' "$log" | sed 's/^/#   /'
printf '# %s\n' "${figures[@]}"
echo "# fault sweep ($( ((FULL)) && echo "every N" || echo "at most $CAP Ns per syscall")):" \
	"$cases cases, $leaks left something behind, $bad_msgs bad messages," \
	"$false_ok false successes, $tolerated faults tolerated, $failed_teardowns teardowns failed" \
	"($by_cleanup finished by nsbox cleanup), $by_named finished by the command the message named," \
	"$unreached not reached, $(($(date +%s) - t0)) s"
done_testing
