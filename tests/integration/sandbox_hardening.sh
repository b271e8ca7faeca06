#!/bin/bash
# nsbox run hardening: the chroot escape fails, capabilities (bounding set
# included), no_new_privs, the seccomp filter, read-only /proc/sys, masked
# /proc paths, no inherited fds, the nsbox binary not writable from inside.
. "$TESTLIB"

sandbox_begin
build_helper probe
build_helper escape
B=(-b "$TMP/bin:/opt/t:ro")
S=4242$$
echo marker >"$TMP/host-marker"
nsbox_sum=$(sha256sum <"$NSBOX")
# The capabilities the probes below need to get past the kernel's own
# checks, so that only the syscall filter can stop them.
MANY=(--cap-add SYS_ADMIN --cap-add SYS_BOOT --cap-add SYS_MODULE --cap-add DAC_READ_SEARCH
	--cap-add SYS_PTRACE --cap-add BPF --cap-add PERFMON --cap-add SYS_RAWIO)
host_bnd=$(awk '$1 == "CapBnd:" {print $2}' /proc/self/status)
host_h=$(hostname)

# --- the chroot escape from the seeds ---
mkdir -p "$TMP/chroot/tmp" "$TMP/chroot/bin"
cp "$TMP/bin/escape" "$TMP/chroot/bin/"
chroot "$TMP/chroot" /bin/escape "$TMP/host-marker" /tmp >"$TMP/control" 2>&1
check "control: from a plain chroot the escape succeeds and is seen ($(cat "$TMP/control"))" \
	grep -q '^ESCAPED' "$TMP/control"
expect 0 "the escape inside a sandbox" run "${B[@]}" -- /opt/t/escape "$TMP/host-marker" /tmp
out_is "it stays inside" contained
expect 0 "the escape with SYS_ADMIN and more, and no syscall filter" \
	run "${B[@]}" "${MANY[@]}" --seccomp=off -- /opt/t/escape "$TMP/host-marker" /tmp
out_is "it stays inside" contained
expect 0 "the escape from /var/tmp" run "${B[@]}" -- /opt/t/escape "$TMP/host-marker" /var/tmp
out_is "it stays inside" contained

# --- /proc/self/status: capabilities, no_new_privs, seccomp ---
expect 0 "status, defaults" run -- cat /proc/self/status
check "NoNewPrivs: 1" test "$(status_field NoNewPrivs)" = 1
check "CapBnd is Docker's default set ($(status_field CapBnd))" test "$(status_field CapBnd)" = 00000000a80425fb
check "CapPrm too ($(status_field CapPrm))" test "$(status_field CapPrm)" = 00000000a80425fb
check "CapEff too ($(status_field CapEff))" test "$(status_field CapEff)" = 00000000a80425fb
check "CapAmb is empty" test "$(status_field CapAmb)" = 0000000000000000
check "Seccomp: 2 (filter)" test "$(status_field Seccomp)" = 2
expect 0 "status, --cap-add NET_ADMIN" run --cap-add NET_ADMIN -- cat /proc/self/status
check "adds bit 12 to CapBnd ($(status_field CapBnd))" test "$(status_field CapBnd)" = 00000000a80435fb
check "and to CapEff ($(status_field CapEff))" test "$(status_field CapEff)" = 00000000a80435fb
expect 0 "status, --cap-add CAP_NET_ADMIN" run --cap-add CAP_NET_ADMIN -- cat /proc/self/status
check "the CAP_ prefix is accepted ($(status_field CapBnd))" test "$(status_field CapBnd)" = 00000000a80435fb
expect 0 "status, --cap-drop NET_RAW" run --cap-drop NET_RAW -- cat /proc/self/status
check "drops bit 13 ($(status_field CapBnd))" test "$(status_field CapBnd)" = 00000000a80405fb
expect 0 "status, --cap-drop ALL" run --cap-drop ALL -- cat /proc/self/status
check "CapBnd 0 ($(status_field CapBnd))" test "$(status_field CapBnd)" = 0000000000000000
check "CapEff 0 ($(status_field CapEff))" test "$(status_field CapEff)" = 0000000000000000
check "NoNewPrivs still 1" test "$(status_field NoNewPrivs)" = 1
expect 0 "status, --cap-drop ALL --cap-add NET_BIND_SERVICE" run --cap-drop ALL --cap-add NET_BIND_SERVICE -- cat /proc/self/status
check "only bit 10 ($(status_field CapBnd))" test "$(status_field CapBnd)" = 0000000000000400
expect 0 "status, --cap-add ALL" run --cap-add ALL -- cat /proc/self/status
check "ALL is every capability nsbox has itself ($(status_field CapBnd), nsbox has $host_bnd)" test "$(status_field CapBnd)" = "$host_bnd"
expect 0 "status, --seccomp=off" run --seccomp=off -- cat /proc/self/status
check "Seccomp: 0" test "$(status_field Seccomp)" = 0
check "NoNewPrivs still 1" test "$(status_field NoNewPrivs)" = 1
# The capabilities do what they say: NET_ADMIN is not in the default set.
expect_fail "without NET_ADMIN, the netns cannot be configured" run -- ip link set lo mtu 1280
expect 0 "with --cap-add NET_ADMIN it can" run --cap-add NET_ADMIN -- ip link set lo mtu 1280
expect_fail "chown needs CHOWN, gone with --cap-drop ALL" run --cap-drop ALL -- sh -c 'touch /tmp/f && chown 1:1 /tmp/f'
expect 0 "chown works by default" run -- sh -c 'touch /tmp/f && chown 1:1 /tmp/f'

# --- the syscall filter ---
SYSCALLS="mount umount2 pivot_root keyctl add_key bpf perf_event_open kexec_load init_module finit_module open_by_handle_at reboot swapon unshare_user"
# shellcheck disable=SC2086
expect 0 "syscalls with the filter and SYS_ADMIN and more" run "${B[@]}" "${MANY[@]}" -- /opt/t/probe sys $SYSCALLS
cp "$TMP/out" "$TMP/sys.on"
# shellcheck disable=SC2086
expect 0 "syscalls without the filter, SYS_ADMIN and more" run "${B[@]}" "${MANY[@]}" --seccomp=off -- /opt/t/probe sys $SYSCALLS
cp "$TMP/out" "$TMP/sys.off"
# shellcheck disable=SC2086
expect 0 "syscalls with the defaults" run "${B[@]}" -- /opt/t/probe sys $SYSCALLS
cp "$TMP/out" "$TMP/sys.default"
for s in $SYSCALLS; do
	on=$(awk -v s="$s" '$1 == s {print $2}' "$TMP/sys.on")
	off=$(awk -v s="$s" '$1 == s {print $2}' "$TMP/sys.off")
	def=$(awk -v s="$s" '$1 == s {print $2}' "$TMP/sys.default")
	if [[ ($on == EPERM || $on == ENOSYS) && $on != "$off" ]]; then
		ok "the filter denies $s ($on; without it: $off)"
	elif [[ -n $on && $on == "$off" && $on != OK ]]; then
		ok "$s fails with the filter ($on) # the kernel fails it the same way without it here"
	else
		not_ok "the filter does not deny $s (with it: '$on', without it: '$off')"
	fi
	[[ -n $def && $def != OK ]] && ok "$s fails with the defaults ($def)" || not_ok "$s with the defaults: '$def'"
done
expect_fail "unshare -U fails inside" run -- unshare -U true
expect_fail "unshare -U fails even with SYS_ADMIN and more" run "${MANY[@]}" -- unshare -U true
expect_fail "mount fails even with SYS_ADMIN while the filter is on" run --cap-add SYS_ADMIN -- mount -t tmpfs x /tmp

# --- /proc writes, masked paths, /proc/1/exe ---
expect 0 "open /proc files for writing (as root with SYS_ADMIN)" run "${B[@]}" --cap-add SYS_ADMIN -- \
	/opt/t/probe openw /proc/sys/kernel/hostname /proc/sys/kernel/domainname /proc/sys/net/ipv4/ip_forward /proc/sysrq-trigger /proc/1/exe
for f in /proc/sys/kernel/hostname /proc/sys/kernel/domainname /proc/sys/net/ipv4/ip_forward /proc/sysrq-trigger /proc/1/exe; do
	out_lacks "$f cannot be opened for writing" "^$f OK\$"
done
expect 0 "/proc/1/exe with SYS_ADMIN and more, and no filter" run "${B[@]}" "${MANY[@]}" --seccomp=off -- /opt/t/probe openw /proc/1/exe
out_lacks "cannot be opened for writing either" '^/proc/1/exe OK$'
expect 0 "write the hostname through /proc/sys (SYS_ADMIN)" run --cap-add SYS_ADMIN --hostname before -- \
	sh -c 'echo nsbox-pwned 2>/dev/null >/proc/sys/kernel/hostname; hostname'
out_is "the write did not happen" before
check "the host's hostname is unchanged" test "$(hostname)" = "$host_h"
check "the nsbox binary is unchanged" test "$(sha256sum <"$NSBOX")" = "$nsbox_sum"
for f in /proc/keys /proc/timer_list; do
	n=$(head -c 64 "$f" 2>/dev/null | wc -c)
	[[ $n -gt 0 ]] && ok "control: $f has content on the host" || ok "control: $f is empty on the host # the check below proves little"
done
expect 0 "read masked /proc paths" run -- sh -c '
	for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug /proc/latency_stats; do
		echo "$f $(head -c 64 $f 2>/dev/null | wc -c)"
	done'
for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug /proc/latency_stats; do
	out_has "$f reads as empty or fails" "^$f 0\$"
done
expect 0 "/proc/sys is read-only" run -- sh -c 'awk '"'"'$5 == "/proc/sys" {print $6}'"'"' /proc/self/mountinfo'
out_has "mounted ro" '^ro(,|$)'

# --- file descriptors ---
printf three >"$TMP/fd3"
printf four >"$TMP/fd4"
exec 3<"$TMP/fd3" 4<"$TMP/fd4" 5>"$TMP/fd5" 9>"$TMP/fd9"
expect 0 "the command's fds (3, 4, 5, 9 open in the caller)" run "${B[@]}" -- /opt/t/probe fds
out_is "only 0, 1 and 2" "0 1 2"
expect 0 "--keep-fds 2" run "${B[@]}" --keep-fds 2 -- /opt/t/probe fds
out_is "0 to 4" "0 1 2 3 4"
expect 0 "--keep-fds 1" run "${B[@]}" --keep-fds 1 -- /opt/t/probe fds
out_is "0 to 3" "0 1 2 3"
expect 0 "read the kept fds" run --keep-fds 2 -- sh -c 'cat <&3; cat <&4'
out_is "they are the caller's files" threefour

# --- the caller's terminal (bubblewrap's CVE-2017-5226) ---
tty_probe() {
	script -qec "timeout 10 '$NSBOX' run $* ${B[*]} -- /opt/t/probe tiocsti" /dev/null </dev/null 2>&1 | tr -d '\r'
}
check "control: TIOCSTI works on the caller's own terminal here" \
	bash -c "script -qec '$TMP/bin/probe tiocsti' /dev/null </dev/null | grep -q 'tiocsti OK'"
out=$(tty_probe)
check "without -t, the command cannot push input into the caller's terminal ($out)" \
	bash -c "[[ '$out' == 'tiocsti '* && '$out' != 'tiocsti OK' ]]"
out=$(tty_probe -t)
check "with -t, the command cannot push input into the caller's terminal either ($out)" \
	bash -c "[[ '$out' == 'tiocsti '* && '$out' != 'tiocsti OK' ]]"

# --- the same inside a detached sandbox, through exec ---
expect 0 "a detached sandbox" run -d --name h1 "${B[@]}" -- sleep "$S"
sandbox_pid h1 >/dev/null
expect 0 "exec: the escape" exec h1 -- /opt/t/escape "$TMP/host-marker" /tmp
out_is "it stays inside" contained
expect 0 "exec: fds" exec h1 -- /opt/t/probe fds
out_is "only 0, 1 and 2" "0 1 2"
expect 0 "exec: /proc/1/exe" exec h1 -- /opt/t/probe openw /proc/1/exe
out_lacks "cannot be opened for writing" '^/proc/1/exe OK$'
exec 3<&- 4<&- 5>&- 9>&-
expect 0 "stop h1" stop h1
check "the nsbox binary is still unchanged" test "$(sha256sum <"$NSBOX")" = "$nsbox_sum"

assert_clean
assert_sandbox_clean "^sleep $S\$"
done_testing
