#!/bin/bash
# Bad input exits 2 with one line naming what and why, and changes nothing.
. "$TESTLIB"

expect 0 "setup: netns a b" netns add a b
expect 0 "setup: a pair" link add a:eth0=10.0.0.1/24 b:eth0=10.0.0.2/24
expect 0 "setup: bridge" bridge add a:br0
snapshot >"$TMP/before"

long16=abcdefghijklmnop
long256=$(printf 'n%.0s' {1..256})
bad() { # bad PATTERN DESC ARGS...
	local pat=$1 desc=$2
	shift 2
	expect 2 "$desc" "$@"
	expect_err "$pat" "$desc: message"
}
bad "netns name is empty" "netns add ''" netns add ''
bad "not a valid name" "netns add ." netns add .
bad "not a valid name" "netns add .." netns add ..
bad "may not contain '/'" "netns add a/b" netns add a/b
bad "longer than 255" "netns add 256 bytes" netns add "$long256"
bad "reserved" "netns add host" netns add host
bad "already exists" "netns add existing a" netns add c a
bad "given twice" "netns add c c" netns add c c
bad "no such network namespace" "netns del missing" netns del nope
bad "no such network namespace" "link add into a missing netns" link add a:x0 nope:x0
bad "longer than 15 bytes" "16-byte interface name" link add "a:$long16" b:x0
bad "interface name is empty" "empty interface name" link add a: b:x0
bad "not a valid name" "interface ." link add a:. b:x0
bad "may not contain" "interface with /" link add a:x/y b:x0
bad "may not contain" "interface with %" link add a:eth%d b:x0
bad "expected NS:IFNAME" "endpoint without :" link add a b:x0
bad "missing /prefix" "address without prefix" link add a:x0=10.0.0.9 b:x0
bad "out of range 0..32" "IPv4 prefix 33" link add a:x0=10.0.0.9/33 b:x0
bad "out of range 0..128" "IPv6 prefix 129" link add a:x0=fd00::9/129 b:x0
bad "not an IPv4 or IPv6 address" "bad address" link add a:x0=10.0.0.256/24 b:x0
bad "not an IPv4 or IPv6 address" "short IPv4 form" link add a:x0=10.1/8 b:x0
bad "given twice" "duplicate address in an endpoint" link add a:x0=10.0.0.9/24,10.0.0.9/16 b:x0
bad "a:eth0: already exists" "duplicate interface, first end" link add a:eth0 b:x0
bad "b:eth0: already exists" "duplicate interface, second end" link add a:x0 b:eth0
bad "both ends are" "same end twice" link add a:x0 a:x0
bad "no such bridge" "missing bridge" link add a:x0@nobr b:x0
bad "not a bridge" "bridge that is a veth" link add a:x0@eth0 b:x0
bad "mtu: .* out of range" "mtu 10" link add a:x0 b:x0 --mtu 10
bad "expected two endpoints" "one endpoint" link add a:x0
bad "unknown option" "unknown option" link add a:x0 b:x0 --bogus
bad "no such device" "link set missing" link set a:nope up
bad "nothing to change" "link set without change" link set a:eth0
bad "unicast MAC" "multicast mac" link set a:eth0 --mac 01:00:5e:00:00:01
bad "no such device" "link del missing" link del a:nope
bad "no such device" "addr add on missing link" addr add a:nope 10.9.9.9/24
bad "missing /prefix" "addr add without prefix" addr add a:eth0 10.9.9.9
bad "already exists" "addr add existing" addr add a:eth0 10.0.0.1/24
bad "no such address" "addr del missing" addr del a:eth0 10.9.9.9/24
bad "host bits set" "route with host bits" route add a 10.9.0.1/16 via 10.0.0.2
bad "needs 'via GW' or 'dev IFNAME'" "route without via or dev" route add a 10.9.0.0/16
bad "another address family" "route family mismatch" route add a 10.9.0.0/16 via fd00::1
bad "no such network namespace" "route in missing netns" route add nope default via 10.0.0.2
bad "no such device" "route via missing dev" route add a 10.9.0.0/16 dev nope
bad "unreachable" "gateway no interface reaches" route add a 10.9.0.0/16 via 10.5.5.5
bad "no such route" "route del missing" route del a 10.9.0.0/16 via 10.0.0.2
bad "already exists" "bridge add existing" bridge add a:br0
bad "not a bridge" "bridge del of a veth" bridge del a:eth0
bad "only net" "sysctl outside net.*" sysctl a kernel.hostname=x
bad "no such key" "sysctl missing key" sysctl a net.ipv4.nope=1
bad "unknown subcommand" "unknown subcommand" link frob
bad "unknown command" "unknown command" frob
unchanged "after every refused command"

assert_after() {
	expect 0 "teardown" netns del a b
	assert_clean
}
assert_after
done_testing
