#!/bin/bash
# nsbox run --rootfs DIR with a busybox root made here: it works, DIR is
# byte-for-byte unchanged after the sandbox wrote (overlay, upper layer dies
# with the sandbox), two sandboxes on one DIR do not see each other's
# writes, --rootfs-rw writes to DIR.
. "$TESTLIB"

sandbox_begin
build_helper probe
build_helper escape
S=4242$$
R=$TMP/root
make_busybox_root "$R" || {
	echo "Bail out! cannot make a busybox root"
	exit 1
}
cp "$TMP/bin/probe" "$TMP/bin/escape" "$R/bin/"
echo original >"$R/etc/motd"
echo marker >"$TMP/host-marker"
d0=$(tree_digest "$R")
unchanged_root() { [[ $(tree_digest "$R") == "$d0" ]]; }

# --- it works ---
expect 0 "sh in the busybox root" run --rootfs "$R" -- /bin/sh -c 'echo hi from busybox'
out_is "it runs" "hi from busybox"
expect 0 "PATH finds the applets" run --rootfs "$R" -- echo hi
out_is "echo from /bin" hi
expect 0 "it is the busybox root, not the host's" run --rootfs "$R" -- sh -c \
	'test -e /usr/bin/env || echo no-usr; readlink /bin/sh; cat /etc/motd'
check "no /usr, /bin/sh -> busybox, DIR's /etc/motd" \
	bash -c "[[ \$(tr '\n' ' ' <'$TMP/out') == 'no-usr busybox original ' ]]"
expect 0 "hostname" run --rootfs "$R" --name bb1 -- hostname
out_is "the sandbox's name" bb1
expect 0 "processes" run --rootfs "$R" -- sh -c 'ls /proc | grep -cE "^[0-9]+$"; test -d /proc/1 && echo has-1'
check "only the sandbox's, with a PID 1: $(tr '\n' ' ' <"$TMP/out")" \
	bash -c "[[ \$(head -1 '$TMP/out') -le 4 ]] && grep -qx has-1 '$TMP/out'"
expect 0 "mounts inside" run --rootfs "$R" -- cat /proc/self/mountinfo
awk '{ for (i = 7; $i != "-"; i++); print $5, $(i + 1), $6 }' "$TMP/out" >"$TMP/mnt"
has_mount() { grep -Eq "^$1 $2 ${3:-}" "$TMP/mnt"; }
check "/ is an overlay" has_mount / overlay
check "/proc is a proc" has_mount /proc proc
check "/sys is a read-only sysfs" has_mount /sys sysfs 'ro(,|$)'
check "/dev is a tmpfs" has_mount /dev tmpfs
check "/dev/pts is a devpts" has_mount /dev/pts devpts
expect 0 "devices" run --rootfs "$R" -- sh -c 'for d in null zero full random urandom tty; do test -c /dev/$d && echo $d; done'
check "null zero full random urandom tty" bash -c "[[ \$(tr '\n' ' ' <'$TMP/out') == 'null zero full random urandom tty ' ]]"
expect 0 "hardening in a DIR root" run --rootfs "$R" -- cat /proc/self/status
check "NoNewPrivs 1" test "$(status_field NoNewPrivs)" = 1
check "CapBnd Docker's ($(status_field CapBnd))" test "$(status_field CapBnd)" = 00000000a80425fb
check "Seccomp 2" test "$(status_field Seccomp)" = 2
expect 0 "the chroot escape in a DIR root" run --rootfs "$R" -- /bin/escape "$TMP/host-marker" /tmp
out_is "it stays inside" contained
expect 0 "the escape, with SYS_ADMIN, no filter" run --rootfs "$R" --cap-add SYS_ADMIN --seccomp=off -- /bin/escape "$TMP/host-marker" /root
out_is "it stays inside" contained
exec 5>"$TMP/fd5"
expect 0 "fds" run --rootfs "$R" -- /bin/probe fds
out_is "only 0, 1 and 2" "0 1 2"
exec 5>&-
check "DIR unchanged so far" unchanged_root

# --- writes go to a layer that dies with the sandbox ---
expect 0 "write, append, delete, mkdir, chmod, touch, symlink inside" run --rootfs "$R" -- sh -c '
	echo new >/etc/newfile && echo changed >>/etc/motd && rm /bin/ls && mkdir /newdir &&
	touch /bin/busybox && chmod 600 /etc/passwd && ln -s x /root/link && touch /tmp/t &&
	cat /etc/newfile /etc/motd && test ! -e /bin/ls && echo all-done'
check "the writes are seen inside: $(tr '\n' ' ' <"$TMP/out")" \
	bash -c "[[ \$(tr '\n' ' ' <'$TMP/out') == 'new original changed all-done ' ]]"
check "DIR is byte-for-byte unchanged" unchanged_root
check "DIR/etc/motd still reads 'original'" grep -qx original "$R/etc/motd"
expect 0 "the next sandbox" run --rootfs "$R" -- sh -c 'test -e /etc/newfile && echo newfile; test -e /bin/ls && echo ls; cat /etc/motd'
check "sees none of it: $(tr '\n' ' ' <"$TMP/out")" bash -c "[[ \$(tr '\n' ' ' <'$TMP/out') == 'ls original ' ]]"
mkdir "$TMP/share"
expect 0 "a bind onto a path DIR does not have" run --rootfs "$R" -b "$TMP/share:/mnt/share" -- sh -c 'echo b >/mnt/share/f'
check "the bind works" grep -qx b "$TMP/share/f"
check "DIR is unchanged (the mount point went to the upper layer)" unchanged_root

# --- two sandboxes on one DIR ---
expect 0 "c1 on DIR" run -d --name c1 --rootfs "$R" -- sleep "$S"
out_is "run -d prints c1" c1
expect 0 "c2 on DIR" run -d --name c2 --rootfs "$R" -- sleep "$S"
sandbox_pid c1 >/dev/null
sandbox_pid c2 >/dev/null
expect 0 "c1 writes" exec c1 -- sh -c 'echo c1 >/etc/who && touch /root/only-c1'
expect 0 "c2 writes" exec c2 -- sh -c 'echo c2 >/etc/who && touch /root/only-c2'
expect 0 "c1 reads" exec c1 -- sh -c 'cat /etc/who; ls /root'
check "c1 sees its own writes only: $(tr '\n' ' ' <"$TMP/out")" bash -c "[[ \$(tr '\n' ' ' <'$TMP/out') == 'c1 only-c1 ' ]]"
expect 0 "c2 reads" exec c2 -- sh -c 'cat /etc/who; ls /root'
check "c2 sees its own writes only: $(tr '\n' ' ' <"$TMP/out")" bash -c "[[ \$(tr '\n' ' ' <'$TMP/out') == 'c2 only-c2 ' ]]"
check "DIR is unchanged while both run" unchanged_root
expect 0 "ps --json" --json ps
check "ps shows c1's rootfs as DIR" quietly jq -e --arg r "$R" '.[] | select(.name == "c1") | .rootfs == $r' "$TMP/out"
expect 0 "stop c1 c2" stop c1 c2
check "DIR is unchanged after both stopped" unchanged_root

# --- --rootfs-rw ---
R2=$TMP/root-rw
cp -a "$R" "$R2"
expect 0 "--rootfs-rw writes" run --rootfs "$R2" --rootfs-rw -- sh -c 'echo rw >/etc/rwfile && rm /etc/motd'
check "the new file is in DIR" grep -qx rw "$R2/etc/rwfile"
check "the deleted file is gone from DIR" test ! -e "$R2/etc/motd"
check "nothing is left mounted on DIR's mount points" bash -c "! grep -q ' $R2' /proc/self/mountinfo"
check "the other DIR is unchanged" unchanged_root

assert_clean
assert_sandbox_clean "^sleep $S\$"
check "DIR is unchanged at the end" unchanged_root
done_testing
