#!/bin/bash
# A bridge with members in three namespaces; two namespaces routed
# through a third with forwarding on.
. "$TESTLIB"

expect 0 "netns for a switch and three hosts" netns add sw h1 h2 h3
expect 0 "bridge sw:br0" bridge add sw:br0
check "br0 is a bridge and up" bash -c '[[ $(ip -n sw -j -d link show br0 | jq -r ".[0].linkinfo.info_kind") == bridge ]] && ip -n sw -j link show br0 | jq -e ".[0].flags | index(\"UP\")" >/dev/null'
for i in 1 2 3; do
	expect 0 "h$i on the bridge" link add "sw:p$i@br0" "h$i:eth0=10.2.0.$i/24,fd02::$i/64"
	check "sw:p$i enslaved to br0" bash -c "[[ \$(ip -n sw -j link show p$i | jq -r '.[0].master') == br0 ]]"
done
for i in 1 2 3; do
	for j in 1 2 3; do
		[[ $i == "$j" ]] && continue
		check "h$i reaches h$j (IPv4)" in_ns "h$i" ping -c1 -W2 -q "10.2.0.$j"
		check "h$i reaches h$j (IPv6)" in_ns "h$i" ping -6 -c1 -W2 -q "fd02::$j"
	done
done
expect 0 "link list shows the bridge of p1" link list sw
check "p1 listed with bridge br0" grep -Eq '^sw +p1 +veth +up +[0-9]+ +[0-9a-f:]+ +br0 +h1:eth0' "$TMP/out"
expect 0 "bridge del" bridge del sw:br0
check "p1 is no longer enslaved" bash -c "[[ \$(ip -n sw -j link show p1 | jq -r '.[0].master') == null ]]"

# Routed: left <-> r <-> right.
expect 0 "netns left r right" netns add left r right
expect 0 "left-r" link add left:eth0=10.3.1.2/24,fd03:1::2/64 r:eth0=10.3.1.1/24,fd03:1::1/64
expect 0 "r-right" link add r:eth1=10.3.2.1/24,fd03:2::1/64 right:eth0=10.3.2.2/24,fd03:2::2/64
check "without routes left cannot reach right" bash -c '! ip netns exec left ping -c1 -W1 -q 10.3.2.2 >/dev/null 2>&1'
expect 0 "default route in left" route add left default via 10.3.1.1
expect 0 "default route in right" route add right default via 10.3.2.1
expect 0 "IPv6 default in left" route add left default via fd03:1::1
expect 0 "IPv6 route in right" route add right fd03:1::/64 via fd03:2::1 metric 10
check "routes as ip sees them" bash -c '[[ $(ip -n left -j route show default | jq -r ".[0].gateway") == 10.3.1.1 ]] && [[ $(ip -n right -6 -j route show fd03:1::/64 | jq -r ".[0].metric") == 10 ]]'
check "forwarding off: still no reach" bash -c '! ip netns exec left ping -c1 -W1 -q 10.3.2.2 >/dev/null 2>&1'
expect 0 "forwarding on in r" sysctl r net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
check "r forwards IPv4 (as the kernel says)" bash -c '[[ $(ip netns exec r cat /proc/sys/net/ipv4/ip_forward) == 1 ]]'
check "the test's own netns is untouched" bash -c '[[ $(cat /proc/sys/net/ipv4/ip_forward) == 0 ]]'
check "left reaches right over r (IPv4)" in_ns left ping -c1 -W2 -q 10.3.2.2
check "right reaches left over r (IPv4)" in_ns right ping -c1 -W2 -q 10.3.1.2
check "left reaches right over r (IPv6)" in_ns left ping -6 -c1 -W2 -q fd03:2::2
expect 0 "route del" route del left default via 10.3.1.1
check "left's IPv4 default is gone" bash -c '[[ $(ip -n left -j route show default) == "[]" ]]'

expect 0 "teardown" netns del sw h1 h2 h3 left r right
assert_clean
done_testing
