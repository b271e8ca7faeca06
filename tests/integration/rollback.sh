#!/bin/bash
# A failure after something was created removes what the command made.
. "$TESTLIB"

expect 0 "setup: netns a b" netns add a b
# IPv6 off on new interfaces of b: the kernel accepts the pair, then
# refuses b's IPv6 address (EACCES), after a's end was configured.
ip netns exec b sysctl -qw net.ipv6.conf.default.disable_ipv6=1
snapshot >"$TMP/before"
expect 1 "kernel refuses the address on the second end" link add a:eth0=10.0.0.1/24,fd00::1/64 b:eth0=10.0.0.2/24,fd00::2/64
expect_err "address fd00::2/64 on b:eth0" "the message names the address and the end"
unchanged "after the failed link add"

# All or none: the bind mount of `netns add x y z`'s last netns fails (-P:
# only the mounts naming its path are traced, so only that one is hit; each
# netns is made on a thread of its own, and strace counts per thread).
snapshot >"$TMP/before"
strace -f -qq -o /dev/null -P /run/netns/z -e trace=mount -e inject=mount:error=EPERM \
	"$NSBOX" netns add x y z >"$TMP/out" 2>"$TMP/err"
rc=$?
[[ $rc -eq 1 ]] && grep -q "netns z: bind mount" "$TMP/err" && ok "netns add x y z fails on z's bind mount" || not_ok "netns add x y z: exit $rc, $(cat "$TMP/err")"
unchanged "after the failed netns add x y z"

expect 0 "teardown" netns del a b

# A double fault: the journal cannot record w as made (its second rename
# fails), and the rollback cannot delete it (umount2 fails). What stays
# keeps its journal entry, the message says so and names nsbox cleanup,
# which then removes it (and everything else nsbox made: this comes last).
snapshot >"$TMP/before"
strace -f -qq -o /dev/null -e inject=rename:error=EIO:when=2 -e inject=umount2:error=EBUSY \
	"$NSBOX" netns add w >"$TMP/out" 2>"$TMP/err"
rc=$?
check "netns add w, its journal and its rollback failing: exit 1 naming nsbox cleanup (exit $rc: $(cat "$TMP/err"))" \
	eval '[[ $rc == 1 && $(wc -l <"$TMP/err") == 1 ]] && grep -q "nsbox cleanup" "$TMP/err"'
check "w is still journaled" test -e /run/nsbox/netns/w
expect 0 "nsbox cleanup" cleanup
check "w is gone" test ! -e /run/netns/w
unchanged "after nsbox cleanup"
assert_clean
done_testing
