#!/bin/bash
# --help for every command, --version, --json output that parses.
. "$TESTLIB"

expect 0 "--version" --version
check "prints the version" grep -Eq '^nsbox [0-9]+\.[0-9]+\.[0-9]+$' "$TMP/out"
expect 0 "--help" --help
check "help lists the commands" grep -q "netns add|del|list|exec" "$TMP/out"
for cmd in netns link addr route bridge sysctl; do
	expect 0 "$cmd --help" $cmd --help
	check "$cmd --help prints a usage" grep -q "^Usage: nsbox $cmd" "$TMP/out"
done
for sub in "netns add" "netns del" "netns list" "link add" "link set" "link del" "link list" "addr add" "route add" "bridge add"; do
	# shellcheck disable=SC2086
	expect 0 "$sub --help" $sub --help
done
expect 2 "no command" 
expect 2 "missing subcommand" netns
expect_err "missing subcommand" "says what is missing"

expect 2 "a value to an option that takes none" netns list --json=1
expect_err "option '--json' takes no value" "says so"
expect 2 "an unknown short option" netns list -Z
expect_err "unknown option '-Z'" "names it"
expect 0 "setup" netns add a
expect 0 "empty lists are valid json" --json link list a
check "json parses" jq -e 'length == 1' "$TMP/out"
expect 0 "--json after the command" netns list --json
check "json parses" jq -e 'length == 1 and .[0].name == "a"' "$TMP/out"
expect 0 "sysctl --json" --json sysctl a net.ipv4.ip_forward
check "json value" jq -e '."net.ipv4.ip_forward" == "0"' "$TMP/out"
# nsbox reads a netns's sysctls through a proc instance of its own; where
# none may be mounted (a container's masked /proc), through /proc.
check "sysctl set where proc cannot be mounted" \
	strace -f -o /dev/null -e trace=fsopen -e inject=fsopen:error=EPERM \
	"$NSBOX" sysctl a net.ipv4.ip_forward=1
check "took effect (ip netns exec)" \
	bash -c '[[ $(ip netns exec a cat /proc/sys/net/ipv4/ip_forward) == 1 ]]'
expect 0 "and sysctl reads it back" sysctl a net.ipv4.ip_forward
check "as 1" grep -q '= 1' "$TMP/out"
expect 0 "-q on success prints nothing" -q netns del a
check "nothing printed" test ! -s "$TMP/out"
assert_clean
done_testing
