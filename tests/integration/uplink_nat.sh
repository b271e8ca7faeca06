#!/bin/bash
# Uplinks out: a sandbox (run --uplink) and a persistent netns (uplink add)
# fetch a page from a server in "the internet" (a netns the test makes) and
# the server sees the host's address (masquerade), IPv4 and IPv6; subnets
# from the pool (or NSBOX_UPLINK_POOL) that avoid the host's routes and each
# other; uplink list and --json; DNS (the host's resolv.conf, a local stub's
# upstreams, --dns) and /etc/hosts; teardown leaves no nsbox table, no veth,
# no /etc/netns entry, the forwarding sysctls as they were (0 or 1) and the
# test's own nftables table untouched; 50 sandboxes with uplinks in a row,
# and 8 at once, leak nothing.
. "$TESTLIB"
. "$(dirname "$TESTLIB")/uplink_lib.sh"

sandbox_begin
S=4242$$
W=upw$$ # a persistent netns
internet_up
serve "$INET" tcp "$A" 80 A
serve "$INET" tcp "$A6" 80 A6
# A route of the host's inside the default pool: no uplink may take it.
AVOID=10.213.0.0/24
ip route add "$AVOID" via "$A"
# The test's own nftables table, which nsbox must leave alone.
nft -f - <<'EOF' || {
table inet testkeep {
	set blocked {
		type ipv4_addr
		elements = { 192.0.2.99 }
	}
	chain fw {
		type filter hook forward priority 10; policy accept;
		ip daddr @blocked tcp dport 9 drop comment "the test's rule"
	}
}
EOF
	echo "Bail out! cannot add the test's nftables table"
	exit 1
}
nft -j list table inet testkeep >"$TMP/keep0"
nft list ruleset >"$TMP/ruleset0"
nft_rest >"$TMP/rest0"
sysctl -qw net.ipv4.ip_forward=0
sysctl -qw net.ipv6.conf.all.forwarding=0
keep_untouched() { nft -j list table inet testkeep | cmp -s - "$TMP/keep0" && nft_rest | cmp -s - "$TMP/rest0"; }
curl_page() { curl -sS --max-time 5 "$@"; }

# --- a sandbox in the foreground ---
expect 0 "run --uplink: curl fetches a page from the internet" run --uplink -- curl -sS --max-time 5 "http://$A/"
out_is "it is server A's page" A
check "server A saw the host's address $HOST (masquerade), not the sandbox's: $(last_peer A)" \
	test "$(last_peer A)" = "$HOST"
check "after it: no inet nsbox table" no_nsbox_table
check "no nsbu link left: $(nsbu_links)" no_nsbu_links
check "ip_forward back to 0" test "$(fwd4)" = 0
check "uplink list --json" uplinks_json
check "lists nothing" test "$(ucount)" = 0
expect 0 "run without --uplink: no way out" run -- sh -c "curl -sS --max-time 2 http://$A/ || echo no-way-out"
out_has "(the control: the default sandbox has only lo)" no-way-out

# --- two sandboxes with uplinks at once ---
expect 0 "run -d --uplink u1" run -d --name u1 --uplink -- sleep "$S"
sandbox_pid u1 >/dev/null
expect 0 "run -d --uplink u2" run -d --name u2 --uplink -- sleep "$S"
sandbox_pid u2 >/dev/null
check "uplink list --json" uplinks_json
check "two uplinks listed: $(ucount)" test "$(ucount)" = 2
check "every entry has name netns host_if subnet address gateway ipv6 publish allow" quietly jq -e \
	'all(.[]; has("name") and has("netns") and has("host_if") and has("subnet") and has("address") and has("gateway") and has("ipv6") and has("publish") and has("allow"))' \
	"$TMP/uplinks.json"
check "no IPv6, publish [] and allow [] when none was asked for" quietly jq -e \
	'all(.[]; .ipv6 == null and .publish == [] and .allow == [])' "$TMP/uplinks.json"
check_uplink u1 "$POOL" "$AVOID"
check_uplink u2 "$POOL" "$AVOID"
s1=$(ufield u1 subnet) s2=$(ufield u2 subnet)
is_cidr4 "$s1" || s1=$(net_of "$(ufield u1 address)")
is_cidr4 "$s2" || s2=$(net_of "$(ufield u2 address)")
check "distinct subnets ($s1, $s2)" bash -c "[[ '$s1' != '$s2' ]]"
check "that do not overlap" eval "! cidr_overlap '$s1' '$s2'"
check "distinct host ends ($(ufield u1 host_if), $(ufield u2 host_if))" test "$(ufield u1 host_if)" != "$(ufield u2 host_if)"
for s in u1 u2; do
	n=$(peers_of A)
	expect 0 "$s fetches from the internet" exec "$s" -- curl -sS --max-time 5 "http://$A/"
	out_is "$s: server A's page" A
	check "$s: A saw one more client, from $HOST: $(last_peer A)" \
		bash -c "[[ $(peers_of A) == $((n + 1)) && '$(last_peer A)' == '$HOST' ]]"
done
check "ip_forward is 1 while uplinks exist" test "$(fwd4)" = 1
check "the inet nsbox table exists" nsbox_table
check "the test's table and the rest of the ruleset are untouched" keep_untouched

# --- a persistent netns ---
expect 0 "netns add $W" netns add "$W"
expect 0 "uplink add $W" uplink add "$W"
check "uplink list --json" uplinks_json
check "three uplinks listed: $(ucount)" test "$(ucount)" = 3
check_uplink "$W" "$POOL" "$AVOID"
sw=$(ufield "$W" subnet)
is_cidr4 "$sw" || sw=$(net_of "$(ufield "$W" address)")
check "$W's subnet $sw overlaps neither sandbox's" eval "! cidr_overlap '$sw' '$s1' && ! cidr_overlap '$sw' '$s2'"
check "$W's netns field names it" test "$(ufield "$W" netns)" = "$W"
n=$(peers_of A)
check "$W: curl from inside the netns fetches A's page" bash -c "[[ \$(ip netns exec '$W' curl -sS --max-time 5 http://$A/) == A ]]"
check "$W: A saw it come from $HOST: $(last_peer A)" bash -c "[[ $(peers_of A) == $((n + 1)) && '$(last_peer A)' == '$HOST' ]]"
check "/etc/netns/$W/resolv.conf names the host's server $DNS" grep -qx "nameserver $DNS" "/etc/netns/$W/resolv.conf"
check "ip netns exec sees it as /etc/resolv.conf" bash -c "ip netns exec '$W' cat /etc/resolv.conf | grep -qx 'nameserver $DNS'"
expect 0 "uplink list" uplink list
out_has "the text lists $W" "$W"
out_has "with its host end" "$(ufield "$W" host_if)"

# A table removed under the uplinks (nft flush ruleset, say): the next
# uplink finds it missing and rebuilds it with everyone's rules, not with
# its own alone.
X=upx$$
masq_rules() { nft -j list table inet nsbox | jq '[.nftables[] | .rule // empty | select(any(.expr[]; has("masquerade")))] | length'; }
expect 0 "netns add $X" netns add "$X"
nft delete table inet nsbox
expect 0 "uplink add $X after 'nft delete table inet nsbox'" uplink add "$X"
check "the table has a masquerade rule for each of the four uplinks: $(masq_rules)" test "$(masq_rules)" = 4
expect 0 "uplink del $X" uplink del "$X"
expect 0 "netns del $X" netns del "$X"

# --- teardown, one at a time ---
hif1=$(ufield u1 host_if)
expect 0 "stop u1" stop u1
check "u1's host end $hif1 is gone" wait_until 3 eval "! ip link show '$hif1' >/dev/null 2>&1"
check "uplink list --json" uplinks_json
check "two uplinks left: $(ucount)" test "$(ucount)" = 2
check "u1 is not listed" test -z "$(uplink_of u1)"
check "ip_forward still 1" test "$(fwd4)" = 1
check "the table is still there (uplinks remain)" nsbox_table
n=$(peers_of A)
check "$W still reaches A" bash -c "[[ \$(ip netns exec '$W' curl -sS --max-time 5 http://$A/) == A ]]"
expect 0 "stop u2" stop u2
expect 0 "uplink del $W" uplink del "$W"
# At once: the workers that finish the kernel's freeing (they outlive
# uplink del by a grace period) hold none of nsbox's files.
check "the journal's lock is free as uplink del returns" flock -n /run/nsbox/lock true
check "no inet nsbox table" no_nsbox_table
check "no nsbu link: $(nsbu_links)" no_nsbu_links
check "no /etc/netns/$W" test ! -e "/etc/netns/$W"
check "ip_forward back to 0" test "$(fwd4)" = 0
check "IPv6 forwarding still 0" test "$(fwd6)" = 0
check "the test's table and the rest of the ruleset are untouched" keep_untouched
check "the whole ruleset is as before" bash -c "nft list ruleset | diff -q - '$TMP/ruleset0' >/dev/null"
check "uplink list --json" uplinks_json
check "lists nothing" test "$(ucount)" = 0
check "$W has no way out any more" eval "! ip netns exec '$W' curl -sS --max-time 2 http://$A/ >/dev/null 2>&1"

# --- forwarding already on: left on ---
sysctl -qw net.ipv4.ip_forward=1
expect 0 "ip_forward 1 before: uplink add $W" uplink add "$W"
expect 0 "uplink del $W" uplink del "$W"
check "ip_forward still 1 after the last uplink" test "$(fwd4)" = 1
expect 0 "ip_forward 1 before: run --uplink" run --uplink -- curl -sS --max-time 5 "http://$A/"
out_is "fetches A's page" A
check "ip_forward still 1" test "$(fwd4)" = 1
sysctl -qw net.ipv4.ip_forward=0

# ^C at a terminal goes to the whole process group of the job: nsbox passes
# it on to the sandbox, and the worker that will remove the uplink's rules
# when the sandbox ends (forked by nsbox, waiting all along) must not die
# of it.
setsid "$NSBOX" run --uplink -- sleep 10 >"$TMP/out" 2>"$TMP/err" &
pid=$!
check "a foreground run --uplink in a process group of its own is up" \
	wait_until 5 eval 'uplinks_json && [[ $(ucount) == 1 ]]'
kill -INT -- "-$pid"
wait "$pid"
rc=$?
check "SIGINT to its process group: exit 130 (sleep's), nothing on stderr (exit $rc: $(head -c 200 "$TMP/err"))" \
	eval '[[ $rc == 130 && ! -s $TMP/err ]]'
check "then no inet nsbox table" no_nsbox_table
check "no nsbu link: $(nsbu_links)" no_nsbu_links
check "uplink list --json" uplinks_json
check "lists nothing" test "$(ucount)" = 0
check "ip_forward back to 0" test "$(fwd4)" = 0
# Killed outright, the worker is replaced when the sandbox ends.
"$NSBOX" run --uplink -- sleep 2 >"$TMP/out" 2>"$TMP/err" &
pid=$!
check "a foreground run --uplink is up" wait_until 5 eval 'uplinks_json && [[ $(ucount) == 1 ]]'
check "its nsbox-nft worker waits: SIGKILL it" pkill -KILL -x nsbox-nft
wait "$pid"
rc=$?
check "the run ends as its command did (exit $rc: $(head -c 200 "$TMP/err"))" eval '[[ $rc == 0 && ! -s $TMP/err ]]'
check "no inet nsbox table" no_nsbox_table
check "no nsbu link: $(nsbu_links)" no_nsbu_links
check "uplink list --json" uplinks_json
check "lists nothing" test "$(ucount)" = 0

# --- IPv6 ---
expect 0 "uplink add $W --ipv6 fd00:213::/64" uplink add "$W" --ipv6 fd00:213::/64
check "uplink list --json" uplinks_json
check "ipv6 is listed: $(ufield "$W" ipv6)" bash -c "[[ '$(ufield "$W" ipv6)' == fd00:213:* ]]"
check "uplink0 inside has a global address in fd00:213::/64" quietly jq -e \
	'.[0] | any(.addr_info[]; .family == "inet6" and .scope == "global" and (.local | startswith("fd00:213:")))' \
	<(ip -n "$W" -j addr show dev uplink0)
check "an IPv6 default route inside on uplink0" quietly jq -e 'any(.[]; .dst == "default" and .dev == "uplink0")' \
	<(ip -n "$W" -j -6 route show)
check "IPv6 forwarding is 1" test "$(fwd6)" = 1
n=$(peers_of A6)
t0=$(date +%s%N)
if wait_until 5 bash -c "[[ \$(ip netns exec '$W' curl -sS -g --max-time 2 'http://[$A6]/' 2>/dev/null) == A6 ]]"; then
	ok "$W fetches over IPv6 (after $(ms_since "$t0") ms)"
else
	not_ok "$W cannot fetch over IPv6: $(ip netns exec "$W" curl -sS -g --max-time 2 "http://[$A6]/" 2>&1 | head -c 300)"
fi
check "A6 saw the host's address $HOST6 (masquerade): $(last_peer A6)" test "$(last_peer A6)" = "$HOST6"
check "and IPv4 works as well" bash -c "[[ \$(ip netns exec '$W' curl -sS --max-time 5 http://$A/) == A ]]"
expect 0 "uplink del $W" uplink del "$W"
check "IPv6 forwarding back to 0" test "$(fwd6)" = 0
check "ip_forward back to 0" test "$(fwd4)" = 0
check "no table" no_nsbox_table

# --- DNS ---
rm -f /etc/resolv.conf
printf 'nameserver 127.0.0.53\noptions edns0 trust-ad\n' >/etc/resolv.conf
mkdir -p /run/systemd/resolve
printf 'nameserver 198.51.100.54\nnameserver 2001:db8:100::54\n' >/run/systemd/resolve/resolv.conf
expect 0 "host behind a local stub (127.0.0.53): uplink add $W" uplink add "$W"
check "resolv.conf names the stub's upstreams" bash -c \
	"grep -qx 'nameserver 198.51.100.54' /etc/netns/$W/resolv.conf && grep -qx 'nameserver 2001:db8:100::54' /etc/netns/$W/resolv.conf"
check "and not the stub" eval "! grep -q 127.0.0.53 /etc/netns/$W/resolv.conf"
expect 0 "run --uplink behind the stub" run --uplink -- cat /etc/resolv.conf
out_has "the sandbox's resolv.conf names the upstream" '^nameserver 198\.51\.100\.54$'
out_lacks "and not the stub" '127\.0\.0\.53'
expect 0 "uplink del $W" uplink del "$W"
check "/etc/netns/$W is gone" test ! -e "/etc/netns/$W"
rm -rf /run/systemd
rm -f /etc/resolv.conf
echo "nameserver $DNS" >/etc/resolv.conf
expect 0 "uplink add $W --dns 192.0.2.53 --dns 2001:db8::53" uplink add "$W" --dns 192.0.2.53 --dns 2001:db8::53
check "resolv.conf names exactly those: $(grep nameserver "/etc/netns/$W/resolv.conf" | tr '\n' ' ')" bash -c \
	"[[ \$(grep '^nameserver' /etc/netns/$W/resolv.conf | awk '{print \$2}' | sort | tr '\n' ' ') == '192.0.2.53 2001:db8::53 ' ]]"
expect 0 "uplink del $W" uplink del "$W"
check "/etc/netns/$W is gone" test ! -e "/etc/netns/$W"
expect 0 "run --uplink: /etc/resolv.conf and /etc/hosts" run --uplink --name dnsbox -- sh -c 'cat /etc/resolv.conf; echo ---; cat /etc/hosts'
out_has "resolv.conf names the host's server $DNS" "^nameserver ${DNS//./\\.}\$"
out_has "/etc/hosts names the sandbox" '^[0-9a-f.:]+[[:space:]].*\bdnsbox\b'
expect 0 "getent hosts dnsbox inside" run --uplink --name dnsbox -- getent hosts dnsbox
out_has "the sandbox's own name resolves" 'dnsbox'
expect 0 "run --uplink --dns 192.0.2.53" run --uplink --dns 192.0.2.53 -- cat /etc/resolv.conf
out_has "resolv.conf names 192.0.2.53" '^nameserver 192\.0\.2\.53$'
out_lacks "and not the host's server" "${DNS//./\\.}"
check "the host's /etc/resolv.conf is untouched" test "$(cat /etc/resolv.conf)" = "nameserver $DNS"

# --- NSBOX_UPLINK_POOL ---
NSBOX_UPLINK_POOL=10.77.0.0/29 expect 0 "NSBOX_UPLINK_POOL=10.77.0.0/29 uplink add $W" uplink add "$W"
check "uplink list --json" uplinks_json
check_uplink "$W" 10.77.0.0/29
check "$W fetches through it" bash -c "[[ \$(ip netns exec '$W' curl -sS --max-time 5 http://$A/) == A ]]"
expect 0 "uplink del $W" uplink del "$W"

# --- 50 in a row, 8 at once ---
n50=0 err50=""
for i in $(seq 50); do
	if ! "$NSBOX" run --uplink -- true >/dev/null 2>"$TMP/err50"; then
		n50=$((n50 + 1))
		err50=$(head -c 200 "$TMP/err50")
	fi
done
check "50 × run --uplink -- true: all exit 0 ($n50 failed${err50:+: $err50})" test "$n50" = 0
check "no nsbu link left: $(nsbu_links)" no_nsbu_links
check "no table left" no_nsbox_table
check "ip_forward 0" test "$(fwd4)" = 0
check "nothing in /run/nsbox/uplink: $(find /run/nsbox/uplink -mindepth 1 2>/dev/null | tr '\n' ' ')" \
	bash -c '! find /run/nsbox/uplink -mindepth 1 2>/dev/null | grep -q .'
n=$(peers_of A)
pids=()
for i in $(seq 8); do
	"$NSBOX" run --uplink -- curl -sS --max-time 10 "http://$A/" >"$TMP/par$i.out" 2>"$TMP/par$i.err" &
	pids+=($!)
done
bad=0
for i in $(seq 8); do
	wait "${pids[i - 1]}" && [[ $(cat "$TMP/par$i.out") == A ]] || {
		bad=$((bad + 1))
		echo "# parallel $i: $(head -c 200 "$TMP/par$i.err")"
	}
done
check "8 × run --uplink at once all fetch A's page ($bad did not)" test "$bad" = 0
check "A saw 8 more clients, all from $HOST" bash -c \
	"[[ \$(grep '^peer ' '$TMP/srv-A.log' | tail -n +$((n + 1)) | sort | uniq -c | awk '{print \$1, \$3}') == '8 $HOST' ]]"
check "no nsbu link left: $(nsbu_links)" no_nsbu_links
check "no table left" no_nsbox_table
check "ip_forward 0" test "$(fwd4)" = 0
check "uplink list --json" uplinks_json
check "lists nothing" test "$(ucount)" = 0

internet_down
expect 0 "netns del $W" netns del "$W"
check "the test's nftables ruleset is as it was at the start" bash -c "nft list ruleset | diff -q - '$TMP/ruleset0' >/dev/null"
nft delete table inet testkeep
assert_clean
assert_sandbox_clean "^sleep $S\$"
done_testing
