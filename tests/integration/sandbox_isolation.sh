#!/bin/bash
# nsbox run: every namespace isolates what it should (uts, pid, ipc, mount,
# net), the default host root is what it should be, /proc /sys /dev inside,
# and the options that shape the sandbox (-e -w -u -b -t --hostname --net).
. "$TESTLIB"

sandbox_begin
build_helper probe
S=4242$$ # a sleep argument no other process has
X=sbiso$$
host_h=$(hostname)
echo marker >"$TMP/host-marker"
sleep "4343$$" &
host_sleep=$!
shmid=$(ipcmk -M 4096 | grep -Eo '[0-9]+$')
cleanup() {
	kill "$host_sleep" 2>/dev/null
	[[ -n $shmid ]] && ipcrm -m "$shmid" 2>/dev/null
	grep -q "nsbox-leak-$$" /proc/self/mountinfo && umount -l /usr/local 2>/dev/null
	rm -rf "/etc/netns/$X" "$TMP"
	rmdir /etc/netns 2>/dev/null
}
trap cleanup EXIT
# A shared mount tree in the test's namespace (which unshare made private,
# so this reaches nothing outside it): a sandbox that forgot MS_SLAVE would
# now leak its mounts here.
mount --make-rshared /

# --- uts ---
expect 0 "run --name: hostname" run --name iso1 -- hostname
out_is "hostname inside is the sandbox's name" iso1
expect 0 "the name is free again once the sandbox ended" run --name iso1 -- uname -n
out_is "uname -n agrees" iso1
expect 0 "run --hostname" run --hostname inner-h -- hostname
out_is "--hostname sets it" inner-h
expect 0 "run without --name" run -- hostname
out_lacks "an unnamed sandbox does not have the host's hostname" "^$host_h\$"
check "the host's hostname is unchanged" test "$(hostname)" = "$host_h"

# --- pid ---
expect 0 "ps -e inside" run -- ps -e -o pid=,args=
out_has "PID 1 exists" '^ *1 '
check "only the sandbox's processes (init and ps): $(tr '\n' ';' <"$TMP/out")" \
	test "$(wc -l <"$TMP/out")" -le 3
out_lacks "the host's processes are not visible" "sleep 4343$$"
expect 0 "the command's pid" run -- sh -c 'echo $$'
check "the command is not PID 1 (the init is): $(cat "$TMP/out")" test "$(cat "$TMP/out")" != 1
expect 0 "/proc is the sandbox's" run -- sh -c 'ls /proc | grep -cE "^[0-9]+$"'
check "/proc lists only a few pids: $(cat "$TMP/out")" test "$(cat "$TMP/out")" -le 4

# --- ipc ---
check "control: the host lists its segment $shmid" bash -c "ipcs -m | grep -Eq \"^0x[0-9a-f]+ +$shmid \""
expect 0 "ipcs -m inside" run -- ipcs -m
out_lacks "the host's segment is not listed" "^0x[0-9a-f]+ +$shmid "
out_lacks "no segment at all is listed" '^0x'
expect 0 "ipcs -m -i $shmid inside" run -- sh -c "ipcs -m -i $shmid 2>&1"
out_has "the segment is not found inside" 'not found'


# --- mount ---
expect 0 "mount inside (SYS_ADMIN, no filter)" run --cap-add SYS_ADMIN --seccomp=off -- \
	sh -c "mount -t tmpfs nsbox-leak-$$ /usr/local && mkdir -p /tmp/m && mount -t tmpfs nsbox-leak-$$ /tmp/m && grep -c nsbox-leak-$$ /proc/self/mountinfo"
out_is "both mounts are there inside" 2
check "they are not in the test's mount table" bash -c "! grep -q nsbox-leak-$$ /proc/self/mountinfo"
check "they are not in the host's (pid 1's)" bash -c "! grep -q nsbox-leak-$$ /proc/1/mountinfo"

# --- net ---
expect 0 "--net none (the default): ip -j link" run -- ip -j link show
check "only lo" bash -c "[[ \$(jq -r '[.[].ifname] | join(\" \")' '$TMP/out') == lo ]]"
check "lo is up" quietly jq -e '.[0].flags | index("UP")' "$TMP/out"
expect 0 "--net none: /sys/class/net" run --net none -- ls /sys/class/net
out_is "/sys/class/net agrees" lo
expect 0 "netns add" netns add "$X"
expect 0 "link add" link add host:v0=10.99.0.1/24 "$X:eth0=10.99.0.2/24"
expect 0 "--netns: ip -j link" run --netns "$X" -- ip -j link show
jq -c '[.[] | {ifname, ifindex}] | sort_by(.ifname)' "$TMP/out" >"$TMP/inside" 2>&1
ip -n "$X" -j link show | jq -c '[.[] | {ifname, ifindex}] | sort_by(.ifname)' >"$TMP/oracle"
check "the sandbox sees exactly $X's interfaces (ip -n $X agrees): $(cat "$TMP/inside")" \
	cmp -s "$TMP/inside" "$TMP/oracle"
check "they are eth0 and lo" bash -c "[[ \$(jq -r '[.[].ifname] | join(\" \")' '$TMP/inside') == 'eth0 lo' ]]"
expect 0 "--netns: /sys/class/net" run --netns "$X" -- ls /sys/class/net
check "/sys/class/net shows $X's interfaces" bash -c "[[ \$(sort '$TMP/out' | tr '\n' ' ') == 'eth0 lo ' ]]"
expect 0 "--netns: eth0's address" run --netns "$X" -- ip -j addr show eth0
check "10.99.0.2/24 on eth0" quietly jq -e '.[0].addr_info[] | select(.local == "10.99.0.2" and .prefixlen == 24)' "$TMP/out"
expect 0 "ping from the sandbox to the test's end" run --netns "$X" -- ping -c1 -W2 -q 10.99.0.1
expect 0 "--net host: ip -j link" run --net host -- ip -j link show
check "--net host sees the test's netns (lo, v0)" bash -c "[[ \$(jq -r '[.[].ifname] | sort | join(\" \")' '$TMP/out') == 'lo v0' ]]"
mkdir -p "/etc/netns/$X"
echo "nameserver 192.0.2.53" >"/etc/netns/$X/resolv.conf"
expect 0 "--netns: /etc/resolv.conf" run --netns "$X" -- cat /etc/resolv.conf
out_has "/etc/netns/$X/resolv.conf is bound over /etc/resolv.conf" '192\.0\.2\.53'
expect 0 "--net none: /etc/resolv.conf" run -- cat /etc/resolv.conf
out_lacks "not without --netns $X" '192\.0\.2\.53'
check "the host's /etc/resolv.conf is unchanged" bash -c '! grep -qs 192.0.2.53 /etc/resolv.conf'
rm -rf "/etc/netns/$X"
rmdir /etc/netns 2>/dev/null

# --- the host root ---
expect 0 "the host rootfs" run -- sh -c "
	test -x /usr/bin/env && echo usr=yes
	touch /usr/nsbox-w 2>/dev/null && echo usr=writable
	touch /etc/nsbox-w 2>/dev/null && echo etc=writable
	echo bin=\$(readlink /bin)
	echo tmp=\$(ls -A /tmp | tr '\n' ' ')
	touch /tmp/nsbox-w-$$ && echo tmp=writable
	touch /var/tmp/nsbox-w-$$ && echo vartmp=writable
	touch /run/nsbox-w-$$ && echo run=writable
	echo var=\$(ls -A /var | tr '\n' ' ')
	test -e /run/nsbox && echo run=has-nsbox
	test -e /run/netns && echo run=has-netns
	test -e '$TMP/host-marker' && echo marker=visible
	echo root=\$(ls -A / | tr '\n' ' ')
"
out_has "/usr is there" '^usr=yes$'
out_lacks "/usr is read-only" '^usr=writable$'
out_lacks "/etc is read-only" '^etc=writable$'
out_has "/bin is as on the host ($(readlink /bin || echo a directory))" "^bin=$(readlink /bin)\$"
out_has "/tmp starts empty" '^tmp=$'
out_has "/tmp is writable" '^tmp=writable$'
out_has "/var/tmp is writable" '^vartmp=writable$'
out_has "/run is writable" '^run=writable$'
check "they are private: /tmp, /var/tmp, /run of the host did not get the files" \
	bash -c "! ls /tmp/nsbox-w-$$ /var/tmp/nsbox-w-$$ /run/nsbox-w-$$ 2>/dev/null"
out_has "/var holds only tmp" '^var=tmp$'
out_lacks "/run is not the host's: no /run/nsbox" 'run=has-nsbox'
out_lacks "/run is not the host's: no /run/netns" 'run=has-netns'
out_lacks "a host file outside the binds is not visible" 'marker=visible'
check "/ holds nothing but the binds and the private dirs: $(grep '^root=' "$TMP/out")" \
	bash -c "! grep '^root=' '$TMP/out' | cut -d= -f2 | tr ' ' '\n' | grep -vxE '|bin|sbin|lib|lib32|lib64|libx32|usr|etc|tmp|run|var|proc|sys|dev|root'"

# --- /proc, /sys, /dev ---
expect 0 "mountinfo inside" run -- cat /proc/self/mountinfo
awk '{ for (i = 7; $i != "-"; i++); print $5, $(i + 1), $6 }' "$TMP/out" >"$TMP/mnt"
has_mount() { grep -Eq "^$1 $2 ${3:-}" "$TMP/mnt"; }
check "/ is a tmpfs" has_mount / tmpfs
check "/proc is a proc" has_mount /proc proc
check "/sys is a read-only sysfs" has_mount /sys sysfs 'ro(,|$)'
check "/usr is read-only" has_mount /usr '[a-z0-9]+' 'ro(,|$)'
check "/dev is a tmpfs" has_mount /dev tmpfs
check "/dev/pts is a devpts" has_mount /dev/pts devpts
check "/dev/shm is a tmpfs" has_mount /dev/shm tmpfs
check "/dev/mqueue is an mqueue" has_mount /dev/mqueue mqueue
check "no mount from the host's /run: $(awk '$1 ~ "^/run/"' "$TMP/mnt" | tr '\n' ';')" \
	bash -c "! awk '\$1 ~ \"^/run/\"' '$TMP/mnt' | grep -q ."
expect 0 "/dev inside" run -- sh -c '
	for d in null zero full random urandom tty ptmx; do test -c /dev/$d && echo "$d=char"; done
	echo pts=$(ls -A /dev/pts | tr "\n" " ")
	echo block=$(find /dev -type b | wc -l)
	echo x >/dev/null && echo null=ok
	echo zero=$(head -c 4 /dev/zero | od -An -tx1 | tr -d " ")
	echo x 2>/dev/null >/dev/full || echo full=enospc
	echo random=$(head -c 8 /dev/urandom | wc -c)
	touch /dev/shm/x && echo shm=writable
	touch /sys/nsbox-w 2>/dev/null && echo sys=writable
	true'
for d in null zero full random urandom tty ptmx; do
	out_has "/dev/$d is a character device" "^$d=char\$"
done
out_has "/dev/pts is a private instance (only ptmx)" '^pts=ptmx$'
out_has "no block device in /dev" '^block=0$'
out_has "/dev/null takes writes" '^null=ok$'
out_has "/dev/zero reads zeros" '^zero=00000000$'
out_has "/dev/full is full" '^full=enospc$'
out_has "/dev/urandom reads" '^random=8$'
out_has "/dev/shm is writable" '^shm=writable$'
out_lacks "/sys is not writable" '^sys=writable$'

# --- environment, workdir, user, binds, tty ---
export LEAKME=leak
expect 0 "env inside" run -e FOO=bar -e 'SP=a b' -- env
out_has "PATH is the standard one" '^PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin$'
out_has "HOME=/root" '^HOME=/root$'
out_has "-e FOO=bar" '^FOO=bar$'
out_has "-e with a space" '^SP=a b$'
out_lacks "nothing of the caller's environment leaks" '^(LEAKME|NSBOX|NSBOX_HERMETIC|TESTLIB)='
unset LEAKME
expect 0 "-w /tmp" run -w /tmp -- pwd
out_is "the command starts in /tmp" /tmp
expect 0 "-w /usr/share" run -w /usr/share -- pwd
out_is "the command starts in /usr/share" /usr/share
expect 0 "default workdir" run -- pwd
out_is "the command starts in /" /
expect 0 "-u 1000:1001" run -u 1000:1001 -- sh -c 'id -u; id -g; grep -E "^(CapEff|CapPrm|NoNewPrivs):" /proc/self/status'
check "uid 1000, gid 1001" bash -c "[[ \$(head -2 '$TMP/out' | tr '\n' ' ') == '1000 1001 ' ]]"
check "no effective capability" test "$(status_field CapEff)" = 0000000000000000
check "no permitted capability" test "$(status_field CapPrm)" = 0000000000000000
check "NoNewPrivs 1" test "$(status_field NoNewPrivs)" = 1
mkdir "$TMP/share"
echo hostdata >"$TMP/share/in"
expect 0 "-b SRC:DST" run -b "$TMP/share:/mnt/share" -- sh -c 'cat /mnt/share/in; echo sbdata >/mnt/share/out'
out_is "the host's file is visible at DST" hostdata
check "writes through a read-write bind reach the host" grep -qx sbdata "$TMP/share/out"
expect_fail "-b SRC:DST:ro refuses writes" run -b "$TMP/share:/mnt/ro:ro" -- sh -c 'echo x >/mnt/ro/x'
check "nothing was written through the ro bind" test ! -e "$TMP/share/x"
expect 0 "-b of a static helper" run -b "$TMP/bin:/opt/t:ro" -- /opt/t/probe fds
out_is "it runs" "0 1 2"
# -t: the command's 0, 1 and 2 are a terminal, and one it can name
# (ttyname(3), which tty(1), ssh, sudo, ps use, finds it in its /dev).
script -qec "timeout 10 '$NSBOX' run -t -- sh -c 'tty; test -t 0 && test -t 1 && test -t 2 && echo all-ttys'" /dev/null \
	</dev/null >"$TMP/tty.out" 2>&1
check "-t: tty(1) names the command's terminal: $(tr -d '\r' <"$TMP/tty.out" | head -1)" \
	grep -aEq '^/dev/' "$TMP/tty.out"
check "-t: stdin, stdout and stderr are ttys" grep -aq all-ttys "$TMP/tty.out"

expect 0 "teardown: netns del" netns del "$X"
# The kernel destroys a netns, and the veth with it, asynchronously.
check "v0 went with $X" wait_until 5 bash -c '! ip link show v0 >/dev/null 2>&1'
kill "$host_sleep" 2>/dev/null
assert_clean
assert_sandbox_clean "^sleep $S\$"
done_testing
