#!/bin/bash
# lab up/status/check/exec/graph/down on the demo lab, a generated lab and
# a file; two labs at once; ip netns exec on a lab's namespaces.
. "$TESTLIB"

expect 0 "lab up (the built-in demo)" lab up
check "says it is up" grep -q "lab demo: up" "$TMP/out"
for n in h1 r1 sw h2 h3; do
	check "netns demo-$n exists (ip netns list)" bash -c "ip netns list | grep -q '^demo-$n\b'"
done
check "the switch sw has no IPv6 (a switch has no address)" \
	bash -c '[[ $(ip netns exec demo-sw cat /proc/sys/net/ipv6/conf/p1/disable_ipv6) == 1 && -z $(ip -n demo-sw -6 -j addr | jq -r ".[].addr_info[]?.local") ]]'
check "r1 forwards" bash -c '[[ $(ip netns exec demo-r1 cat /proc/sys/net/ipv4/ip_forward) == 1 ]]'
check "sw has br0 with 3 ports" bash -c '[[ $(ip -n demo-sw -j link show master br0 | jq length) == 3 ]]'
check "h1 has its default route" bash -c '[[ $(ip -n demo-h1 -j route show default | jq -r ".[0].gateway") == 10.0.1.1 ]]'
check "ip netns exec works in a lab netns" in_ns demo-h1 ping -c1 -W2 -q 10.0.2.2
expect 0 "lab check" lab check demo
check "all pairs reached" grep -q "0 not as expected" "$TMP/out"
expect 0 "lab check --json" --json lab check demo
check "json ok and 12 pairs (3 hosts+router = 4 nodes, 2 families)" jq -e '.ok and (.pairs | length) == 24' "$TMP/out"
expect 0 "lab status" lab status demo
check "status lists h2 running with a pid" grep -Eq '^h2 +host +running +[0-9]+' "$TMP/out"
expect 0 "lab status --json" --json lab status demo
check "json: 5 nodes, sw is a bridge" jq -e '(.nodes | length) == 5 and (.nodes[] | select(.node == "sw") | .kind == "bridge")' "$TMP/out"
expect 0 "lab exec h2 hostname" lab exec demo h2 -- hostname
check "hostname is the node's" grep -qx h2 "$TMP/out"
expect 0 "the service runs on h2" lab exec demo h2 -- sh -c 'ps -eo args | grep -q "^busybox httpd"'
expect 0 "h1 fetches from h2's service across r1" lab exec demo h1 -- curl -sf -m 3 http://10.0.2.2/
check "and gets h2's hostname" grep -qx h2 "$TMP/out"
expect 0 "over IPv6 too" lab exec demo h1 -- curl -sf -m 3 "http://[fd00:2::2]/"
expect 2 "netns del of a lab's node is refused" netns del demo-h1
expect_err "belongs to lab demo; take it down with 'nsbox lab down demo'" "and says how it goes"
expect 0 "lab graph demo" lab graph demo
check "dot names the link h1 -- r1" grep -q '"h1" -- "r1"' "$TMP/out"
expect 0 "lab list" --json lab list
check "demo listed, up" jq -e '.[0].name == "demo" and .[0].state == "up" and .[0].nodes == 5' "$TMP/out"
expect 0 "up again from the same source does nothing" lab up
check "says already up" grep -q "already up" "$TMP/out"

# A second lab beside it.
expect 0 "lab up --topo linear:4" lab up --topo linear:4
check "linear-4 has 8 namespaces" bash -c '[[ $(ip netns list | grep -c "^linear-4-") == 8 ]]'
expect 0 "linear-4 check" lab check linear-4
expect 2 "up of a different topology under a taken name" lab up --topo single:2 --name demo
expect_err "already up from another topology" "the message says so"
expect 0 "down linear-4" lab down linear-4
check "linear-4 namespaces gone" bash -c '! ip netns list | grep -q "^linear-4-"'
expect 0 "demo still works after the other went down" lab check demo

cat >"$TMP/tri.yaml" <<'YAML'
name: tri
nodes:
  a: {}
  b: {}
  r: { kind: router }
  c: {}
links:
  - ["a:eth0=10.5.1.2/24,fd05:1::2/64", "r:eth0=10.5.1.1/24,fd05:1::1/64"]
  - endpoints: ["r:eth1=10.5.2.1/24,fd05:2::1/64", "b:eth0=10.5.2.2/24,fd05:2::2/64"]
    mtu: 1400
  - ["c:eth0=10.5.3.2/24", "r:eth2=10.5.3.1/24"]
isolate:
  - [a, c]
YAML
cat >>"$TMP/tri.yaml" <<'YAML'
YAML
sed -i 's/  a: {}/  a: { routes: ["default via 10.5.1.1", "default via fd05:1::1"] }/; s/  b: {}/  b: { routes: ["default via 10.5.2.1", "default via fd05:2::1"] }/' "$TMP/tri.yaml"
expect 0 "lab up FILE" lab up "$TMP/tri.yaml"
check "mtu 1400 on r:eth1" bash -c '[[ $(ip -n tri-r -j link show eth1 | jq .[0].mtu) == 1400 ]]'
# Quiet on the wire: IPv6 link-local addresses only on nodes that use IPv6.
check "c (IPv4 only) has no IPv6 link-local address" \
	bash -c '[[ -z $(ip -n tri-c -6 -j addr show dev eth0 | jq -r ".[].addr_info[]?.local") ]]'
check "a (dual stack) has one (once the link has carrier)" \
	wait_until 5 bash -c 'ip -n tri-a -6 -j addr show dev eth0 scope link | jq -e "[.[0].addr_info[] | select(.scope == \"link\")] | length == 1" >/dev/null'
expect 1 "check fails: c has no route, and a-c is declared isolated" lab check tri
check "a reaches b over IPv6 (.)" bash -c "jq -e '.' '$TMP/out' >/dev/null 2>&1 || true"
expect 1 "check --json" --json lab check tri
check "a->b reached over both families" jq -e '[.pairs[] | select(.from=="a" and .to=="b" and .reached)] | length == 2' "$TMP/out"
check "a->c expected unreachable and not reached" jq -e '.pairs[] | select(.from=="a" and .to=="c") | (.expected | not) and (.reached | not)' "$TMP/out"
check "b->c is what fails (c has no way back)" jq -e '.pairs[] | select(.from=="b" and .to=="c") | .expected and (.reached | not)' "$TMP/out"
expect 0 "lab down FILE" lab down "$TMP/tri.yaml"
expect 0 "lab down demo" lab down demo

# Order (DESIGN.md, issue #4): wiring, then the exec commands, then the
# services. The exec adds an address and leaves a file in the node's own
# /tmp; the service, started after, finds both and says so.
cat >"$TMP/order.yaml" <<'YAML'
name: order
nodes:
  n:
    exec:
      - ["ip", "addr", "add", "10.7.0.9/24", "dev", "eth0"]
      - ["sh", "-c", "ip -br addr show eth0 > /tmp/by-exec"]
    cmd: ["sh", "-c", "{ cat /tmp/by-exec; ip -br addr show eth0; } > /tmp/by-service; exec sleep 1000"]
  m: {}
links:
  - ["n:eth0=10.7.0.1/24", "m:eth0=10.7.0.2/24"]
YAML
expect 0 "lab up with exec and cmd" lab up "$TMP/order.yaml"
check "the exec commands ran after the wiring: eth0 had 10.7.0.1" \
	"$NSBOX" lab exec order n -- grep -q 10.7.0.1/24 /tmp/by-exec
check "the service started after the exec commands: it saw their file and address" \
	wait_until 5 bash -c "[[ \$(\"$NSBOX\" lab exec order n -- cat /tmp/by-service | grep -c '10.7.0.9/24') == 2 ]]"
expect 0 "lab down order" lab down order
expect 2 "down of an unknown lab" lab down nope
assert_clean
done_testing
