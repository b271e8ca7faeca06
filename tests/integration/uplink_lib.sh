# shellcheck shell=bash
# Sourced by the uplink_*.sh tests after lib.sh: "the Internet" as a netns
# the test makes itself, servers in it (tests/integration/netsrv.c), and
# what an uplink may change beyond snapshot(): the nftables ruleset, the
# forwarding sysctls, /etc/netns.
#
#   test's netns ("host")  wan 198.51.100.1/24 .11/24  2001:db8:100::1/64
#        |                 default routes via the internet's end
#   netns inet             wan0 198.51.100.2/24 (server A) .53/24 (DNS)
#                          2001:db8:100::2/64; lo 203.0.113.2/32 (server B)
#                          default routes back to the host
#
# Only documentation ranges, and only inside namespaces the test made:
# nothing here is ever sent anywhere else.

build_helper netsrv
NETSRV=$TMP/bin/netsrv
INET=inet
A=198.51.100.2
A6=2001:db8:100::2
B=203.0.113.2
DNS=198.51.100.53
HOST=198.51.100.1
HOST6=2001:db8:100::1
HOST2=198.51.100.11
POOL=10.213.0.0/16
server_pids=()

# On the way out, also when a check bails: the servers (they would keep the
# test's namespaces alive) and the test's own detached sandboxes.
uplink_cleanup() {
	servers_stop
	local n
	for n in $("$NSBOX" --json ps 2>/dev/null | jq -r '.[].name' 2>/dev/null); do
		"$NSBOX" stop --timeout 1 "$n" >/dev/null 2>&1
	done
	rm -rf "$TMP"
}
trap uplink_cleanup EXIT

# internet_up: the netns inet, wired to the test's netns, and a resolv.conf
# (in the test's /etc overlay) naming the internet's DNS server.
internet_up() {
	ip netns add "$INET" &&
		ip link add wan type veth peer name wan0 netns "$INET" &&
		ip addr add "$HOST/24" dev wan &&
		ip addr add "$HOST2/24" dev wan &&
		ip addr add "$HOST6/64" dev wan nodad &&
		ip link set wan up &&
		ip -n "$INET" link set lo up &&
		ip -n "$INET" addr add "$A/24" dev wan0 &&
		ip -n "$INET" addr add "$DNS/24" dev wan0 &&
		ip -n "$INET" addr add "$A6/64" dev wan0 nodad &&
		ip -n "$INET" addr add "$B/32" dev lo &&
		ip -n "$INET" link set wan0 up &&
		ip -n "$INET" route add default via "$HOST" &&
		ip -n "$INET" -6 route add default via "$HOST6" &&
		ip route add default via "$A" &&
		ip -6 route add default via "$A6" || {
		echo "Bail out! cannot make the internet netns"
		exit 1
	}
	# Both ends up, link-local addresses there and past DAD: the kernel
	# does that on its own time, and snapshots must not see it happen.
	if ! wait_until 10 _internet_settled; then
		echo "Bail out! the internet link does not come up: $(ip -br addr show dev wan; ip -n "$INET" -br addr show dev wan0)"
		exit 1
	fi
	# A regular file, also where the machine's is a symlink into /run.
	rm -f /etc/resolv.conf
	echo "nameserver $DNS" >/etc/resolv.conf
}

_internet_settled() {
	local n
	for n in "" "$INET"; do
		ip ${n:+-n "$n"} -j addr show dev "$([[ -n $n ]] && echo wan0 || echo wan)" | jq -e \
			'.[0] | .operstate == "UP" and any(.addr_info[]; .scope == "link") and all(.addr_info[]; .tentative != true)' >/dev/null ||
			return 1
	done
}

# serve NS tcp|udp ADDR PORT TAG: a netsrv server in NS, its output in
# $TMP/srv-TAG.log (appended, so peers_of counts survive); waits until it
# listens.
serve() {
	local ns=$1 kind=$2 addr=$3 port=$4 tag=$5
	ip netns exec "$ns" "$NETSRV" "$kind" "$addr" "$port" "$tag" >>"$TMP/srv-$tag.log" 2>&1 &
	server_pids+=($!)
	if ! wait_until 5 grep -q listening "$TMP/srv-$tag.log"; then
		echo "Bail out! server $tag ($ns $kind $addr:$port) does not start: $(cat "$TMP/srv-$tag.log")"
		exit 1
	fi
}

# peers_of TAG: how many clients server TAG has seen; last_peer TAG: the
# address the last one came from, as the server saw it.
peers_of() { grep -c '^peer ' "$TMP/srv-$1.log"; }
last_peer() { grep '^peer ' "$TMP/srv-$1.log" | tail -1 | cut -d' ' -f2; }

servers_stop() {
	local p
	for p in "${server_pids[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	server_pids=()
}

internet_down() {
	servers_stop
	# Deleting one end of the pair deletes both at once; the netns itself
	# is destroyed by the kernel in its own time.
	ip link del wan 2>/dev/null
	ip netns del "$INET" 2>/dev/null
}

# --- what an uplink touches besides links, addresses and routes ---

nsbox_table() { nft list table inet nsbox >/dev/null 2>&1; }
no_nsbox_table() { ! nsbox_table; }
# nsbu_links: the names of the host ends of uplinks in the test's netns.
nsbu_links() { ip -j link show | jq -r '.[] | select(.ifname | test("^nsbu")) | .ifname' | tr '\n' ' '; }
no_nsbu_links() { [[ -z $(nsbu_links) ]]; }
# nft_rest: the whole ruleset as JSON, without the inet nsbox table and
# anything in it; what no uplink may change.
nft_rest() {
	nft -j list ruleset | jq -c '[.nftables[] | select(has("metainfo") | not)
		| select(to_entries[0].value as $v | ($v.family == "inet" and ($v.table // $v.name) == "nsbox") | not)]'
}
fwd4() { sysctl -n net.ipv4.ip_forward; }
fwd6() { sysctl -n net.ipv6.conf.all.forwarding; }

# snapshot_all: what snapshot() records, one JSON object a line (so that a
# diff shows what changed), without what the kernel does on its own time
# once a link is up (IPv6 link-local addresses and their routes, carrier
# and operstate), and the rest an uplink may touch.
snapshot_all() {
	echo "netns:"
	ls -A /run/netns 2>/dev/null
	local ns
	for ns in "" $(ls -A /run/netns 2>/dev/null); do
		local in_ns=()
		[[ -n $ns ]] && in_ns=(-n "$ns")
		echo "== ${ns:-host}"
		ip "${in_ns[@]}" -j link show | jq -c '.[] | del(.stats64, .stats, .operstate) | .flags -= ["NO-CARRIER", "LOWER_UP"]'
		ip "${in_ns[@]}" -j addr show | jq -c '.[] | {ifname, addr_info: [.addr_info[] |
			select(.family != "inet6" or .scope != "link") | {family, local, prefixlen}]}'
		ip "${in_ns[@]}" -j route show table all | jq -c '.[] | select(.dst | test("^(fe80:|ff00::/8$)") | not)'
	done
	echo "mounts:"
	awk '$5 ~ "^/run" {print $5, $9}' /proc/self/mountinfo | sort
	echo "journal:"
	find /run/nsbox -mindepth 2 2>/dev/null | sort
	echo "nft:"
	nft list ruleset 2>&1
	echo "sysctl: ip_forward=$(fwd4) ipv6 forwarding=$(fwd6)"
	echo "/etc/netns:"
	find /etc/netns 2>/dev/null | sort
	echo "uplinks:"
	"$NSBOX" uplink list --json 2>&1
}

# unchanged_all DESC: everything equals $TMP/before_all.
unchanged_all() {
	snapshot_all >"$TMP/after_all"
	if diff -u "$TMP/before_all" "$TMP/after_all" >"$TMP/diff_all"; then
		ok "$1: nothing changed"
	else
		not_ok "$1: state changed: $(head -c 1500 "$TMP/diff_all")"
	fi
}

# --- the JSON of `nsbox uplink list --json` ---

# uplinks_json: the list into $TMP/uplinks.json; false if the command fails.
uplinks_json() { "$NSBOX" uplink list --json >"$TMP/uplinks.json" 2>"$TMP/uplinks.err"; }
# uplink_of NAME: the object of NAME's uplink (matched on name or netns).
uplink_of() { jq -c --arg n "$1" '[.[] | select(.name == $n or .netns == $n)] | first // empty' "$TMP/uplinks.json"; }
# ufield NAME KEY: one field of it, as raw text; uaddr NAME KEY: an address
# field without its /prefix, if it has one.
ufield() { uplink_of "$1" | jq -r --arg k "$2" '.[$k]'; }
uaddr() { uplink_of "$1" | jq -r --arg k "$2" '.[$k] | if type == "string" then sub("/[0-9]+$"; "") else . end'; }
ucount() { jq length "$TMP/uplinks.json"; }

# inside NAME CMD...: CMD in the netns of NAME: a persistent netns (through
# iproute2) or a running sandbox (nsbox exec).
inside() {
	local n=$1
	shift
	if [[ -e /run/netns/$n ]]; then
		ip netns exec "$n" "$@"
	else
		"$NSBOX" exec "$n" -- "$@"
	fi
}

# check_uplink NAME: NAME's entry in $TMP/uplinks.json is a /30 of POOL
# (default $POOL) that overlaps no route of AVOID (a CIDR), .1 the host's
# end nsbu<N> (up, with that address), .2 uplink0 inside with a default
# route via .1.
check_uplink() {
	local n=$1 pool=${2:-$POOL} avoid=${3:-} sub gw addr hif
	if [[ -z $(uplink_of "$n") ]]; then
		not_ok "$n: not in uplink list --json: $(head -c 400 "$TMP/uplinks.json")"
		return
	fi
	sub=$(ufield "$n" subnet)
	if ! is_cidr4 "$sub"; then
		# Checked as a missing key elsewhere; the address/prefix says it too.
		sub=$(net_of "$(ufield "$n" address)")
		echo "# $n: no subnet in the listing; from the address: $sub"
	fi
	if [[ $sub =~ ^[0-9.]+/30$ ]] && cidr_in "$sub" "$pool"; then
		ok "$n: subnet $sub is a /30 of $pool"
	else
		not_ok "$n: subnet '$sub' is not a /30 of $pool"
		return
	fi
	if [[ -n $avoid ]]; then
		if cidr_overlap "$sub" "$avoid"; then
			not_ok "$n: $sub overlaps the host's route $avoid"
		else
			ok "$n: $sub avoids the host's route $avoid"
		fi
	fi
	gw=$(uaddr "$n" gateway)
	addr=$(uaddr "$n" address)
	hif=$(ufield "$n" host_if)
	check "$n: gateway $gw is the subnet's .1" test "$gw" = "$(nth_addr "$sub" 1)"
	check "$n: address $addr is the subnet's .2" test "$addr" = "$(nth_addr "$sub" 2)"
	check "$n: host_if $hif is nsbu<N>" bash -c "[[ '$hif' =~ ^nsbu[0-9]+\$ ]]"
	check "$n: $hif is up in the host's netns with $gw/30" quietly jq -e --arg a "$gw" \
		'.[0] | (.flags | index("UP")) and any(.addr_info[]; .family == "inet" and .local == $a and .prefixlen == 30)' \
		<(ip -j addr show dev "$hif" 2>/dev/null)
	check "$n: uplink0 inside has $addr/30" quietly jq -e --arg a "$addr" \
		'.[0] | any(.addr_info[]; .family == "inet" and .local == $a and .prefixlen == 30)' \
		<(inside "$n" ip -j addr show dev uplink0 2>/dev/null)
	check "$n: the default route inside is via $gw on uplink0" quietly jq -e --arg g "$gw" \
		'any(.[]; .dst == "default" and .gateway == $g and .dev == "uplink0")' \
		<(inside "$n" ip -j -4 route show 2>/dev/null)
}

# --- IPv4 arithmetic ---
ip2int() {
	local IFS=. a b c d
	read -r a b c d <<<"$1"
	echo $(((a << 24) | (b << 16) | (c << 8) | d))
}
int2ip() { echo "$((($1 >> 24) & 255)).$((($1 >> 16) & 255)).$((($1 >> 8) & 255)).$(($1 & 255))"; }
# nth_addr CIDR N: the Nth address of CIDR's network (N=1: the first host).
nth_addr() { is_cidr4 "$1" && int2ip $(($(ip2int "${1%/*}") + $2)); }
# is_cidr4 S: S is A.B.C.D/N (the arithmetic below trusts its input).
is_cidr4() { [[ $1 =~ ^([0-9]{1,3}\.){3}[0-9]{1,3}/[0-9]{1,2}$ ]]; }
# cidr_in INNER OUTER: INNER lies wholly within OUTER.
cidr_in() {
	is_cidr4 "$1" && is_cidr4 "$2" || return 1
	local ip=${1%/*} pl=${1#*/} op=${2%/*} ol=${2#*/}
	((pl >= ol)) || return 1
	local mask=$(((0xffffffff << (32 - ol)) & 0xffffffff))
	(($(($(ip2int "$ip") & mask)) == $(($(ip2int "$op") & mask))))
}
# net_of ADDR/N: the network, NET/N (empty if ADDR/N is not a CIDR).
net_of() {
	is_cidr4 "$1" || return 0
	local l=${1#*/}
	echo "$(int2ip $(($(ip2int "${1%/*}") & ((0xffffffff << (32 - l)) & 0xffffffff))))/$l"
}
# cidr_overlap A B (true, too, when either is not a CIDR: a check that
# two subnets do not overlap must not pass on garbage).
cidr_overlap() { ! is_cidr4 "$1" || ! is_cidr4 "$2" || cidr_in "$1" "$2" || cidr_in "$2" "$1"; }

# ms_since T0: milliseconds since T0 (date +%s%N).
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

# fast_fail DESC MAXMS CMD...: CMD must fail within MAXMS ms; its stdout
# and stderr are kept in $TMP/ff.out; the time in $ff_ms.
fast_fail() {
	local desc=$1 max=$2 t0 r
	shift 2
	t0=$(date +%s%N)
	"$@" >"$TMP/ff.out" 2>&1
	r=$?
	ff_ms=$(ms_since "$t0")
	if [[ $r -eq 0 ]]; then
		not_ok "$desc: it succeeded ($(head -c 200 "$TMP/ff.out"))"
	elif ((ff_ms >= max)); then
		not_ok "$desc: failed, but only after $ff_ms ms (not under $max): $(head -c 200 "$TMP/ff.out")"
	else
		ok "$desc: failed in $ff_ms ms"
	fi
}
# ff_says DESC: the failure was a refusal or an unreachable, as errno names
# (netsrv) or curl's words have it.
ff_says() {
	if grep -Eqi 'ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|refused|unreachable|No route to host' "$TMP/ff.out"; then
		ok "$1"
	else
		not_ok "$1 (said: $(head -c 300 "$TMP/ff.out"))"
	fi
}
