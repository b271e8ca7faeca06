#!/bin/bash
# Published ports: uplink add --publish and run --uplink --publish forward a
# host port (TCP and UDP) to a server inside the netns or sandbox, reached
# through the host's address by a client in the internet netns and by one
# in the test's own netns; HOSTADDR: limits it to that address; uplink list
# shows them; after del or stop the rules are gone and the ports answer
# nothing.
. "$TESTLIB"
. "$(dirname "$TESTLIB")/uplink_lib.sh"

sandbox_begin
P=upp$$
Q=upq$$
internet_up
sysctl -qw net.ipv4.ip_forward=0

# reaches DESC TAG WHERE KIND HOST PORT: a client in WHERE ("inet" or
# "host", the test's netns) reaches server TAG through HOST:PORT.
reaches() {
	local desc=$1 tag=$2 where=$3 kind=$4 host=$5 port=$6 got
	if [[ $where == host ]]; then
		got=$("$NETSRV" "$kind" "$host" "$port" 2000 2>&1)
	else
		got=$(ip netns exec "$where" "$NETSRV" "$kind" "$host" "$port" 2000 2>&1)
	fi
	if [[ $got == "$tag" ]]; then ok "$desc"; else not_ok "$desc (got: $(head -c 200 <<<"$got"))"; fi
}
# misses DESC TAG WHERE KIND HOST PORT: it does not (whatever the error).
misses() {
	local desc=$1 tag=$2 where=$3 kind=$4 host=$5 port=$6 got n
	n=$(peers_of "$tag")
	if [[ $where == host ]]; then
		got=$("$NETSRV" "$kind" "$host" "$port" 1000 2>&1)
	else
		got=$(ip netns exec "$where" "$NETSRV" "$kind" "$host" "$port" 1000 2>&1)
	fi
	if [[ $got != "$tag" && $(peers_of "$tag") == "$n" ]]; then
		ok "$desc ($got)"
	else
		not_ok "$desc: it got through (got: $(head -c 200 <<<"$got"))"
	fi
}

# --- a persistent netns ---
expect 0 "netns add $P" netns add "$P"
serve "$P" tcp 0.0.0.0 80 PT
serve "$P" udp 0.0.0.0 53 PU
expect 0 "uplink add $P --publish 8080:80 --publish 5353:53/udp --publish $HOST:8081:80" \
	uplink add "$P" --publish 8080:80 --publish 5353:53/udp --publish "$HOST:8081:80"
check "uplink list --json" uplinks_json
check "three publish entries: $(uplink_of "$P" | jq -c .publish)" test "$(uplink_of "$P" | jq '.publish | length')" = 3
pubs=$(uplink_of "$P" | jq -c .publish)
check "the listing names 8080, 5353/udp and $HOST:8081: $pubs" eval '[[ $pubs == *8080* && $pubs == *5353*udp* && $pubs == *"$HOST:8081"* ]]'
reaches "internet → $HOST:8080/tcp reaches the server inside $P" PT "$INET" connect "$HOST" 8080
echo "# the server inside saw the client as $(last_peer PT)"
reaches "internet → $HOST2:8080/tcp too (no HOSTADDR: any address of the host)" PT "$INET" connect "$HOST2" 8080
reaches "internet → $HOST:5353/udp reaches the UDP server inside" PU "$INET" udpsend "$HOST" 5353
reaches "internet → $HOST:8081/tcp (published on $HOST only)" PT "$INET" connect "$HOST" 8081
misses "internet → $HOST2:8081/tcp does not (another address of the host)" PT "$INET" connect "$HOST2" 8081
reaches "host → $HOST:8080/tcp (a client in the test's netns)" PT host connect "$HOST" 8080
reaches "host → $HOST:5353/udp" PU host udpsend "$HOST" 5353
check "host: curl http://$HOST:8080/" bash -c "[[ \$(curl -sS --max-time 5 http://$HOST:8080/) == PT ]]"
misses "internet → $HOST:8082/tcp (not published)" PT "$INET" connect "$HOST" 8082
check "nft -j list table inet nsbox" quietly bash -c "nft -j list table inet nsbox >'$TMP/table.json'"
check "a dnat rule for tcp dport 8080" quietly jq -e \
	'any(.nftables[] | .rule // empty; any(.expr[]; .match.right == 8080) and any(.expr[]; has("dnat")))' "$TMP/table.json"
check "a dnat rule for udp dport 5353" quietly jq -e \
	'any(.nftables[] | .rule // empty; any(.expr[]; .match.right == 5353) and any(.expr[]; has("dnat")))' "$TMP/table.json"
# The table is rebuilt from the journal when another uplink comes or goes:
# the published ports (HOSTADDR too) must come out the same.
expect 0 "netns add $Q; uplink add $Q (the table is rebuilt)" netns add "$Q"
expect 0 "uplink add $Q" uplink add "$Q"
reaches "after the rebuild: internet → $HOST:8080/tcp" PT "$INET" connect "$HOST" 8080
reaches "after the rebuild: internet → $HOST:5353/udp" PU "$INET" udpsend "$HOST" 5353
reaches "after the rebuild: internet → $HOST:8081/tcp" PT "$INET" connect "$HOST" 8081
misses "after the rebuild: internet → $HOST2:8081/tcp still does not" PT "$INET" connect "$HOST2" 8081
expect 0 "uplink del $Q (rebuilt again)" uplink del "$Q"
reaches "after that: internet → $HOST:8081/tcp" PT "$INET" connect "$HOST" 8081
misses "after that: internet → $HOST2:8081/tcp still does not" PT "$INET" connect "$HOST2" 8081
expect 0 "uplink del $P" uplink del "$P"
check "no inet nsbox table" no_nsbox_table
check "no nsbu link" no_nsbu_links
misses "internet → $HOST:8080/tcp reaches nothing now" PT "$INET" connect "$HOST" 8080
misses "internet → $HOST:5353/udp reaches nothing now" PU "$INET" udpsend "$HOST" 5353
misses "host → $HOST:8080/tcp reaches nothing now" PT host connect "$HOST" 8080
servers_stop

# --- a sandbox ---
expect 0 "run -d --uplink --publish 8090:80 --publish 5390:53/udp (pub)" \
	run -d --name pub --uplink --publish 8090:80 --publish 5390:53/udp -b "$TMP/bin:/opt/t:ro" -- \
	sh -c '/opt/t/netsrv tcp 0.0.0.0 80 SBT & exec /opt/t/netsrv udp 0.0.0.0 53 SBU'
sandbox_pid pub >/dev/null
# These servers write to the sandbox's log, not to $TMP: misses() then
# judges by the answer alone.
touch "$TMP/srv-SBT.log" "$TMP/srv-SBU.log"
if wait_until 5 bash -c "[[ \$(ip netns exec '$INET' '$NETSRV' connect '$HOST' 8090 500 2>/dev/null) == SBT ]]"; then
	ok "internet → $HOST:8090/tcp reaches the server in the sandbox"
else
	not_ok "internet → $HOST:8090/tcp does not reach the sandbox: $(ip netns exec "$INET" "$NETSRV" connect "$HOST" 8090 500 2>&1)"
fi
reaches "internet → $HOST:5390/udp reaches the sandbox's UDP server" SBU "$INET" udpsend "$HOST" 5390
reaches "host → $HOST:8090/tcp" SBT host connect "$HOST" 8090
reaches "host → $HOST:5390/udp" SBU host udpsend "$HOST" 5390
check "uplink list --json" uplinks_json
check "pub's two publish entries are listed: $(uplink_of pub | jq -c .publish)" test "$(uplink_of pub | jq '.publish | length')" = 2
expect 0 "stop pub" stop pub
check "no inet nsbox table" no_nsbox_table
check "no nsbu link" no_nsbu_links
misses "internet → $HOST:8090/tcp reaches nothing now" SBT "$INET" connect "$HOST" 8090
misses "host → $HOST:5390/udp reaches nothing now" SBU host udpsend "$HOST" 5390
check "ip_forward back to 0" test "$(fwd4)" = 0

internet_down
expect 0 "netns del $P $Q" netns del "$P" "$Q"
assert_clean
assert_sandbox_clean '^/opt/t/netsrv'
done_testing
