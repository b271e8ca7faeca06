#!/bin/bash
# Uplinks in labs: a node with `uplink: true` (and a published port), a
# node of kind nat behind which hosts reach "the internet" (a netns of the
# test's own), masqueraded twice; lab down removes every uplink, rule and
# record, and leaves the test's own nftables table untouched.
. "$TESTLIB"
. "$(dirname "$TESTLIB")/uplink_lib.sh"

internet_up
serve "$INET" tcp "$A" 80 A
nft add table inet testkeep
nft add chain inet testkeep c '{ type filter hook input priority 0; }'
nft add rule inet testkeep c tcp dport 9 counter accept
fwd_before=$(cat /proc/sys/net/ipv4/ip_forward)
snapshot_all >"$TMP/before"

cat >"$TMP/natlab.yaml" <<YAML
name: natlab
nodes:
  gw: { kind: nat }
  h1: { routes: ["default via 10.7.0.1"] }
  h2: { routes: ["default via 10.7.0.1"] }
  sw: { kind: bridge }
  web:
    uplink: true
    publish: ["8088:80"]
    cmd: "mkdir /tmp/w && echo lab-web > /tmp/w/index.html && exec busybox httpd -f -p 80 -h /tmp/w"
links:
  - ["gw:eth1=10.7.0.1/24", "sw:p0"]
  - ["h1:eth0=10.7.0.2/24", "sw:p1"]
  - ["h2:eth0=10.7.0.3/24", "sw:p2"]
YAML
expect 0 "lab up with a nat node and an uplinked node" lab up "$TMP/natlab.yaml"
uplinks_json
check "two uplinks: natlab-gw and natlab-web" bash -c "[[ \$(jq -r '[.[].netns] | sort | join(\" \")' '$TMP/uplinks.json') == 'natlab-gw natlab-web' ]]"
check "the nat node forwards" bash -c '[[ $(ip netns exec natlab-gw cat /proc/sys/net/ipv4/ip_forward) == 1 ]]'
check "the nat node masquerades what leaves through uplink0" bash -c "ip netns exec natlab-gw nft list table inet nsbox-nat | grep -q 'oifname \"uplink0\" masquerade'"
expect 0 "h1 (behind gw) reaches server A" lab exec natlab h1 -- curl -s -m 3 "http://$A/"
check "A saw the host's address: masqueraded in gw, then in the host" bash -c "[[ \$(grep '^peer ' '$TMP/srv-A.log' | tail -1 | cut -d' ' -f2) == $HOST ]]"
expect 0 "web (its own uplink) reaches A" lab exec natlab web -- curl -s -m 3 "http://$A/"
web_addr=$(uaddr natlab-web address)
check "web's port 80 is published on the host's 8088" bash -c "curl -s -m 3 http://$HOST:8088/ | grep -qx lab-web"
expect 0 "lab check (hosts, gw and web)" lab check natlab

expect 2 "publish without an uplink is refused" lab up "$SRCDIR/tests/lab/bad/63-publish-without-uplink.yaml"
expect_err "publish and allow need 'uplink: true'" "says why"
expect 0 "status shows gw as a nat" lab status natlab
check "gw: kind nat" grep -Eq '^gw +nat +running' "$TMP/out"

expect 0 "lab down" lab down natlab
check "no nsbu link left" no_nsbu_links
check "no nsbox table left" no_nsbox_table
check "the test's own table is untouched" bash -c "nft list table inet testkeep | grep -q 'tcp dport 9 counter'"
check "forwarding as before" bash -c "[[ \$(cat /proc/sys/net/ipv4/ip_forward) == $fwd_before ]]"
check "no uplink record left" bash -c '[[ -z $(ls /run/nsbox/uplink 2>/dev/null) ]]'
internet_down
nft delete table inet testkeep
assert_clean
done_testing
