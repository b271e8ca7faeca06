#!/bin/bash
# Shaping with tbf on both ends of a pair, as tc sees it and as iperf3
# measures it; the error for a kernel without netem.
. "$TESTLIB"

expect 0 "setup" netns add a b
expect 0 "link add --rate 20mbit" link add a:e0=10.9.0.1/24 b:e0=10.9.0.2/24 --rate 20mbit
for ns in a b; do
	check "$ns:e0 has a tbf root at 20 Mbit/s (tc -j)" bash -c "tc -n $ns -j qdisc show dev e0 | jq -e '.[0].kind == \"tbf\" and .[0].root and .[0].options.rate == 2500000' >/dev/null"
done
expect 0 "link list shows the rate" link list a
check "text: rate 20mbit" grep -q "rate 20mbit" "$TMP/out"
expect 0 "link list --json" --json link list b
check "json: rate_bps 20000000" jq -e '.[] | select(.ifname == "e0") | .shaping.rate_bps == 20000000' "$TMP/out"

if command -v iperf3 >/dev/null; then
	ip netns exec b iperf3 -s -1 -B 10.9.0.2 >/dev/null 2>&1 &
	srv=$!
	wait_until 5 bash -c 'ip netns exec b ss -ltn | grep -q :5201'
	bps=$(ip netns exec a iperf3 -c 10.9.0.2 -t 3 -J 2>/dev/null | jq '.end.sum_received.bits_per_second')
	wait "$srv" 2>/dev/null
	mbit=$(awk -v b="${bps:-0}" 'BEGIN { printf "%.1f", b / 1e6 }')
	awk -v m="$mbit" 'BEGIN { exit !(m >= 16 && m <= 21) }' &&
		ok "iperf3 measures $mbit Mbit/s (16..21)" || not_ok "iperf3 measures $mbit Mbit/s, not 16..21"
else
	echo "# iperf3 not installed: throughput not measured"
fi

expect 0 "link set --rate 5mbit shapes both ends" link set b:e0 --rate 5mbit
check "a:e0 now 5 Mbit/s" bash -c "tc -n a -j qdisc show dev e0 | jq -e '.[0].options.rate == 625000' >/dev/null"
expect 0 "--clear-shaping" link set a:e0 --clear-shaping
check "no tbf left on either end" bash -c "! tc -n a qdisc show dev e0 | grep -q tbf && ! tc -n b qdisc show dev e0 | grep -q tbf"
expect 2 "--jitter without --delay" link set a:e0 --jitter 1ms
expect 2 "a bad unit" link set a:e0 --rate 10mbits
expect_err "unknown unit" "names the unit"

if ip netns exec a tc qdisc add dev lo root netem delay 1ms 2>/dev/null; then
	ip netns exec a tc qdisc del dev lo root
	expect 0 "netem: --delay 20ms --loss 1%" link set a:e0 --delay 20ms --loss 1%
	check "netem root on a:e0" bash -c "tc -n a -j qdisc show dev e0 | jq -e '.[0].kind == \"netem\"' >/dev/null"
else
	snapshot >"$TMP/before"
	expect 1 "netem on a kernel without it" link add a:n0 b:n0 --delay 10ms
	expect_err "lacks the netem qdisc \(CONFIG_NET_SCH_NETEM\)" "the message names the kernel option"
	unchanged "after the refused netem link"
	echo "# this kernel has no sch_netem: delay/loss shaping not exercised"
fi
expect 0 "teardown" netns del a b
assert_clean
done_testing
