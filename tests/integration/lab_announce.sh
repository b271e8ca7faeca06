#!/bin/bash
# lab check's announcements: hosts and routers of a lab take new neighbour
# entries from same-subnet gratuitous ARP (arp_accept 2), and lab check
# announces every IPv4 address before it pings, so a pair costs no ARP
# broadcast of its own. Shown by dropping, on every host, the ARP requests
# that ask for its own address: only the announcements can then tell the
# hosts about each other.
. "$TESTLIB"

lan() { # lan NAME ARP_ACCEPT_OVERRIDE
	cat <<YAML
name: $1
nodes:
  sw: { kind: bridge }
  a: { $2 }
  b: { $2 }
  c: { $2 }
  r: { kind: router }
links:
  - ["a:eth0=10.9.0.1/24", "sw:p1"]
  - ["b:eth0=10.9.0.2/24", "sw:p2"]
  - ["c:eth0=10.9.0.3/24", "sw:p3"]
  - ["r:eth0=10.9.0.254/24", "sw:p4"]
YAML
}

# On each host, drop ARP requests for its own address (the ordinary ones;
# a gratuitous one names its sender's address): nobody can resolve it.
deaf() { # deaf LAB
	local n i=1
	for n in a b c; do
		ip netns exec "$1-$n" nft -f - <<NFT || return 1
table arp deaf {
	chain in {
		type filter hook input priority 0;
		arp operation request arp daddr ip 10.9.0.$i drop
	}
}
NFT
		i=$((i + 1))
	done
}

lan learn "" >"$TMP/learn.yaml"
expect 0 "lab up" lab up "$TMP/learn.yaml"
for n in a b c r; do
	check "$n takes gratuitous ARP of its subnet (arp_accept 2)" \
		bash -c "[[ \$(ip netns exec learn-$n cat /proc/sys/net/ipv4/conf/all/arp_accept) == 2 ]]"
done
check "the switch does not (a bridge has no address)" \
	bash -c '[[ $(ip netns exec learn-sw cat /proc/sys/net/ipv4/conf/all/arp_accept) == 0 ]]'
check "ARP requests for the hosts' own addresses dropped" deaf learn
check "so a ping without announcements fails" \
	bash -c '! ip netns exec learn-a ping -c1 -W1 -q 10.9.0.2 >/dev/null'
expect 0 "lab check reaches every pair all the same" lab check learn
check "12 ordered pairs reached (the router too)" grep -q "12 of 12 pairs reached" "$TMP/out"
check "a's entry for b came from b's announcement (b answers no request)" \
	bash -c '[[ $(ip -n learn-a -j neigh show 10.9.0.2 | jq -r ".[0].lladdr") == $(ip -n learn-b -j link show eth0 | jq -r ".[0].address") ]]'
expect 0 "lab down" lab down learn

# A node's sysctls come after nsbox's: arp_accept 0 is honoured, and then
# the announcements teach nothing, which the check must report.
lan strict "sysctls: { net.ipv4.conf.all.arp_accept: 0 }" >"$TMP/strict.yaml"
expect 0 "lab up with arp_accept 0 on the hosts" lab up "$TMP/strict.yaml"
check "a keeps arp_accept 0" \
	bash -c '[[ $(ip netns exec strict-a cat /proc/sys/net/ipv4/conf/all/arp_accept) == 0 ]]'
check "ARP requests for the hosts' own addresses dropped" deaf strict
expect 1 "lab check now fails: no host can resolve another" --json lab check strict
# Not all of them: a host whose request went unanswered completes its
# entry when it overhears the other's request for a third host.
check "pairs of hosts are not reached; pairs with the router, which answers, are" \
	jq -e '([.pairs[] | select(.to != "r" and .from != "r" and (.reached | not))] | length) > 0 and
	       ([.pairs[] | select(.to == "r" or .from == "r") | .reached] | all)' "$TMP/out"
expect 0 "lab down" lab down strict
assert_clean
done_testing
