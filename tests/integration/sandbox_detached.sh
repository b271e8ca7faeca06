#!/bin/bash
# Detached sandboxes: run -d, ps (and --json), logs, exec (same hostname,
# pid namespace, root, netns, hardening), stop (SIGTERM, then SIGKILL after
# --timeout; state removed), exited sandboxes in ps, netns del refused while
# a sandbox uses the netns.
. "$TESTLIB"

sandbox_begin
S=4242$$
X=sbdet$$

# descends PID ANCESTOR: ANCESTOR is PID or one of its ancestors.
descends() {
	local p=$1
	while [[ -n $p && $p -gt 1 ]]; do
		[[ $p == "$2" ]] && return 0
		p=$(ps -o ppid= -p "$p" 2>/dev/null | tr -d ' ')
	done
	return 1
}
# state NAME FIELD: a field of NAME's object in `nsbox --json ps`.
state() { "$NSBOX" --json ps 2>/dev/null | jq -c --arg n "$1" ".[] | select(.name == \$n) | .$2"; }
exited() { [[ $(state "$1" state) == '"exited"' ]]; }
logs_have() { "$NSBOX" logs "$1" 2>/dev/null | grep -q -- "$2"; }

# --- run -d, ps ---
expect 0 "run -d --name s1" run -d --name s1 -- sh -c "echo hello; echo oops >&2; echo cmd >/tmp/from-cmd; sleep $S"
out_is "prints the name" s1
pid1=$(sandbox_pid s1)
check "ps --json gives s1 a pid ($pid1)" test -n "$pid1"
check "that pid is alive" test -d "/proc/$pid1"
if wait_until 5 pgrep -f "^sleep $S\$" >/dev/null; then ok "s1's command runs"; else not_ok "s1's command does not run"; fi
check "the sleep descends from that pid" descends "$(pgrep -f "^sleep $S\$" | head -1)" "$pid1"
expect 0 "ps" ps
out_has "ps lists s1 running with its pid" "^s1 +running +$pid1 "
expect 0 "ps --json" --json ps
check "s1: state running, netns none, rootfs host, exit_status null" quietly jq -e \
	'.[] | select(.name == "s1") | .state == "running" and .netns == "none" and .rootfs == "host" and .exit_status == null' "$TMP/out"
check "every key is there" quietly jq -e \
	'.[] | select(.name == "s1") | has("name") and has("state") and has("pid") and has("netns") and has("rootfs") and has("uptime") and has("exit_status")' "$TMP/out"
check "pid and uptime are numbers" quietly jq -e '.[] | select(.name == "s1") | (.pid | type) == "number" and (.uptime | type) == "number" and .uptime >= 0' "$TMP/out"
check "the output went to the log: hello" wait_until 5 logs_have s1 hello
check "stderr too: oops" logs_have s1 oops
expect 0 "logs s1" logs s1
check "logs prints nothing on stderr" test ! -s "$TMP/err"
name=$(timeout 5 "$NSBOX" run -d -- sleep "$S")
check "run -d returns at once even under \$(...) (the sandbox does not hold the caller's stdout)" test $? -eq 0
check "without --name, a name is made and printed ($name)" bash -c "[[ '$name' =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*\$ ]]"
[[ -n $name ]] && sandbox_pid "$name" >/dev/null
expect 0 "ps --json" --json ps
check "it is listed" quietly jq -e --arg n "$name" 'any(.[]; .name == $n and .state == "running")' "$TMP/out"
expect 125 "a second sandbox named s1 is refused" run -d --name s1 -- true
check "s1 still runs" test "$(state s1 state)" = '"running"'
expect 0 "exec: the made-up name is the hostname" exec "$name" -- hostname
out_is "hostname = $name" "$name"
expect 0 "stop it" stop "$name"

# --- exec ---
expect 0 "exec s1 -- hostname" exec s1 -- hostname
out_is "the sandbox's hostname" s1
expect 0 "exec s1 -- ps -e" exec s1 -- ps -e -o pid=,args=
out_has "it sees s1's sleep" "sleep $S\$"
out_has "and the init as PID 1" '^ *1 '
check "and nothing of the host's: $(wc -l <"$TMP/out") processes" test "$(wc -l <"$TMP/out")" -le 5
expect 0 "exec sees the command's private /tmp" exec s1 -- cat /tmp/from-cmd
out_is "same root" cmd
expect 0 "exec writes" exec s1 -- sh -c 'echo exec >/tmp/from-exec'
expect 0 "a later exec reads" exec s1 -- cat /tmp/from-exec
out_is "the write is there" exec
expect_fail "another sandbox does not see it" run -- cat /tmp/from-cmd
expect 0 "exec: ip -j link" exec s1 -- ip -j link show
check "s1's netns: only lo" bash -c "[[ \$(jq -r '[.[].ifname] | join(\" \")' '$TMP/out') == lo ]]"
expect 0 "exec: status" exec s1 -- cat /proc/self/status
check "NoNewPrivs 1" test "$(status_field NoNewPrivs)" = 1
check "CapBnd Docker's ($(status_field CapBnd))" test "$(status_field CapBnd)" = 00000000a80425fb
check "CapEff Docker's ($(status_field CapEff))" test "$(status_field CapEff)" = 00000000a80425fb
check "Seccomp 2" test "$(status_field Seccomp)" = 2
expect_fail "exec: unshare -U fails" exec s1 -- unshare -U true
expect 0 "exec -e" exec -e FOO=bar s1 -- sh -c 'echo $FOO; echo $HOME'
check "FOO=bar, HOME=/root" bash -c "[[ \$(tr '\n' ' ' <'$TMP/out') == 'bar /root ' ]]"
export LEAKME=leak
expect 0 "exec env" exec s1 -- env
out_lacks "the caller's environment does not leak" '^(LEAKME|NSBOX|TESTLIB)='
unset LEAKME
expect 0 "exec -w" exec -w /tmp s1 -- pwd
out_is "starts in /tmp" /tmp
expect 5 "exec returns the command's status" exec s1 -- sh -c 'exit 5'
expect 143 "exec returns 128+N on signal N" exec s1 -- sh -c 'kill -TERM $$'
expect 127 "exec of a missing command: 127" exec s1 -- /nonexistent/cmd
expect 125 "exec into a sandbox that does not exist: 125" exec nope-$$ -- true
script -qec "timeout 10 '$NSBOX' exec -t s1 -- sh -c 'test -t 0 && test -t 1 && echo all-ttys'" /dev/null </dev/null >"$TMP/tty.out" 2>&1
check "exec -t: the command has a tty" grep -aq all-ttys "$TMP/tty.out"

# --- a sandbox in a persistent netns; netns del refuses it ---
expect 0 "netns add $X" netns add "$X"
expect 0 "link add" link add host:v0=10.98.0.1/24 "$X:eth0=10.98.0.2/24"
expect 0 "run -d --netns $X" run -d --name s2 --netns "$X" --cap-add NET_ADMIN -- sleep "$S"
sandbox_pid s2 >/dev/null
expect 0 "ps --json" --json ps
check "s2's netns is $X" quietly jq -e --arg x "$X" '.[] | select(.name == "s2") | .netns == $x' "$TMP/out"
expect 0 "exec s2: ip -j link" exec s2 -- ip -j link show
check "$X's interfaces: eth0 lo" bash -c "[[ \$(jq -r '[.[].ifname] | sort | join(\" \")' '$TMP/out') == 'eth0 lo' ]]"
expect 0 "exec s2: ping the test's end" exec s2 -- ping -c1 -W2 -q 10.98.0.1
expect 0 "exec s2: status" exec s2 -- cat /proc/self/status
check "exec keeps s2's --cap-add NET_ADMIN ($(status_field CapBnd))" test "$(status_field CapBnd)" = 00000000a80435fb
expect 2 "netns del of a netns a sandbox uses is refused" netns del "$X"
expect_err "$X|s2" "the message names the netns or the sandbox"
check "$X is still there" test -e "/run/netns/$X"
check "s2 still runs" test "$(state s2 state)" = '"running"'
expect 0 "netns del --force" netns del --force "$X"
check "$X is gone" test ! -e "/run/netns/$X"
expect 0 "stop s2" stop s2
check "the netns died with s2: v0 (its peer was in $X) is gone" wait_until 5 bash -c '! ip link show v0 >/dev/null 2>&1'

# --- exited sandboxes ---
expect 0 "run -d a command that exits 7" run -d --name s3 -- sh -c 'echo bye; exit 7'
sandbox_pid s3 >/dev/null
check "ps shows s3 exited" wait_until 5 exited s3
check "with exit_status 7" test "$(state s3 exit_status)" = 7
expect 0 "ps" ps
out_has "the table says exited" '^s3 +exited '
check "its log is kept" logs_have s3 bye
expect 0 "run -d a command killed by SIGTERM" run -d --name s5 -- sh -c 'kill -TERM $$'
check "ps shows s5 exited" wait_until 5 exited s5
check "with exit_status 143" test "$(state s5 exit_status)" = 143
expect 125 "exec into an exited sandbox fails" exec s3 -- true
expect 0 "stop s3 s5 (already exited)" stop s3 s5
expect 0 "ps --json" --json ps
check "s3 and s5 are gone" quietly jq -e 'all(.[]; .name != "s3" and .name != "s5")' "$TMP/out"

# --- stop ---
expect 0 "run -d a command that ignores SIGTERM" run -d --name s4 -- sh -c "trap '' TERM; sleep $S"
sandbox_pid s4 >/dev/null
wait_until 5 bash -c "[[ \$(pgrep -f '^sleep $S\$' | wc -l) -ge 2 ]]"
t0=$(date +%s%N)
expect 0 "stop --timeout 1 s4" stop --timeout 1 s4
ms=$((($(date +%s%N) - t0) / 1000000))
check "it waited for the timeout, then killed (${ms} ms)" test "$ms" -ge 900 -a "$ms" -lt 6000
expect 0 "ps --json" --json ps
check "s4 is gone" quietly jq -e 'all(.[]; .name != "s4")' "$TMP/out"
check "s4's sleep is gone" bash -c "[[ \$(pgrep -f '^sleep $S\$' | wc -l) -le 1 ]]"
t0=$(date +%s%N)
expect 0 "stop s1" stop s1
ms=$((($(date +%s%N) - t0) / 1000000))
check "SIGTERM was enough: it did not wait 10 s (${ms} ms)" test "$ms" -lt 5000
check "no sleep $S left" no_procs 2 "^sleep $S\$"
check "s1's init is gone" wait_until 2 eval "! pid_alive $pid1"
expect 0 "ps --json" --json ps
check "ps is empty" quietly jq -e 'length == 0' "$TMP/out"
check "s1's state is gone from /run/nsbox" bash -c "! find /run/nsbox -mindepth 1 ! -type d ! -path /run/nsbox/lock | grep -q ."
nsbox stop s1
check "stop of a sandbox that does not exist fails (exit $rc)" test "$rc" -ne 0
check "with one 'nsbox: ' line" bash -c "[[ \$(wc -l <'$TMP/err') == 1 ]] && grep -q '^nsbox: ' '$TMP/err'"
nsbox logs s1
check "logs of a sandbox that does not exist fails (exit $rc)" test "$rc" -ne 0

assert_clean
assert_sandbox_clean "^sleep $S\$"
done_testing
