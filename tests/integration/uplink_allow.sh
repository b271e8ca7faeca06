#!/bin/bash
# Egress allow-lists: with --allow naming only server B, a fetch from
# server A fails at once (under 1 s) with "refused" or "unreachable" and A
# never sees the client, while B works; ports and protocols in --allow; DNS
# to the configured servers (UDP and TCP 53) is implied and shows in the
# nftables table; the lists are per uplink (a sandbox without one still
# reaches A at the same time); uplink add --allow for a persistent netns,
# IPv6 too; teardown removes it all.
. "$TESTLIB"
. "$(dirname "$TESTLIB")/uplink_lib.sh"

sandbox_begin
S=4242$$
W=upa$$
internet_up
serve "$INET" tcp "$A" 80 A
serve "$INET" udp "$A" 5000 AU
serve "$INET" tcp "$A6" 80 A6
serve "$INET" tcp "$B" 80 B
serve "$INET" tcp "$B" 8081 B8081
serve "$INET" udp "$B" 5300 BU
serve "$INET" tcp "$B" 5300 BT
serve "$INET" udp "$DNS" 53 DNSU
serve "$INET" tcp "$DNS" 53 DNST
serve "$INET" udp "$DNS" 5353 MDNS
sysctl -qw net.ipv4.ip_forward=0
BIND=(-b "$TMP/bin:/opt/t:ro")
T=/opt/t/netsrv

# refused_fast NAME DESC HOST PORT TAG [udpsend]: from NAME (sb:SANDBOX or
# a netns), a TCP connection (or a datagram) to HOST:PORT fails in under
# 1 s with a refusal or an unreachable, and server TAG there sees nothing.
refused_fast() {
	local n=$1 desc=$2 host=$3 port=$4 tag=$5 kind=${6:-connect} before
	before=$(peers_of "$tag")
	if [[ $n == sb:* ]]; then
		fast_fail "$desc" 1000 "$NSBOX" exec "${n#sb:}" -- "$T" "$kind" "$host" "$port" 3000
	else
		fast_fail "$desc" 1000 ip netns exec "$n" "$NETSRV" "$kind" "$host" "$port" 3000
	fi
	ff_says "$desc: refused or unreachable"
	check "$desc: server $tag saw no client" test "$(peers_of "$tag")" = "$before"
}

# --- --allow a whole address ---
expect 0 "run -d --uplink --allow $B/32 (al)" run -d --name al --uplink --allow "$B/32" "${BIND[@]}" -- sleep "$S"
sandbox_pid al >/dev/null
t0=$(date +%s%N)
expect 7 "al: curl A: connection fails (curl exit 7)" exec al -- curl -sS -v --max-time 5 "http://$A/"
ms=$(ms_since "$t0")
check "at once: $ms ms (under 1000)" test "$ms" -lt 1000
check "curl says refused or unreachable: $(grep -Ei 'refused|unreachable|no route' "$TMP/err" | head -1)" \
	grep -Eqi 'refused|unreachable|No route to host' "$TMP/err"
refused_fast sb:al "al: TCP to A:80" "$A" 80 A
refused_fast sb:al "al: UDP to A:5000 (a server listens there)" "$A" 5000 AU udpsend
n=$(peers_of B)
expect 0 "al: curl B works" exec al -- curl -sS --max-time 5 "http://$B/"
out_is "B's page" B
check "B saw the host's address: $(last_peer B)" bash -c "[[ $(peers_of B) == $((n + 1)) && '$(last_peer B)' == '$HOST' ]]"
expect 0 "al: any port of B: 8081" exec al -- "$T" connect "$B" 8081
out_is "B8081 answers" B8081
expect 0 "al: UDP to B works too" exec al -- "$T" udpsend "$B" 5300
out_is "BU answers" BU

# DNS to the configured server ($DNS, from the host's resolv.conf) is implied.
expect 0 "al: /etc/resolv.conf" exec al -- cat /etc/resolv.conf
out_has "names $DNS" "^nameserver ${DNS//./\\.}\$"
expect 0 "al: DNS over UDP to $DNS:53 is let through" exec al -- "$T" udpsend "$DNS" 53
out_is "the DNS server answers" DNSU
expect 0 "al: DNS over TCP to $DNS:53 is let through" exec al -- "$T" connect "$DNS" 53
out_is "the DNS server answers over TCP" DNST
refused_fast sb:al "al: another port of the DNS server (UDP 5353)" "$DNS" 5353 MDNS udpsend
check "nft -j list table inet nsbox" quietly bash -c "nft -j list table inet nsbox >'$TMP/table.json'"
check "a rule accepts $DNS port 53" quietly jq -e --arg d "$DNS" \
	'any(.nftables[] | .rule // empty; any(.expr[]; .match.left.payload.field? == "dport" and .match.right == 53) and (tostring | contains("\"" + $d + "\"")))' \
	"$TMP/table.json"
check "a rule names $B" quietly jq -e --arg b "$B" \
	'any(.nftables[] | .rule // empty; tostring | contains("\"" + $b + "\""))' "$TMP/table.json"
check "a rule rejects (not a silent drop)" quietly jq -e \
	'any(.nftables[] | .rule // empty; any(.expr[]; has("reject")))' "$TMP/table.json"

# The list is al's alone: a sandbox without one reaches A meanwhile.
expect 0 "meanwhile run --uplink (no --allow): curl A" run --uplink -- curl -sS --max-time 5 "http://$A/"
out_is "A's page" A
expect 7 "and al still cannot" exec al -- curl -sS --max-time 5 "http://$A/"

# --- ports and protocols ---
expect 0 "run -d --uplink --allow 203.0.113.0/24:80/tcp --allow $B:5300/udp (al2)" \
	run -d --name al2 --uplink --allow 203.0.113.0/24:80/tcp --allow "$B:5300/udp" "${BIND[@]}" -- sleep "$S"
sandbox_pid al2 >/dev/null
check "uplink list --json" uplinks_json
check "al2's allow list is listed with ports and protocols: $(uplink_of al2 | jq -c .allow)" quietly jq -e \
	'(.allow | length) == 2 and any(.allow[]; test("^203\\.0\\.113\\.0/24:80(/tcp)?$")) and any(.allow[]; test("^203\\.0\\.113\\.2(/32)?:5300/udp$"))' \
	<(uplink_of al2)
expect 0 "al2: curl B:80" exec al2 -- curl -sS --max-time 5 "http://$B/"
out_is "B's page" B
refused_fast sb:al2 "al2: TCP to B:8081 (port not allowed)" "$B" 8081 B8081
expect 0 "al2: UDP to B:5300" exec al2 -- "$T" udpsend "$B" 5300
out_is "BU answers" BU
refused_fast sb:al2 "al2: TCP to B:5300 (only UDP allowed)" "$B" 5300 BT
refused_fast sb:al2 "al2: TCP to A:80" "$A" 80 A
expect 0 "al2: DNS still implied" exec al2 -- "$T" udpsend "$DNS" 53
out_is "the DNS server answers" DNSU

expect 0 "stop al al2" stop al al2
check "no inet nsbox table" no_nsbox_table
check "no nsbu link: $(nsbu_links)" no_nsbu_links
check "ip_forward back to 0" test "$(fwd4)" = 0

# --- uplink add --allow, with IPv6 ---
expect 0 "netns add $W" netns add "$W"
expect 0 "uplink add $W --ipv6 fd00:214::/64 --allow $B/32 --allow $A6/128 --dns $DNS" \
	uplink add "$W" --ipv6 fd00:214::/64 --allow "$B/32" --allow "$A6/128" --dns "$DNS"
check "uplink list --json" uplinks_json
check "$W's allow list has 2 entries: $(uplink_of "$W" | jq -c .allow)" test "$(uplink_of "$W" | jq '.allow | length')" = 2
check "$W: curl B works" bash -c "[[ \$(ip netns exec '$W' curl -sS --max-time 5 http://$B/) == B ]]"
refused_fast "$W" "$W: TCP to A:80" "$A" 80 A
if wait_until 5 bash -c "[[ \$(ip netns exec '$W' curl -sS -g --max-time 2 'http://[$A6]/' 2>/dev/null) == A6 ]]"; then
	ok "$W: IPv6 to $A6 (allowed) works"
else
	not_ok "$W: IPv6 to $A6 (allowed) fails: $(ip netns exec "$W" curl -sS -g --max-time 2 "http://[$A6]/" 2>&1 | head -c 300)"
fi
check "A6 saw the host's IPv6 address: $(last_peer A6)" test "$(last_peer A6)" = "$HOST6"
expect 0 "uplink del $W" uplink del "$W"
check "no inet nsbox table" no_nsbox_table
check "no nsbu link" no_nsbu_links
check "$W: A reachable? no: no uplink at all" eval "! ip netns exec '$W' curl -sS --max-time 2 http://$B/ >/dev/null 2>&1"

internet_down
expect 0 "netns del $W" netns del "$W"
assert_clean
assert_sandbox_clean "^sleep $S\$"
done_testing
