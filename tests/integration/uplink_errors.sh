#!/bin/bash
# Uplink errors: bad CIDRs, ports, protocols and servers, an unknown netns,
# a second uplink for the same netns, a --subnet that overlaps a host route
# or another uplink, an exhausted pool (NSBOX_UPLINK_POOL), a bad pool, run
# --uplink with a netns of its own: each is one "nsbox: " line naming what
# is wrong, exit 2 (validation; 1 or 2 for the exhausted pool), and nothing
# changes: links, addresses, routes, the journal, the nftables ruleset, the
# forwarding sysctls, /etc/netns, the uplink list.
. "$TESTLIB"
. "$(dirname "$TESTLIB")/uplink_lib.sh"

sandbox_begin
E1=upe1$$
E2=upe2$$
E3=upe3$$
internet_up
ip route add 10.214.5.0/24 via "$A"
nft -f - <<'EOF' || {
table ip testkeep {
	chain out {
		type filter hook output priority 0; policy accept;
		ip daddr 192.0.2.99 udp dport 9 drop
	}
}
EOF
	echo "Bail out! cannot add the test's nftables table"
	exit 1
}
sysctl -qw net.ipv4.ip_forward=0
expect 0 "setup: netns add $E1 $E2 $E3" netns add "$E1" "$E2" "$E3"
snapshot_all >"$TMP/before_all"

# bad CODE PATTERN DESC ARGS...: nsbox ARGS exits CODE with one line that
# matches PATTERN; nothing changed. An uplink add that wrongly succeeds is
# undone, so that one failure does not become many.
bad() {
	local code=$1 pat=$2 desc=$3
	shift 3
	expect "$code" "$desc" "$@"
	expect_err "$pat" "$desc: the message names it"
	unchanged_all "$desc"
	if [[ $rc == 0 && $1 == uplink && ${2:-} == add && -n ${3:-} ]]; then
		"$NSBOX" uplink del "$3" >/dev/null 2>&1
	fi
}

# --- validation: exit 2 ---
bad 2 'subnet|10\.213\.0\.0/33|33' "--subnet with prefix 33" uplink add "$E1" --subnet 10.213.0.0/33
bad 2 'subnet|banana' "--subnet banana" uplink add "$E1" --subnet banana
bad 2 'subnet|10\.213\.0\.0' "--subnet without a prefix" uplink add "$E1" --subnet 10.213.0.0
bad 2 'subnet|fd00' "--subnet with an IPv6 prefix" uplink add "$E1" --subnet fd00::/64
bad 2 'subnet|/31|30' "--subnet too small for two hosts (/31)" uplink add "$E1" --subnet 10.213.0.0/31
bad 2 'subnet|10\.213\.0\.256' "--subnet 10.213.0.256/30" uplink add "$E1" --subnet 10.213.0.256/30
bad 2 'ipv6|129' "--ipv6 with prefix 129" uplink add "$E1" --ipv6 fd00::/129
bad 2 'ipv6|10\.0\.0\.0' "--ipv6 with an IPv4 prefix" uplink add "$E1" --ipv6 10.0.0.0/24
bad 2 'dns|banana' "--dns banana" uplink add "$E1" --dns banana
bad 2 'publish|70000' "--publish 70000:80" uplink add "$E1" --publish 70000:80
bad 2 'publish|80' "--publish 80 (no inside port)" uplink add "$E1" --publish 80
bad 2 'publish|sctp' "--publish 8080:80/sctp" uplink add "$E1" --publish 8080:80/sctp
bad 2 'publish|banana' "--publish banana:8080:80" uplink add "$E1" --publish banana:8080:80
bad 2 'publish|x' "--publish 8080:x" uplink add "$E1" --publish 8080:x
bad 2 'allow|33' "--allow 10.0.0.0/33" uplink add "$E1" --allow 10.0.0.0/33
bad 2 'allow|99999' "--allow 10.0.0.0/8:99999" uplink add "$E1" --allow 10.0.0.0/8:99999
bad 2 'allow|icmp' "--allow 10.0.0.0/8:53/icmp" uplink add "$E1" --allow 10.0.0.0/8:53/icmp
bad 2 'allow|banana' "--allow banana" uplink add "$E1" --allow banana
bad 2 'bogus|unknown option' "an unknown option" uplink add "$E1" --bogus
bad 2 '.' "uplink add without a netns" uplink add
bad 2 'frob|unknown' "an unknown uplink command" uplink frob "$E1"
bad 2 "nope$$" "uplink add to a netns that does not exist" uplink add "nope$$"
bad 2 "nope$$" "uplink del of a netns that does not exist" uplink del "nope$$"
bad 2 "$E1" "uplink del of a netns without an uplink" uplink del "$E1"

# --- --subnet that overlaps a route of the host's ---
bad 2 '198\.51\.100\.0|overlap|route' "--subnet inside the host's connected 198.51.100.0/24" \
	uplink add "$E1" --subnet 198.51.100.0/30
bad 2 '10\.214\.5\.4|overlap|route' "--subnet inside the host's route 10.214.5.0/24" \
	uplink add "$E1" --subnet 10.214.5.4/30
wider_subnet() {
	local ns=$1 sub=$2 avoid=$3 desc=$4 got
	nsbox uplink add "$ns" --subnet "$sub"
	if [[ $rc == 0 ]]; then
		uplinks_json
		got=$(ufield "$ns" subnet)
		[[ $got == null || -z $got ]] && got=$(ufield "$ns" address)
		if [[ $got =~ ^[0-9.]+/[0-9]+$ ]] && cidr_in "$got" "$sub" && ! cidr_overlap "$got" "$avoid"; then
			ok "$desc: taken as a pool: $got, clear of $avoid"
		else
			not_ok "$desc: accepted, and the link's subnet '$got' overlaps $avoid (or is not in $sub)"
		fi
		"$NSBOX" uplink del "$ns" >/dev/null 2>&1
	elif [[ $rc == 2 ]]; then
		ok "$desc: refused (2): $(cat "$TMP/err")"
	else
		not_ok "$desc: exit $rc: $(cat "$TMP/err")"
	fi
	unchanged_all "$desc"
}
# A --subnet wider than a /30 either is the link's subnet (then it must be
# refused) or a pool for this uplink (then the /30 taken must avoid it).
wider_subnet "$E1" 10.214.0.0/16 10.214.5.0/24 "--subnet 10.214.0.0/16, which contains the host's route 10.214.5.0/24"

# --- with one uplink there: twice, overlap, the same published port ---
expect 0 "uplink add $E1 --subnet 10.215.0.0/30 --publish 8080:80" uplink add "$E1" --subnet 10.215.0.0/30 --publish 8080:80
check "uplink list --json" uplinks_json
check "$E1 has 10.215.0.0/30 (subnet: $(ufield "$E1" subnet))" test "$(ufield "$E1" subnet)" = 10.215.0.0/30
check "$E1's inside address is 10.215.0.2 ($(ufield "$E1" address))" test "$(uaddr "$E1" address)" = 10.215.0.2
snapshot_all >"$TMP/before_all"
bad 2 "$E1.*already|already.*$E1" "uplink add $E1 twice" uplink add "$E1"
bad 2 '10\.215\.0\.0|overlap|uplink|use' "--subnet of another uplink" uplink add "$E2" --subnet 10.215.0.0/30
wider_subnet "$E2" 10.215.0.0/29 10.215.0.0/30 "--subnet 10.215.0.0/29, which contains $E1's"
bad 2 '8080' "--publish of a host port another uplink publishes" uplink add "$E2" --publish 8080:80

# --- the pool ---
NSBOX_UPLINK_POOL=10.216.0.0/30 expect 0 "NSBOX_UPLINK_POOL=10.216.0.0/30: uplink add $E2" uplink add "$E2"
check "uplink list --json" uplinks_json
check "$E2 has the pool's one /30 (subnet: $(ufield "$E2" subnet))" test "$(ufield "$E2" subnet)" = 10.216.0.0/30
check "$E2's inside address is 10.216.0.2 ($(ufield "$E2" address))" test "$(uaddr "$E2" address)" = 10.216.0.2
snapshot_all >"$TMP/before_all"
NSBOX_UPLINK_POOL=10.216.0.0/30 nsbox uplink add "$E3"
[[ $rc == 0 ]] && "$NSBOX" uplink del "$E3" >/dev/null 2>&1
check "the pool is exhausted: uplink add $E3 fails with 1 or 2 (exit $rc)" bash -c "[[ $rc == 1 || $rc == 2 ]]"
check "one 'nsbox: ' line: $(head -c 300 "$TMP/err")" bash -c "[[ \$(wc -l <'$TMP/err') == 1 ]] && grep -q '^nsbox: ' '$TMP/err'"
expect_err 'free|exhaust|no .*(subnet|/30)|10\.216\.0\.0/30' "the message says the pool is used up"
unchanged_all "exhausted pool"
NSBOX_UPLINK_POOL=10.216.0.0/30 nsbox run --uplink -- true
check "run --uplink with the pool exhausted fails (exit $rc)" test "$rc" -ne 0
check "one 'nsbox: ' line: $(head -c 300 "$TMP/err")" bash -c "[[ \$(wc -l <'$TMP/err') == 1 ]] && grep -q '^nsbox: ' '$TMP/err'"
unchanged_all "run --uplink, exhausted pool"
NSBOX_UPLINK_POOL=banana bad 2 'NSBOX_UPLINK_POOL|banana' "NSBOX_UPLINK_POOL=banana" uplink add "$E3"
NSBOX_UPLINK_POOL=10.217.0.0/31 bad 2 'NSBOX_UPLINK_POOL|pool|/31|30' "NSBOX_UPLINK_POOL=10.217.0.0/31 (too small)" uplink add "$E3"
NSBOX_UPLINK_POOL=198.51.100.0/24 nsbox uplink add "$E3"
[[ $rc == 0 ]] && "$NSBOX" uplink del "$E3" >/dev/null 2>&1
check "a pool wholly inside a host route: uplink add fails with 1 or 2 (exit $rc)" bash -c "[[ $rc == 1 || $rc == 2 ]]"
unchanged_all "a pool inside a host route"

# --- run --uplink: exit 2 or 125 (nsbox run's own), one line, nothing left ---
runbad() {
	local desc=$1
	shift
	nsbox run "$@"
	check "$desc: 2 or 125 (exit $rc)" bash -c "[[ $rc == 2 || $rc == 125 ]]"
	check "$desc: one 'nsbox: ' line: $(head -c 300 "$TMP/err")" bash -c "[[ \$(wc -l <'$TMP/err') == 1 ]] && grep -q '^nsbox: ' '$TMP/err'"
	unchanged_all "$desc"
}
runbad "run --uplink --netns $E3" --uplink --netns "$E3" -- true
runbad "run --uplink --net host" --uplink --net host -- true
runbad "run --uplink --publish 70000:80" --uplink --publish 70000:80 -- true
runbad "run --uplink --allow banana" --uplink --allow banana -- true
runbad "run --uplink --dns banana" --uplink --dns banana -- true
runbad "run --uplink --publish 8080:80 (published by $E1)" --uplink --publish 8080:80 -- true
expect 127 "run --uplink of a command that does not exist: 127" run --uplink -- "/nonexistent/cmd-$$"
unchanged_all "run --uplink of a command that does not exist"

expect 0 "uplink del $E1" uplink del "$E1"
expect 0 "uplink del $E2" uplink del "$E2"
check "no inet nsbox table" no_nsbox_table
check "no nsbu link" no_nsbu_links
check "ip_forward back to 0" test "$(fwd4)" = 0
check "the test's table is still there" quietly nft list table ip testkeep
nft delete table ip testkeep
internet_down
expect 0 "netns del" netns del "$E1" "$E2" "$E3"
assert_clean
assert_sandbox_clean
done_testing
