#!/bin/bash
# link set, addr add/del, netns del of a namespace a sandbox uses.
. "$TESTLIB"

expect 0 "setup" netns add a b
expect 0 "pair" link add a:eth0 b:eth0
expect 0 "link set down" link set a:eth0 down
check "a:eth0 is down" bash -c '! ip -n a -j link show eth0 | jq -e ".[0].flags | index(\"UP\")" >/dev/null'
expect 0 "link set up --mtu 1280 --mac" link set a:eth0 up --mtu 1280 --mac 02:00:00:00:00:0a
check "up, mtu 1280, mac set" bash -c 'j=$(ip -n a -j link show eth0); jq -e ".[0].flags | index(\"UP\")" <<<"$j" >/dev/null && [[ $(jq .[0].mtu <<<"$j") == 1280 && $(jq -r .[0].address <<<"$j") == 02:00:00:00:00:0a ]]'

expect 0 "addr add two at once" addr add a:eth0 10.4.0.1/24 fd04::1/64
expect 0 "addr add on b" addr add b:eth0 10.4.0.2/24
check "a has both" bash -c '[[ $(ip -n a -j addr show eth0 | jq -r "[.[0].addr_info[] | select(.scope==\"global\") | .local] | join(\" \")") == "10.4.0.1 fd04::1" ]]'
check "ping over the added addresses" in_ns a ping -c1 -W2 -q 10.4.0.2
snapshot >"$TMP/before"
expect 2 "addr add: second one exists -> first one rolled back" addr add a:eth0 10.4.1.1/24 10.4.0.1/24
unchanged "after the refused addr add"
expect 0 "addr del" addr del a:eth0 fd04::1/64
check "fd04::1 gone" bash -c '! ip -n a -j addr show eth0 | jq -e ".[0].addr_info[] | select(.local==\"fd04::1\")" >/dev/null'

# A sandbox running in b keeps it busy; a mere process does not count.
ip netns exec a sleep 30 &
sleeper=$!
expect 0 "sandbox in b" run -d --name user --netns b -- sleep 4243
expect 2 "netns del refuses a netns a sandbox uses" netns del a b
expect_err "netns b: in use by sandbox user" "the message names the sandbox"
check "both still there" bash -c '[[ $(ls /run/netns | wc -l) == 2 ]]'
expect 0 "netns list counts the processes" --json netns list
check "a has the sleep, b the sandbox's init and command" bash -c "jq -e '(.[] | select(.name==\"a\") | .processes == 1) and (.[] | select(.name==\"b\") | .processes == 2)' '$TMP/out' >/dev/null"
expect 0 "netns del --force" netns del --force a b
expect 0 "stop the sandbox" stop user
kill "$sleeper"
wait "$sleeper" 2>/dev/null
assert_clean
done_testing
