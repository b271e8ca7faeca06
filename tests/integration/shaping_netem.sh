#!/bin/bash
# Delay and loss with netem, on both ends of a pair; needs the kernel's
# sch_netem, which some kernels (this project's test machine's) lack: then
# the test skips, saying so (shaping.sh checks the error nsbox gives).
. "$TESTLIB"

ip netns add probe
if ! ip netns exec probe tc qdisc add dev lo root netem delay 1ms 2>/dev/null; then
	ip netns del probe
	echo "SKIP: the kernel lacks sch_netem (CONFIG_NET_SCH_NETEM)"
	exit 77
fi
ip netns del probe
expect 0 "setup" netns add a b
expect 0 "link add --delay 50ms --loss 0%" link add a:e0=10.9.0.1/24 b:e0=10.9.0.2/24 --delay 50ms
for ns in a b; do
	check "$ns:e0 has a netem root with 50 ms" bash -c "tc -n $ns -j qdisc show dev e0 | jq -e '.[0].kind == \"netem\" and .[0].options.delay.delay == 0.05' >/dev/null"
done
rtt=$(ip netns exec a ping -c3 -i 0.2 -q 10.9.0.2 | awk -F/ '/^rtt/ {print $5}')
awk -v r="${rtt:-0}" 'BEGIN { exit !(r >= 95 && r <= 150) }' && ok "RTT $rtt ms (two 50 ms delays)" || not_ok "RTT $rtt ms, not ~100"
expect 0 "rate under netem" link set a:e0 --delay 10ms --rate 5mbit
check "tbf under netem on a:e0" bash -c "tc -n a -j qdisc show dev e0 | jq -e 'map(.kind) | index(\"tbf\")' >/dev/null"
expect 0 "--clear-shaping" link set a:e0 --clear-shaping
expect 0 "teardown" netns del a b
assert_clean
done_testing
