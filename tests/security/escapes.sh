#!/bin/bash
# The escape suite (issue #6). Each case is a small static C program in
# tests/security/ that tries to get out of the sandbox it runs in, as root,
# one line per attempt, and exits 0 iff nothing escaped (case.h). Each runs
# in five places: a sandbox on the host view (nsbox run), one in a
# persistent netns (--netns, with /etc/netns/NAME/* bound over /etc), one on
# a busybox root (--rootfs DIR), and the two nodes of a lab (one on the host
# view with an uplink, one on the busybox root). Some cases need the
# host's side too (a racer, a mount made after launch, a listener): they are
# driven from here. Ends with "# N cases run, M escapes" (goal: 0 escapes).
# Like the integration tests, it runs in its own mount and network namespace
# (lib.sh): nothing it does reaches the machine.
. "$TESTLIB"

SEC=$SRCDIR/tests/security
BIN=$TMP/bin
CASES=(chroot binary fds procmask procwrite nnp seccomp mount userns isolation devices readonly prop bindrace joinrace)
S=4242$$ # a sleep argument no other process has
sandbox_begin

# --- build the cases (two at a time: the machine is shared) ---
mkdir -p "$BIN"
chmod 755 "$TMP" "$BIN"
# shellcheck disable=SC2016 # $1.. are sh's, not this script's
printf '%s\n' "${CASES[@]}" | xargs -P2 -I{} \
	sh -c 'gcc -static -O2 -Wall -o "$1/$2" "$3/$2.c" 2>"$1/$2.err"' _ "$BIN" {} "$SEC"
for c in "${CASES[@]}"; do
	if [[ ! -x $BIN/$c ]]; then
		echo "Bail out! cannot build $c.c: $(head -c 600 "$BIN/$c.err")"
		exit 1
	fi
done

# --- what the host has that the sandboxes must not reach ---
MARKER=$TMP/host-marker # a host path, absolute
echo marker >"$MARKER"
HOSTDIR=$TMP/host-dir
mkdir -p "$HOSTDIR"
HOSTFILE=$TMP/host-file
echo host >"$HOSTFILE"
HOSTFILE_ID=$(stat -c %d:%i "$HOSTFILE")
BINID=$(stat -L -c %d:%i "$NSBOX")
nsbox_sum=$(sha256sum <"$NSBOX")
# setuid works on lib.sh's tmpfs on /run (the sandboxes get it as a bind).
SUID=/run/nsbox-sec-suid
mkdir -p "$SUID"
chmod 755 "$SUID"
# A host's /etc entry the busybox roots do not have (lib.sh's /etc is an
# overlay in the test's tmpfs: the machine's /etc is not written).
HOSTETC=/etc/nsbox-sec-host-$$
echo host >"$HOSTETC"
mkdir -p "/etc/nsbox-sec-prop-$$"
sleep "4343$$" &
host_sleep=$!
IFN=hsec$$
ip link add "$IFN" type veth peer name "${IFN}p"
SOCK=nsbox-sec-$$
"$BIN/isolation" listen "$SOCK" 120 >"$TMP/listen.out" 2>&1 &
listener=$!
shmid=$(ipcmk -M 4096 | grep -Eo '[0-9]+$')
cleanup() {
	kill "$host_sleep" "$listener" "${racer:-}" 2>/dev/null
	[[ -n ${shmid:-} ]] && ipcrm -m "$shmid" 2>/dev/null
	umount -l "/etc/nsbox-sec-prop-$$" /usr/local/src 2>/dev/null
	ip link del "$IFN" 2>/dev/null
	ip link del "hdel$$" 2>/dev/null
	rm -rf "$SUID" "$HOSTETC" "/etc/nsbox-sec-prop-$$" /etc/netns/secns /etc/netns/sec-a \
		/etc/nsbox-sec-netns.conf /etc/nsbox-sec-netns.d "$TMP"
}
trap cleanup EXIT
# A shared mount tree, as systemd makes the host's (unshare made the test's
# namespace private): a sandbox whose mounts leaked would leak them here.
mount --make-rshared /

# The busybox root, with an /etc of its own.
ROOT=$TMP/root
make_busybox_root "$ROOT" || {
	echo "Bail out! cannot make a busybox root"
	exit 1
}
echo root >"$ROOT/etc/nsbox-sec-root"
mkdir -p "$ROOT/mnt"

# A persistent netns whose /etc/netns/NAME/ holds a file and a directory
# with counterparts in /etc, bound over them inside; the lab's node a gets
# the same.
expect 0 "netns add secns" netns add secns
for ns in secns sec-a; do
	mkdir -p "/etc/netns/$ns/nsbox-sec-netns.d"
	echo "$ns" >"/etc/netns/$ns/nsbox-sec-netns.conf"
done
echo host >/etc/nsbox-sec-netns.conf
mkdir -p /etc/nsbox-sec-netns.d

# The lab: node a on the host view with an uplink (a veth into the test's
# netns, which stands for the host's), node b on the busybox root.
BINDS=("$BIN:/opt/sec:ro" "$SUID:/opt/suid" "$NSBOX:/opt/nsbox/nsbox:ro")
RUNB=()
for b in "${BINDS[@]}"; do RUNB+=(-b "$b"); done
cat >"$TMP/lab.yaml" <<YAML
name: sec
defaults: { binds: [$(printf '"%s", ' "${BINDS[@]}" | sed 's/, $//')] }
nodes:
  a: { uplink: true }
  b: { rootfs: "$ROOT" }
links:
  - ["a:eth0=10.99.6.1/24", "b:eth0=10.99.6.2/24"]
YAML
expect 0 "lab up (the lab the cases run in)" lab up "$TMP/lab.yaml"

ENVS=(run run-netns run-dir lab lab-dir)
cases=0
escapes=0

# in_env ENV CMD...: run CMD (paths as the sandbox sees them) in ENV;
# stdout in $TMP/out, stderr in $TMP/err, status in $rc.
in_env() {
	local env=$1
	shift
	case $env in
	run) nsbox run "${RUNB[@]}" -- "$@" ;;
	run-netns) nsbox run --netns secns "${RUNB[@]}" -- "$@" ;;
	run-dir) nsbox run --rootfs "$ROOT" "${RUNB[@]}" -- "$@" ;;
	lab) nsbox lab exec sec a -- "$@" ;;
	lab-dir) nsbox lab exec sec b -- "$@" ;;
	esac
}

# judge DESC: one case ran, its output in $TMP/out and status in $rc (the
# protocol of case.h); every attempt's line goes to the log.
judge() {
	local desc=$1 sum
	cases=$((cases + 1))
	sum=$(grep '^# ' "$TMP/out" | tail -1 | sed 's/^# //')
	[[ -n $sum ]] || sum="$(grep -c '^blocked: ' "$TMP/out") blocked, $(grep -c '^ESCAPE: ' "$TMP/out") escaped"
	case $rc in
	0)
		if grep -q '^blocked: ' "$TMP/out"; then
			ok "$desc: $sum"
		else
			not_ok "$desc: no attempt was made: $(head -c 300 "$TMP/out") $(head -c 300 "$TMP/err")"
		fi
		;;
	1)
		escapes=$((escapes + 1))
		not_ok "$desc: ESCAPED ($sum): $(grep '^ESCAPE' "$TMP/out" | head -3 | cut -c1-300 | tr '\n' ';')"
		;;
	2) not_ok "$desc: could not be run ($sum): $(grep '^BROKEN' "$TMP/out" | head -3 | tr '\n' ';')" ;;
	*) not_ok "$desc: exit $rc: $(head -c 300 "$TMP/out") $(head -c 300 "$TMP/err")" ;;
	esac
	sed 's/^/#   /' "$TMP/out"
}

# every NAME ARGS...: case NAME in every environment.
every() {
	local name=$1 env
	shift
	for env in "${ENVS[@]}"; do
		in_env "$env" "/opt/sec/$name" "$@"
		judge "$name [$env]"
	done
}

# --- the cases that need nothing of the host's but paths ---
every chroot "$MARKER" /tmp
every binary "$BINID" "$MARKER" /opt/nsbox/nsbox
# The caller holds a host directory and a host file open and works in a
# host directory: none of it may follow the command in.
cd "$HOSTDIR" || exit 1
exec 7<"$HOSTDIR" 8<"$HOSTFILE"
every fds "$MARKER" "$HOSTFILE_ID"
exec 7<&- 8<&-
cd / || exit 1
# What rootfs.c masks (mask_proc), as it lists it.
mapfile -t MASKED < <(awk '/static const char \*const (null_files|empty_dirs)\[\]/,/};/' \
	"$SRCDIR/src/sandbox/rootfs.c" | grep -o '"/[^"]*"' | tr -d '"')
mapfile -t RO_PATHS < <(awk '/static const char \*const ro_paths\[\]/,/};/' \
	"$SRCDIR/src/sandbox/rootfs.c" | grep -o '"/[^"]*"' | tr -d '"')
check "rootfs.c lists masked paths (${#MASKED[@]}: ${MASKED[*]})" test "${#MASKED[@]}" -ge 5
check "rootfs.c lists read-only paths (${#RO_PATHS[@]}: ${RO_PATHS[*]})" test "${#RO_PATHS[@]}" -ge 3
for f in /proc/keys /proc/timer_list /proc/sched_debug; do
	n=$(head -c 64 "$f" 2>/dev/null | wc -c)
	echo "# control: $f has $n bytes on the host"
done
every procmask "${MASKED[@]}"
every procwrite "${RO_PATHS[@]}"
"$BIN/nnp" control "$SUID" >"$TMP/control" 2>&1
nnp_rc=$?
check "control: without no_new_privs the copies do gain privilege in $SUID ($(cat "$TMP/control"))" \
	test "$nnp_rc" -eq 0
every nnp /opt/suid
# The deny list, as seccomp_rules.c has it.
mapfile -t DENIED < <(awk '/static const char \*const denied\[\]/,/};/' \
	"$SRCDIR/src/sandbox/seccomp_rules.c" | grep -o '"[a-z_0-9]*"' | tr -d '"')
check "seccomp_rules.c lists denied syscalls (${#DENIED[@]})" test "${#DENIED[@]}" -ge 30
every seccomp "${DENIED[@]}"
every mount /tmp
every userns
# DEL, a host interface of the test's, is what a sandbox that reaches the
# host's netns deletes to show it can; made again before each environment.
DEL=hdel$$
for env in "${ENVS[@]}"; do
	ip link show "$DEL" >/dev/null 2>&1 || ip link add "$DEL" type veth peer name "${DEL}p"
	in_env "$env" /opt/sec/isolation inside "4343$$" "$IFN" "$SOCK" "$(hostname)" "$shmid" "$DEL"
	if ! ip link show "$DEL" >/dev/null 2>&1; then
		rc=1
		echo "ESCAPE: the host's $DEL is gone (ip link show)" >>"$TMP/out"
	fi
	judge "isolation [$env]"
done
ip link del "$DEL" 2>/dev/null
check "control: the host's abstract socket was listening" grep -q listening "$TMP/listen.out"
every devices /opt/suid
every readonly /opt/suid

# --- mount propagation ---
# Sandbox to host, never: where a mount can be made at all (SYS_ADMIN, no
# filter), and in the default sandboxes (where it cannot).
PM=nsbox-sec-prop-$$
leaked() { grep -h "$PM" /proc/self/mountinfo /proc/1/mountinfo 2>/dev/null | head -3 | tr '\n' ';'; }
for env in run-sysadmin "${ENVS[@]}"; do
	if [[ $env == run-sysadmin ]]; then
		nsbox run "${RUNB[@]}" --cap-add SYS_ADMIN --seccomp=off -- \
			/opt/sec/prop mount "$PM" /tmp/pm /usr/local/src "/etc/nsbox-sec-prop-$$" /opt/suid/pm
	else
		in_env "$env" /opt/sec/prop mount "$PM" /tmp/pm /opt/suid/pm
	fi
	l=$(leaked)
	if [[ -n $l ]]; then
		rc=1
		echo "ESCAPE: a mount made inside appears on the host: $l" >>"$TMP/out"
	else
		echo "blocked: none of them appears on the host (its mountinfo, its PID 1's)" >>"$TMP/out"
	fi
	judge "propagation, sandbox to host [$env]"
done
# Host to sandbox: a mount the host makes after the launch, below /etc and
# /usr (read-only inside, README), must not be writable inside.
expect 0 "a detached sandbox for the propagation case" run -d --name secprop "${RUNB[@]}" -- sleep "$S"
sandbox_pid secprop >/dev/null
PROPDIRS=("/etc/nsbox-sec-prop-$$")
[[ -d /usr/local/src ]] && PROPDIRS+=(/usr/local/src)
for d in "${PROPDIRS[@]}"; do
	mount -t tmpfs nsbox-sec-hostprop "$d" && echo host >"$d/hostfile"
done
for d in "${PROPDIRS[@]}"; do
	nsbox exec secprop -- /opt/sec/prop look "$d" hostfile
	judge "propagation, host to sandbox, $d [run]"
	nsbox lab exec sec a -- /opt/sec/prop look "$d" hostfile
	judge "propagation, host to sandbox, $d [lab]"
	umount -l "$d"
done

# --- the nsbox exec window: a racer inside, execs with host fds open ---
# race_join ENV-DESC EXEC...: EXEC is how to exec into the sandbox.
race_join() {
	local desc=$1 i
	shift
	"$NSBOX" "$@" /opt/sec/joinrace 2 "$BINID" "$MARKER" "$HOSTFILE_ID" >"$TMP/jr.out" 2>"$TMP/jr.err" &
	local jr=$!
	wait_until 5 grep -q racing "$TMP/jr.out"
	cd "$HOSTDIR" || exit 1
	exec 7<"$HOSTDIR" 8<"$HOSTFILE"
	for ((i = 0; i < 60; i++)); do
		"$NSBOX" "$@" true >/dev/null 2>&1
		kill -0 "$jr" 2>/dev/null || break
	done
	exec 7<&- 8<&-
	cd / || exit 1
	wait "$jr"
	rc=$?
	cp "$TMP/jr.out" "$TMP/out"
	cp "$TMP/jr.err" "$TMP/err"
	judge "nsbox exec window [$desc]"
}
race_join run exec secprop --
race_join lab lab exec sec a --

# --- symlinks in a rootfs DIR: /proc and bind targets ---
mounts_now >"$TMP/mounts-before"
# bad_root LINK TARGET: a busybox root whose LINK is a symlink to TARGET.
bad_root() {
	rm -rf "$TMP/bad"
	make_busybox_root "$TMP/bad" >/dev/null
	rm -rf "${TMP:?}/bad/$1"
	ln -s "$2" "$TMP/bad/$1"
}
for spec in proc:/ proc:../../../../../.. sys:/ dev:/etc; do
	bad_root "${spec%%:*}" "${spec#*:}"
	nsbox run --rootfs "$TMP/bad" -- true
	cases=$((cases + 1))
	if [[ $rc -eq 125 ]]; then
		ok "a rootfs whose /${spec%%:*} is a symlink to ${spec#*:} is refused ($(cat "$TMP/err"))"
	else
		not_ok "a rootfs whose /${spec%%:*} is a symlink to ${spec#*:}: exit $rc, not refused (README: 125)"
	fi
done
# The source of the binds below: a directory of a unique name, so that the
# check finds its mount in mountinfo even where it is hidden.
SRCNAME=nsbox-sec-src-$$
SRC=$TMP/$SRCNAME
mkdir -p "$SRC"
echo src >"$SRC/nsbox-sec-src"
# check_bind ENV-DESC NSBOX-ARGS...: the bind check, run by nsbox with
# NSBOX-ARGS, judged; 125 (nsbox refused) is fine; the host must not see
# the bind.
check_bind() {
	local desc=$1
	shift
	nsbox "$@" /opt/sec/bindrace check "$HOSTETC" "$SRCNAME" nsbox-sec-src \
		/etc /etc/sub /mnt/real /mnt/t /mnt/l "$HOSTDIR" /
	[[ $rc -eq 125 ]] && rc=0 && echo "blocked: refused: $(cat "$TMP/err")" >"$TMP/out"
	if [[ -e /etc/nsbox-sec-src || -e /etc/sub/nsbox-sec-src || -e $HOSTDIR/nsbox-sec-src ]]; then
		rc=1
		echo "ESCAPE: the bind is visible on the host" >>"$TMP/out"
	fi
	judge "$desc"
}
# Bind targets that are symlinks out of the root, absolute and relative, in
# a root of their own (ROOT is the lower layer of the running lab's node b).
R2=$TMP/root2
make_busybox_root "$R2" >/dev/null
mkdir -p "$R2/mnt/real"
ln -s /etc "$R2/mnt/abs"
ln -s ../../../../../../etc "$R2/mnt/rel"
ln -s / "$R2/mnt/slash"
ln -s "$HOSTDIR" "$R2/mnt/hostpath"
for t in /mnt/abs /mnt/rel /mnt/abs/sub /mnt/slash /mnt/hostpath; do
	check_bind "bind target $t -> $(readlink "$R2${t%/sub}") [run-dir]" \
		run --rootfs "$R2" -b "$SRC:$t" -b "$BIN:/opt/sec:ro" --
done
check_bind "bind target /mnt/abs -> /etc [run-dir, --rootfs-rw]" \
	run --rootfs "$R2" --rootfs-rw -b "$SRC:/mnt/abs" -b "$BIN:/opt/sec:ro" --
cat >"$TMP/symlab.yaml" <<YAML
name: secsym
nodes:
  n: { rootfs: "$R2", binds: ["$SRC:/mnt/abs", "$BIN:/opt/sec:ro"] }
YAML
expect 0 "lab up with a bind onto a symlink to /etc" lab up "$TMP/symlab.yaml"
check_bind "bind target /mnt/abs -> /etc [lab-dir]" lab exec secsym n --
expect 0 "lab down" lab down secsym

# The same while a racer swaps a directory and a symlink to /etc (then to
# /) under the bind target, during as many launches as fit in 2 s; where
# the binds landed is tallied (both places, or the race proved little).
bind_race() {
	local link=$1 env=$2 n=0 refused=0 esc=0
	rm -rf "$R2/mnt/t" "$R2/mnt/l"
	mkdir -p "$R2/mnt/t"
	ln -s "$link" "$R2/mnt/l"
	"$BIN/bindrace" race "$R2/mnt" t l 2 >"$TMP/racer.out" 2>&1 &
	racer=$!
	: >"$TMP/race.log"
	: >"$TMP/landed"
	while kill -0 "$racer" 2>/dev/null; do
		if [[ $env == run-dir ]]; then
			check_bind_quiet run --rootfs "$R2" -b "$SRC:/mnt/t" -b "$BIN:/opt/sec:ro" --
		elif [[ $env == run-dir-rw ]]; then
			check_bind_quiet run --rootfs "$R2" --rootfs-rw -b "$SRC:/mnt/t" -b "$BIN:/opt/sec:ro" --
		else
			nsbox lab up "$TMP/racelab.yaml"
			if [[ $rc -eq 0 ]]; then
				check_bind_quiet lab exec secrace n --
				"$NSBOX" lab down secrace >/dev/null 2>&1
			else
				rc=125
			fi
		fi
		n=$((n + 1))
		grep -o 'landed inside the root, on [^(]*' "$TMP/out" | sed 's/.*, on //; s/ *$//' >>"$TMP/landed"
		case $rc in
		0) ;;
		125) refused=$((refused + 1)) ;;
		*)
			esc=$((esc + 1))
			{
				echo "launch $n: exit $rc"
				cat "$TMP/out" "$TMP/err"
			} >>"$TMP/race.log"
			;;
		esac
		if [[ -e /etc/nsbox-sec-src ]]; then
			esc=$((esc + 1))
			echo "the host's /etc got the bind" >>"$TMP/race.log"
		fi
	done
	wait "$racer"
	racer=
	rm -rf "$R2/mnt/t" "$R2/mnt/l"
	if ((esc)); then
		rc=1
		echo "ESCAPE: $esc of $n launches: $(head -c 600 "$TMP/race.log" | tr '\n' ';')" >"$TMP/out"
	elif ((n - refused < 3)); then
		rc=2
		echo "BROKEN: only $((n - refused)) of $n launches ran" >"$TMP/out"
	else
		rc=0
		echo "blocked: $n launches, $refused refused, none mounted a host path ($(cat "$TMP/racer.out"))" >"$TMP/out"
		echo "note: landed on: $(sort "$TMP/landed" | uniq -c | sed 's/^ *//' | tr '\n' ';')" >>"$TMP/out"
	fi
	judge "bind target raced with a symlink to $link [$env]"
}
# check_bind_quiet NSBOX-ARGS...: the check alone; $rc 0 (or 125: refused)
# when the bind stayed inside.
check_bind_quiet() {
	nsbox "$@" /opt/sec/bindrace check "$HOSTETC" "$SRCNAME" nsbox-sec-src /mnt/t /mnt/l /etc /
}
cat >"$TMP/racelab.yaml" <<YAML
name: secrace
nodes:
  n: { rootfs: "$R2", binds: ["$SRC:/mnt/t", "$BIN:/opt/sec:ro"] }
YAML
bind_race /etc run-dir
bind_race / run-dir
bind_race /etc run-dir-rw
bind_race /etc lab-dir
"$NSBOX" lab down secrace >/dev/null 2>&1
mounts_now >"$TMP/mounts-after"
if diff -u "$TMP/mounts-before" "$TMP/mounts-after" >"$TMP/mdiff"; then
	ok "the symlink and race cases left the host's mount table as it was"
else
	not_ok "the host's mount table changed: $(head -c 800 "$TMP/mdiff")"
fi

# --- teardown ---
check "the nsbox binary is unchanged" test "$(sha256sum <"$NSBOX")" = "$nsbox_sum"
expect 0 "stop secprop" stop secprop
expect 0 "lab down" lab down sec
expect 0 "netns del secns" netns del secns
rm -rf /etc/netns/secns /etc/netns/sec-a
rmdir /etc/netns 2>/dev/null
kill "$host_sleep" "$listener" 2>/dev/null
ip link del "$IFN" 2>/dev/null
assert_clean
assert_sandbox_clean "^sleep $S\$"
echo "# $cases cases run, $escapes escapes"
done_testing
