#!/bin/bash
# iproute2 compatibility both ways.
. "$TESTLIB"

expect 0 "nsbox netns add a" netns add a
check "a shows in ip netns list" bash -c 'ip netns list | grep -qx "a"'
check "ip netns exec works on a" bash -c '[[ $(ip netns exec a ip -j link show lo | jq -r ".[0].operstate") == UNKNOWN ]]'
check "lo is up in a" bash -c 'ip -n a -j link show lo | jq -e ".[0].flags | index(\"UP\")" >/dev/null'
check "/run/netns is a shared mount" bash -c 'grep -E " /run/netns .*shared:" /proc/self/mountinfo -q'

ip netns add x
expect 0 "nsbox netns list" netns list
check "x listed, made by other" grep -Eq '^x +other ' "$TMP/out"
check "a listed, made by nsbox" grep -Eq '^a +nsbox ' "$TMP/out"
expect 0 "nsbox --json netns list" --json netns list
check "json marks x as not made by nsbox" bash -c "jq -e '.[] | select(.name == \"x\") | .made_by == \"other\"' '$TMP/out' >/dev/null"

expect 0 "wire nsbox's a to iproute2's x" link add a:e0=10.1.0.1/24 x:e0=10.1.0.2/24
check "ping over the pair" in_ns x ping -c1 -W2 -q 10.1.0.1
check "ip sees x:e0 addressed" bash -c '[[ $(ip -n x -j addr show e0 | jq -r ".[0].addr_info[] | select(.family==\"inet\") | .local") == 10.1.0.2 ]]'

expect 0 "nsbox deletes iproute2's x" netns del x
check "x gone from ip netns list" bash -c '! ip netns list | grep -q "^x"'
expect 0 "ip-visible a deleted by nsbox" netns del a
check "ip netns list is empty" bash -c '[[ -z $(ip netns list) ]]'

ip netns add y
expect 0 "nsbox netns exec on iproute2's netns" netns exec y ip -j link show
check "it saw only y's lo" bash -c "[[ \$(jq -r '.[].ifname' '$TMP/out') == lo ]]"
ip netns del y

assert_clean
done_testing
