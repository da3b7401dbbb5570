#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kipcctl, every subcommand and every error exit, where kipc is loaded (the
# guest).  KTAP on stdout.
#
#	tools/kipcctl/test.sh PATH/TO/kipcctl
set -u
k=${1:?usage: test.sh KIPCCTL}
n=0
fails=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# t DESC EXPECTED_STATUS CMD...: run, compare the exit status.
t()
{
	desc=$1 want=$2
	shift 2
	"$@" >"$out" 2>&1
	got=$?
	n=$((n + 1))
	if [ "$got" -eq "$want" ]; then
		echo "ok $n $desc"
	else
		sed 's/^/# /' "$out"
		echo "not ok $n $desc # exit $got, want $want"
		fails=$((fails + 1))
	fi
}

# has DESC PATTERN: the last command's output matches (grep -E).
has()
{
	n=$((n + 1))
	if grep -Eq -- "$2" "$out"; then
		echo "ok $n $1"
	else
		sed 's/^/# /' "$out"
		echo "not ok $n $1 # no match for: $2"
		fails=$((fails + 1))
	fi
}

echo "TAP version 13"

t "--help exits 0" 0 "$k" --help
has "--help lists the commands" "mkchan NAME"
t "--version exits 0" 0 "$k" --version
has "--version names the ABI" "kipc ABI [0-9]+"
t "no command is a usage error" 2 "$k"
has "usage errors point at --help" "Try 'kipcctl --help'"
t "unknown command is a usage error" 2 "$k" frobnicate
t "unknown option is a usage error" 2 "$k" --frobnicate

t "mkchan creates a node" 0 "$k" mkchan kctl-a --mode 640 --capacity 10000
t "the node exists" 0 test -c /dev/kipc/kctl-a
t "mode less umask" 0 sh -c 'ls -l /dev/kipc/kctl-a | grep -q "^crw-r-----"'
t "mkchan with K suffix" 0 "$k" mkchan --capacity 8K kctl-b
t "mkchan duplicate fails" 1 "$k" mkchan kctl-a
has "duplicate says why" "cannot create channel 'kctl-a': File exists"
t "mkchan bad name fails" 1 "$k" mkchan 'a/b'
has "bad name says why" "Invalid name"
t "mkchan bad mode is a usage error" 2 "$k" mkchan x --mode 999
t "mkchan bad capacity is a usage error" 2 "$k" mkchan x --capacity 12Q
t "mkchan capacity below 4096 fails" 1 "$k" mkchan kctl-small --capacity 100
t "mkchan without NAME is a usage error" 2 "$k" mkchan

# Put data in kctl-a: its queued count and totals show in ls.
sh -c 'exec 3<>/dev/kipc/kctl-a; printf hello >&3; sleep 30' &
holder=$!
sleep 2
t "ls exits 0" 0 "$k" ls
has "ls shows the channel with capacity and queued bytes" \
	"^kctl-a +root +0640 +10000 +5 +1 +1 "
has "ls shows totals" "channels \(2 named"
t "stats exits 0" 0 "$k" stats
has "stats counts bytes written" "bytes written: +[1-9]"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null

t "rmchan removes both" 0 "$k" rmchan kctl-a kctl-b
t "the node is gone" 1 test -e /dev/kipc/kctl-a
t "rmchan of a missing channel fails" 1 "$k" rmchan kctl-a
has "missing channel says why" "No such file or directory"
t "rmchan without NAME is a usage error" 2 "$k" rmchan

t "shm without a command is a usage error" 2 "$k" shm
t "shm unknown command is a usage error" 2 "$k" shm frob
t "shm ls exits 0 with no regions" 0 "$k" shm ls
t "shm stat of a bad id fails" 1 "$k" shm stat 999999
t "shm stat of a non-number is a usage error" 2 "$k" shm stat xyz
t "shm rm of a bad id fails" 1 "$k" shm rm 999999
t "shm rmkey of a missing key fails" 1 "$k" shm rmkey 0x1234
t "shm rmkey of key 0 fails" 1 "$k" shm rmkey 0

t "shm mk creates a region" 0 "$k" shm mk 10000 --key 0x4b1 --mode 600
id=$(sed -n 's/^Region id: //p' "$out")
t "shm mk again with the key fails" 1 "$k" shm mk 100 --key 0x4b1
has "existing key says why" "File exists"
t "shm mk bad size is a usage error" 2 "$k" shm mk 10Q
t "shm mk bad mode is a usage error" 2 "$k" shm mk 100 --mode 8
t "shm ls exits 0" 0 "$k" shm ls
has "shm ls shows the region" "^0x000004b1 +$id +root +600 +10000 +0 "
t "shm stat exits 0" 0 "$k" shm stat "$id"
has "shm stat shows size and key" "key=0x000004b1  mode=600  size=10000"
t "shm rmkey removes it" 0 "$k" shm rmkey 0x4b1
t "its stat now fails" 1 "$k" shm stat "$id"
t "shm mk private" 0 "$k" shm mk 4K
id=$(sed -n 's/^Region id: //p' "$out")
t "shm rm removes it" 0 "$k" shm rm "$id"
t "shm rm again fails" 1 "$k" shm rm "$id"
has "bad id says why" "Invalid id"
t "shm rm partly bad still removes the rest, exits 1" 1 sh -c \
	"id=\$($k shm mk 1 | sed -n 's/^Region id: //p'); $k shm rm 999999 \$id; r=\$?; $k shm stat \$id >/dev/null 2>&1 && exit 9; exit \$r"

echo "1..$n"
[ "$fails" -eq 0 ]
