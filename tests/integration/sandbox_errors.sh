#!/bin/bash
# nsbox run: bad input fails cleanly (125/126/127, one line, nothing left),
# the command's exit status and signals come back, signals sent to nsbox
# reach the command, and kill -9 of a foreground nsbox takes the whole
# sandbox with it and leaves state the next command clears.
. "$TESTLIB"

sandbox_begin
S=4242$$
X=sberr$$
snapshot >"$TMP/before"

# --- 127, 126 ---
expect 127 "a command that does not exist (path): 127" run -- /nonexistent/cmd
expect_err 'nonexistent/cmd' "the message names it"
expect 127 "a command that is not in PATH: 127" run -- nsbox-no-such-command-$$
expect_err "nsbox-no-such-command-$$" "the message names it"
expect 126 "a file that is not executable: 126" run -- /etc/passwd
expect 126 "a directory: 126" run -- /etc
unchanged "after 126/127"

# --- 125: nsbox itself fails; one 'nsbox: ' line, nothing left ---
expect 125 "a rootfs that does not exist" run --rootfs "$TMP/nope" -- true
expect_err "$TMP/nope" "the message names the rootfs"
unchanged "rootfs that does not exist"
expect 125 "a rootfs that is a file" run --rootfs /etc/passwd -- true
unchanged "rootfs that is a file"
make_busybox_root "$TMP/badroot" || {
	echo "Bail out! cannot make a busybox root"
	exit 1
}
rmdir "$TMP/badroot/proc"
ln -s / "$TMP/badroot/proc"
expect 125 "a rootfs whose /proc is a symlink to /" run --rootfs "$TMP/badroot" -- true
expect_err 'proc' "the message names /proc"
unchanged "rootfs with /proc a symlink"
check "the symlink is still there, untouched" test "$(readlink "$TMP/badroot/proc")" = /
rm "$TMP/badroot/proc"
ln -s ../../../../../../../../.. "$TMP/badroot/proc"
expect 125 "a rootfs whose /proc is a symlink climbing out" run --rootfs "$TMP/badroot" -- true
unchanged "rootfs with /proc a climbing symlink"
expect 125 "a bind source that does not exist" run -b "$TMP/nope:/mnt/x" -- true
expect_err "$TMP/nope" "the message names the source"
unchanged "bind source that does not exist"
expect 125 "an unknown capability (--cap-add)" run --cap-add NOT_A_CAP -- true
expect_err 'NOT_A_CAP' "the message names it"
expect 125 "an unknown capability (--cap-drop)" run --cap-drop CAP_BOGUS -- true
expect_err 'CAP_BOGUS' "the message names it"
unchanged "unknown capabilities"
expect 125 "a netns that does not exist" run --netns "$X" -- true
expect_err "$X" "the message names it"
expect 125 "an invalid sandbox name" run --name 'bad/name' -- true
expect 125 "a bind without a destination" run -b "$TMP" -- true
unchanged "bad netns, name, bind"
nsbox run
check "no command at all: usage error, 2 or 125 (exit $rc)" bash -c "[[ $rc == 2 || $rc == 125 ]]"
check "one 'nsbox: ' line: $(head -c 200 "$TMP/err")" bash -c "[[ \$(wc -l <'$TMP/err') == 1 ]] && grep -q '^nsbox: ' '$TMP/err'"
nsbox run --rootfs
check "an option without its value: 2 or 125 (exit $rc)" bash -c "[[ $rc == 2 || $rc == 125 ]]"
unchanged "usage errors"

# --- the command's status ---
expect 0 "true: 0" run -- true
nsbox run -- false
check "false: 1 (exit $rc)" test "$rc" -eq 1
expect 3 "exit 3: 3" run -- sh -c 'exit 3'
expect 255 "exit 255: 255" run -- sh -c 'exit 255'
expect 143 "killed by SIGTERM: 143" run -- sh -c 'kill -TERM $$'
expect 137 "killed by SIGKILL: 137" run -- sh -c 'kill -KILL $$'
expect 139 "killed by SIGSEGV: 139" run -- sh -c 'kill -SEGV $$'
expect 0 "stdout and stderr of a foreground command come through" run -- sh -c 'echo out; echo err >&2'
check "stdout" grep -qx out "$TMP/out"
check "stderr" grep -qx err "$TMP/err"
echo "from stdin" >"$TMP/in"
"$NSBOX" run -- cat <"$TMP/in" >"$TMP/out" 2>"$TMP/err"
check "stdin reaches the command" grep -qx "from stdin" "$TMP/out"

# --- signals to a foreground nsbox reach the command ---
# fwd SIG CODE: the command traps SIG and exits CODE; nsbox run must return CODE.
fwd() {
	local sig=$1 code=$2 pid
	: >"$TMP/fwd.out"
	env --default-signal=INT,TERM,HUP,USR1,USR2 "$NSBOX" run -- \
		sh -c "trap 'exit $code' $sig; echo ready; while :; do sleep 0.1; done" >"$TMP/fwd.out" 2>&1 &
	pid=$!
	if ! wait_until 5 grep -q ready "$TMP/fwd.out"; then
		not_ok "SIG$sig: the command did not start ($(cat "$TMP/fwd.out"))"
		kill -9 "$pid"
		wait "$pid"
		return
	fi
	kill -"$sig" "$pid"
	wait "$pid"
	rc=$?
	if [[ $rc -eq $code ]]; then ok "SIG$sig sent to nsbox reaches the command (exit $code)"; else not_ok "SIG$sig: exit $rc, expected $code ($(cat "$TMP/fwd.out"))"; fi
}
fwd TERM 42
fwd INT 43
fwd HUP 44
fwd USR1 45
fwd USR2 46
"$NSBOX" run -- sleep "$S" >"$TMP/fwd.out" 2>&1 &
pid=$!
wait_until 5 pgrep -f "^sleep $S\$" >/dev/null
kill -TERM "$pid"
wait "$pid"
rc=$?
check "SIGTERM to nsbox, the command does not trap it: 143 (exit $rc)" test "$rc" -eq 143
check "the sleep is gone" no_procs 2 "^sleep $S\$"

unchanged "all the failures and statuses"

# --- kill -9 of a foreground nsbox ---
expect 0 "netns add $X" netns add "$X"
"$NSBOX" run --name k9 --netns "$X" -- sh -c "sleep $S; echo not-killed" >"$TMP/k9.out" 2>&1 &
nspid=$!
if wait_until 5 pgrep -f "^sleep $S\$" >/dev/null; then
	ok "the sandbox's sleep runs"
else
	not_ok "the sandbox's sleep did not start ($(cat "$TMP/k9.out"))"
fi
sp=$(pgrep -f "^sleep $S\$" | head -1)
shpid=$(ps -o ppid= -p "$sp" | tr -d ' ')
initpid=$(ps -o ppid= -p "$shpid" | tr -d ' ')
kill -9 "$nspid"
wait "$nspid" 2>/dev/null
check "no sleep left within 2 s of kill -9" no_procs 2 "^sleep $S\$"
gone() { ! pid_alive "$1"; }
check "the command's shell is gone" wait_until 2 gone "$shpid"
check "the sandbox's init ($initpid) is gone" wait_until 2 gone "$initpid"
check "the command did not go on" bash -c "! grep -q not-killed '$TMP/k9.out'"
expect 0 "the next nsbox command (ps)" ps
out_lacks "ps does not list k9" '^k9 '
expect 0 "ps --json" --json ps
check "nor does ps --json" quietly jq -e 'all(.[]; .name != "k9")' "$TMP/out"
check "/run/nsbox holds nothing of k9: $(find /run/nsbox -name '*k9*' | tr '\n' ' ')" \
	bash -c "! find /run/nsbox -name '*k9*' | grep -q ."
expect 0 "the name k9 is free again" run --name k9 -- true
expect 0 "the netns k9 used can be deleted without --force" netns del "$X"

assert_clean
assert_sandbox_clean "^sleep $S\$"
done_testing
