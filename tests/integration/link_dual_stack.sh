#!/bin/bash
# A veth pair with IPv4 and IPv6 on both ends is up and pings at once.
. "$TESTLIB"

expect 0 "netns add a b" netns add a b
expect 0 "link add dual stack" link add a:eth0=10.0.0.1/24,fd00::1/64 b:eth0=10.0.0.2/24,fd00::2/64

for ns in a b; do
	j=$(ip -n $ns -j addr show eth0)
	check "$ns:eth0 is up" bash -c "jq -e '.[0].flags | index(\"UP\")' <<<'$j' >/dev/null"
	check "$ns:eth0 has carrier" bash -c "jq -e '.[0].flags | index(\"LOWER_UP\")' <<<'$j' >/dev/null"
	check "$ns:eth0 is a veth" bash -c "[[ \$(ip -n $ns -j -d link show eth0 | jq -r '.[0].linkinfo.info_kind') == veth ]]"
done
want4() { [[ $(ip -n "$1" -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family=="inet") | "\(.local)/\(.prefixlen)"') == "$2" ]]; }
want6() { ip -n "$1" -j addr show eth0 | jq -e --arg a "$2" '.[0].addr_info[] | select(.family=="inet6" and .local==$a and (.tentative|not))' >/dev/null; }
check "a has 10.0.0.1/24" want4 a 10.0.0.1/24
check "b has 10.0.0.2/24" want4 b 10.0.0.2/24
check "a has fd00::1, not tentative" want6 a fd00::1
check "b has fd00::2, not tentative" want6 b fd00::2
check "the peer of a:eth0 is in b" bash -c "[[ \$(ip -n a -j link show eth0 | jq -r '.[0].link_netnsid') != null ]]"

# No sleep: the pair must work the moment nsbox returns.
check "ping a -> b IPv4" in_ns a ping -c1 -W2 -q 10.0.0.2
check "ping b -> a IPv4" in_ns b ping -c1 -W2 -q 10.0.0.1
check "ping a -> b IPv6" in_ns a ping -6 -c1 -W2 -q fd00::2
check "ping b -> a IPv6" in_ns b ping -6 -c1 -W2 -q fd00::1

expect 0 "link list a" link list a
check "list names the peer b:eth0" grep -Eq '^a +eth0 +veth +up .* b:eth0 +10\.0\.0\.1/24 fd00::1/64' "$TMP/out"
expect 0 "link list --json" --json link list
check "json: a:eth0 peer b:eth0 with both addresses" bash -c "jq -e '.[] | select(.netns==\"a\" and .ifname==\"eth0\") | .peer==\"b:eth0\" and (.addresses|index(\"10.0.0.1/24\")) and (.addresses|index(\"fd00::1/64\"))' '$TMP/out' >/dev/null"

expect 0 "mtu at creation" link add a:m0 b:m0 --mtu 1400
check "both ends have mtu 1400" bash -c '[[ $(ip -n a -j link show m0 | jq .[0].mtu) == 1400 && $(ip -n b -j link show m0 | jq .[0].mtu) == 1400 ]]'
expect 0 "--down leaves both ends down" link add a:d0 b:d0 --down
check "a:d0 is down" bash -c '! ip -n a -j link show d0 | jq -e ".[0].flags | index(\"UP\")" >/dev/null'

expect 0 "host end" link add host:h0=10.7.0.1/24 a:h0=10.7.0.2/24
check "ping from the test's netns to a" ping -c1 -W2 -q 10.7.0.2
expect 0 "both ends in one netns" link add a:s0 a:s1
check "a:s0 and a:s1 exist" bash -c 'ip -n a link show s0 >/dev/null && ip -n a link show s1 >/dev/null'

expect 0 "link del removes the pair" link del a:eth0
check "b:eth0 is gone too" bash -c '! ip -n b link show eth0 2>/dev/null'
expect 0 "link del host:h0" link del host:h0
expect 0 "netns del a b" netns del a b
assert_clean
done_testing
