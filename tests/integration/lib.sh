# shellcheck shell=bash
# Sourced by every integration test. The first thing it does is re-execute
# the test inside its own mount and network namespace with a tmpfs on /run,
# so that whatever the test (or a bug in nsbox) does stays there: the
# namespaces it creates live in a private /run/netns, the links in a netns
# that dies with the test. iproute2 (ip -j) is the oracle throughout.
set -uo pipefail

if [[ -z ${NSBOX_HERMETIC:-} ]]; then
	if [[ $(id -u) -ne 0 ]]; then
		echo "SKIP: integration tests need root"
		exit 77
	fi
	export NSBOX_HERMETIC=1
	# unshare(1) makes the new mount namespace private (--propagation
	# private is its default), so the tmpfs below never reaches the host.
	exec unshare --mount --net -- "$BASH" "$0" "$@"
fi

mount -t tmpfs nsbox-test /run || exit 1
# /etc/netns/NAME/* is how a netns carries its own resolv.conf; tests write
# there through an overlay whose upper layer lives in the test's tmpfs, so
# the machine's /etc is never written.
mkdir -p /run/.etc-upper /run/.etc-work
mount -t overlay nsbox-etc -o lowerdir=/etc,upperdir=/run/.etc-upper,workdir=/run/.etc-work /etc ||
	exit 1
ip link set lo up
: "${NSBOX:?NSBOX must name the nsbox binary}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
checks=0
fails=0

ok() {
	checks=$((checks + 1))
	echo "ok $checks - $*"
}

not_ok() {
	checks=$((checks + 1))
	fails=$((fails + 1))
	echo "not ok $checks - $*"
}

# check DESC CMD...: CMD must succeed.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# nsbox ARGS...: run nsbox, keeping stdout in $TMP/out, stderr in $TMP/err
# and the exit status in $rc.
nsbox() {
	"$NSBOX" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	return 0
}

# expect CODE DESC ARGS...: nsbox ARGS must exit with CODE; on a failure
# exit of nsbox's own (1, 2, 125), stderr must be one line "nsbox: ...".
expect() {
	local code=$1 desc=$2
	shift 2
	nsbox "$@"
	if [[ $rc -ne $code ]]; then
		not_ok "$desc (exit $rc, expected $code; stderr: $(head -c 300 "$TMP/err"))"
		return
	fi
	if [[ $code -eq 1 || $code -eq 2 || $code -eq 125 ]]; then
		local lines
		lines=$(wc -l <"$TMP/err")
		if [[ $lines -ne 1 ]] || ! grep -q '^nsbox: ' "$TMP/err"; then
			not_ok "$desc (stderr is not one 'nsbox: ' line: $(cat "$TMP/err"))"
			return
		fi
	fi
	ok "$desc"
}

# expect_err PATTERN DESC: the last stderr matches the extended regex.
expect_err() {
	if grep -Eq -- "$1" "$TMP/err"; then ok "$2"; else not_ok "$2 (stderr: $(cat "$TMP/err"))"; fi
}

# in NS CMD...: run CMD in netns NS through iproute2, not through nsbox.
in_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# Wait (up to 5 s) until no IPv6 address of a link with carrier, in any
# netns, is tentative (without carrier DAD waits for one): the
# kernel adds the local route of a link-local address only when its DAD
# ends, ~1-2 s after the link comes up, which a snapshot taken in between
# would see as a change.
settle_dad() {
	local i ns
	for ((i = 0; i < 50; i++)); do
		local busy=0
		for ns in "" $(ls -A /run/netns 2>/dev/null); do
			local n=()
			[[ -n $ns ]] && n=(-n "$ns")
			if ip "${n[@]}" -6 -j addr show 2>/dev/null |
				jq -e 'any(.[] | select(.flags | index("LOWER_UP")) | .addr_info[]; .tentative == true)' >/dev/null; then
				busy=1
				break
			fi
		done
		((busy)) || return 0
		sleep 0.1
	done
}

# What nsbox could have changed, as iproute2 and the kernel see it: the
# namespaces, every link, address and route in each (and in the test's own
# netns), the mounts under /run, nsbox's journal. Counters and timers are
# left out; they change by themselves.
snapshot() {
	settle_dad
	{
		echo "netns:"
		ls -A /run/netns 2>/dev/null
		local ns
		for ns in "" $(ls -A /run/netns 2>/dev/null); do
			local n=()
			[[ -n $ns ]] && n=(-n "$ns")
			echo "== ${ns:-host}"
			ip "${n[@]}" -j link show | jq -c '[.[] | del(.stats64, .stats)]'
			ip "${n[@]}" -j addr show | jq -c '[.[] | {ifname, addr_info: [.addr_info[] | {family, local, prefixlen}]}]'
			ip "${n[@]}" -j route show table all | jq -c '.'
		done
		echo "mounts:"
		awk '$5 ~ "^/run" {print $5, $9}' /proc/self/mountinfo | sort
		echo "journal:"
		find /run/nsbox -mindepth 2 2>/dev/null | sort
	} 2>&1
}

# unchanged DESC: the system equals the snapshot in $TMP/before.
unchanged() {
	snapshot >"$TMP/after"
	if diff -u "$TMP/before" "$TMP/after" >"$TMP/diff"; then
		ok "$1: nothing changed"
	else
		not_ok "$1: state changed: $(head -c 1500 "$TMP/diff")"
	fi
}

# assert_clean: nothing of nsbox's is left: no netns, no link but lo in the
# test's netns, no mount below /run/netns, no journal entry.
assert_clean() {
	local left
	left=$(ls -A /run/netns 2>/dev/null | tr '\n' ' ')
	[[ -z $left ]] && ok "teardown: no netns left" || not_ok "teardown: netns left: $left"
	left=$(ip -j link show | jq -r '.[] | select(.ifname != "lo") | .ifname' | tr '\n' ' ')
	[[ -z $left ]] && ok "teardown: no link left" || not_ok "teardown: links left: $left"
	left=$(awk '$5 ~ "^/run/netns/" {print $5}' /proc/self/mountinfo | tr '\n' ' ')
	[[ -z $left ]] && ok "teardown: no mount left" || not_ok "teardown: mounts left: $left"
	left=$(find /run/nsbox -mindepth 2 -not -name lock 2>/dev/null | tr '\n' ' ')
	[[ -z $left ]] && ok "teardown: journal empty" || not_ok "teardown: journal left: $left"
}

# done_testing: the closing line and the exit status meson reads.
done_testing() {
	echo "# $checks checks, $fails failed"
	[[ $fails -eq 0 ]]
	exit $?
}

# --- Helpers of the sandbox tests (nsbox run, exec, ps, stop, logs) ---

# wait_until SECONDS CMD...: poll CMD every 50 ms until it succeeds; false
# if it has not within SECONDS (a whole number).
wait_until() {
	local tries=$(($1 * 20))
	shift
	while ((tries-- > 0)); do
		"$@" && return 0
		sleep 0.05
	done
	"$@"
}

# build_helper NAME: compile tests/integration/NAME.c, static (so that it
# runs in a busybox root too), into $TMP/bin/NAME; bail out if it fails.
build_helper() {
	mkdir -p "$TMP/bin"
	chmod 755 "$TMP/bin"
	if ! gcc -static -O2 -Wall -o "$TMP/bin/$1" "$(dirname "$TESTLIB")/$1.c" 2>"$TMP/gcc.err"; then
		echo "Bail out! cannot build $1.c: $(head -c 500 "$TMP/gcc.err")"
		exit 1
	fi
}

# make_busybox_root DIR: a minimal root filesystem of busybox-static, with
# the applets as symlinks in DIR/bin, the usual empty mount points and a
# passwd with root.
make_busybox_root() {
	local d=$1 a
	mkdir -p "$d"/{bin,dev,etc,proc,root,run,sys,tmp,var/tmp} || return 1
	chmod 755 "$d"
	chmod 1777 "$d/tmp" "$d/var/tmp"
	cp /bin/busybox "$d/bin/busybox" || return 1
	for a in $("$d/bin/busybox" --list); do
		[[ $a == busybox ]] || ln -s busybox "$d/bin/$a"
	done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$d/etc/passwd"
	echo 'root:x:0:' >"$d/etc/group"
}

# tree_digest DIR: every entry's path, type, size, mode, owner, mtime,
# ctime and link target, then the content of every file: equal digests
# mean DIR is byte-for-byte unchanged (atime left out: reading changes it).
tree_digest() {
	(
		cd "$1" || exit 1
		find . -printf '%p %y %s %m %U:%G %T@ %C@ %l\n' | LC_ALL=C sort
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum
	) | sha256sum | cut -d' ' -f1
}

# The mount table of the test's namespace, as mount point, type and
# source; /run/netns is left out (nsbox netns add makes it a mount point
# and leaves it, as iproute2 does).
mounts_now() {
	awk '{ for (i = 7; $i != "-"; i++); if ($5 != "/run/netns") print $5, $(i + 1), $(i + 2) }' \
		/proc/self/mountinfo | LC_ALL=C sort
}

# sandbox_begin: record the mount table, for assert_sandbox_clean.
sandbox_begin() {
	mounts_now >"$TMP/mounts0"
	: >"$TMP/sandbox-pids"
}

# sandbox_pid NAME: the pid `nsbox ps` gives for sandbox NAME (empty if it
# is not listed); the pid is remembered, and assert_sandbox_clean checks
# that it is gone.
sandbox_pid() {
	local pid
	pid=$("$NSBOX" --json ps 2>/dev/null | jq -r --arg n "$1" '.[] | select(.name == $n) | .pid // empty')
	[[ -n $pid && $pid != null ]] && echo "$pid" >>"$TMP/sandbox-pids"
	echo "$pid"
}

# pid_alive PID: PID exists and is not a zombie (an orphan is reaped by
# the machine's PID 1, which may take its time).
pid_alive() {
	local st
	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[[ -n $st && $st != Z && $st != X ]]
}

_no_match() { ! pgrep -f -- "$1" >/dev/null; }

# no_procs SECONDS ERE: true once no process's command line matches ERE
# (pgrep -f; anchor it, '^sleep 4242$', so that nsbox's own command line,
# which holds the sandbox's command, does not match).
no_procs() { wait_until "$1" _no_match "$2"; }

# assert_sandbox_clean [ERE]: after the sandboxes are gone: no process
# matching ERE, none of the pids sandbox_pid saw, nothing in /run/nsbox
# but the lock and empty directories, no mount below /run, the mount table
# as sandbox_begin found it, and `nsbox ps` lists nothing. Checked in that
# order: `nsbox ps` clears stale state, so the files are looked at first.
assert_sandbox_clean() {
	local left p
	if [[ -n ${1:-} ]]; then
		if no_procs 3 "$1"; then
			ok "teardown: no process matching '$1' left"
		else
			not_ok "teardown: processes left: $(pgrep -af -- "$1" | head -5 | tr '\n' ';')"
		fi
	fi
	left=""
	for p in $(cat "$TMP/sandbox-pids" 2>/dev/null); do
		pid_alive "$p" && left+="$p($(tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null)) "
	done
	[[ -z $left ]] && ok "teardown: no sandbox init left" || not_ok "teardown: sandbox inits left: $left"
	left=$(find /run/nsbox -mindepth 1 ! -type d ! -path /run/nsbox/lock 2>/dev/null | tr '\n' ' ')
	[[ -z $left ]] && ok "teardown: /run/nsbox holds only the lock" || not_ok "teardown: left in /run/nsbox: $left"
	left=$(awk '$5 ~ "^/run/." && $5 != "/run/netns" {print $5}' /proc/self/mountinfo | tr '\n' ' ')
	[[ -z $left ]] && ok "teardown: no mount below /run" || not_ok "teardown: mounts below /run: $left"
	if [[ -f $TMP/mounts0 ]]; then
		if mounts_now | diff -u "$TMP/mounts0" - >"$TMP/mdiff"; then
			ok "teardown: mount table as at the start"
		else
			not_ok "teardown: mount table changed: $(head -c 1000 "$TMP/mdiff")"
		fi
	fi
	"$NSBOX" --json ps >"$TMP/ps.json" 2>"$TMP/ps.err"
	if jq -e 'length == 0' "$TMP/ps.json" >/dev/null 2>&1; then
		ok "teardown: nsbox ps lists nothing"
	else
		not_ok "teardown: nsbox ps: $(head -c 500 "$TMP/ps.json") $(head -c 300 "$TMP/ps.err")"
	fi
}

# expect_fail DESC ARGS...: nsbox ARGS must exit non-zero, whatever the
# code (a command inside that must fail, as `sh -c 'touch /usr/x'`).
expect_fail() {
	local desc=$1
	shift
	nsbox "$@"
	if [[ $rc -ne 0 ]]; then ok "$desc (exit $rc)"; else not_ok "$desc (exit 0; stdout: $(head -c 300 "$TMP/out"))"; fi
}

# out_is DESC TEXT: the last stdout is TEXT (trailing newlines aside).
out_is() {
	local got
	got=$(cat "$TMP/out")
	if [[ $got == "$2" ]]; then ok "$1"; else not_ok "$1 (got '$(head -c 300 <<<"$got")', expected '$2')"; fi
}

# out_has DESC ERE / out_lacks DESC ERE: some line / no line of the last
# stdout matches the extended regex.
out_has() {
	if grep -Eq -- "$2" "$TMP/out"; then ok "$1"; else not_ok "$1 (no line matches '$2' in: $(head -c 400 "$TMP/out"))"; fi
}
out_lacks() {
	if ! grep -Eq -- "$2" "$TMP/out"; then ok "$1"; else not_ok "$1 (matches '$2': $(grep -E -- "$2" "$TMP/out" | head -c 300))"; fi
}

# status_field KEY: the value of KEY in a /proc/PID/status the last
# command printed.
status_field() { awk -v k="$1:" '$1 == k { print $2 }' "$TMP/out"; }

# quietly CMD...: CMD with its output thrown away (for check).
quietly() { "$@" >/dev/null 2>&1; }
