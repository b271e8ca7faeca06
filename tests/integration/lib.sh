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

# What nsbox could have changed, as iproute2 and the kernel see it: the
# namespaces, every link, address and route in each (and in the test's own
# netns), the mounts under /run, nsbox's journal. Counters and timers are
# left out; they change by themselves.
snapshot() {
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
