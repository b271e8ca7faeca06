#!/bin/bash
# nsbox netns exec behaves like ip netns exec.
. "$TESTLIB"

expect 0 "setup" netns add a
expect 0 "a pair into a" link add host:h0 a:eth7
expect 0 "exec ip link inside" netns exec a ip -j link show
check "sees only a's interfaces" bash -c "[[ \$(jq -r '[.[].ifname] | sort | join(\" \")' '$TMP/out') == 'eth7 lo' ]]"
expect 0 "exec ls /sys/class/net" netns exec a ls /sys/class/net
check "/sys shows a's netns" bash -c "[[ \$(sort '$TMP/out' | tr '\n' ' ') == 'eth7 lo ' ]]"
mkdir -p /etc/netns/a
trap 'rm -rf /etc/netns/a "$TMP"; rmdir /etc/netns 2>/dev/null' EXIT
echo "nameserver 192.0.2.53" >/etc/netns/a/resolv.conf
expect 0 "exec cat /etc/resolv.conf" netns exec a cat /etc/resolv.conf
check "/etc/netns/a/resolv.conf is bound over /etc/resolv.conf" grep -q 192.0.2.53 "$TMP/out"
check "outside, /etc/resolv.conf is unchanged" bash -c '! grep -q 192.0.2.53 /etc/resolv.conf'
expect 7 "the command's exit status comes back" netns exec a sh -c 'exit 7'
expect 127 "command not found: 127" netns exec a /nonexistent/cmd
touch "$TMP/plain" && chmod 644 "$TMP/plain"
expect 126 "not executable: 126" netns exec a "$TMP/plain"
expect 125 "missing netns: 125" netns exec nope true
expect 0 "options of the command stay its own" netns exec a -- ls -1 -a /run/netns
rm -rf /etc/netns/a
rmdir /etc/netns 2>/dev/null
expect 0 "teardown" netns del a
assert_clean
done_testing
