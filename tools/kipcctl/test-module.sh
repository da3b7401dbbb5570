# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2154 # test.sh, which sources this, sets them
#
# Sourced by test.sh: every command where the module is loaded, as root
# (the guest).  Uses test.sh's helpers and $k, $jq, $tmp, $ver, $abi.
# Module parameters lowered here are put back at once.

if [ ! -e /dev/kipc/control ]; then
	fail "kipc is loaded (/dev/kipc/control)"
	return 0
fi
umask 022
p=/sys/module/kipc/parameters

# set_param NAME VALUE: remember the old value in $old.
set_param()
{
	old=$(cat "$p/$1")
	echo "$2" >"$p/$1"
}

# stat_of LABEL: a counter of `kipcctl stats`.
stat_of()
{
	"$k" stats | sed -n "s/^$1: *//p"
}

# An unprivileged caller: root in a new user namespace has no capability
# in the module's (initial) one, but is still uid 0 to it.
unpriv()
{
	unshare -U -r "$@"
}
have_unpriv=0
unpriv true 2>/dev/null && have_unpriv=1

t "--version with the module exits 0" 0 "$k" --version
is "$tmp/version.head" "--version: the first three lines as without it" \
	"$(sed -n 1,3p "$out")"
# The module's version, from sysfs; its ABI, flagged if older than kipcctl's.
mver=$(cat /sys/module/kipc/version 2>/dev/null)
mod=$(sed -n 4p "$out")
mabi=$(echo "$mod" | sed -n 's/^kipc module [0-9.]*, ABI \([0-9][0-9]*\).*/\1/p')
check "--version: the module's version, as /sys/module/kipc/version" \
	[ "${mod#kipc module "$mver", ABI }" != "$mod" ]
if [ -n "$mabi" ] && [ "$mabi" -lt "$abi" ]; then
	check "--version: an older module's ABI is flagged" \
		[ "$mod" = "kipc module $mver, ABI $mabi (older than kipcctl's: some commands may fail)" ]
else
	check "--version: the module's ABI" \
		[ "$mod" = "kipc module $mver, ABI ${mabi:-?}" ]
fi

# --- Channels.
t "mkchan creates a node" 0 "$k" mkchan kctl-a --mode 640 --capacity 10000
check "mkchan says nothing" [ -z "$(cat "$out" "$err")" ]
t "the node exists" 0 test -c /dev/kipc/kctl-a
t "mode less umask" 0 sh -c 'ls -l /dev/kipc/kctl-a | grep -q "^crw-r-----"'
t "mkchan with a K suffix" 0 "$k" mkchan --capacity 8K kctl-b
t "8K is 8192 bytes" 0 grep -qx 8192 /sys/class/kipc/kctl-b/capacity
t "mkchan --mode 644" 0 "$k" mkchan kctl-m --mode 644
refused "mkchan of a taken name" 1 \
	"kipcctl: cannot create channel 'kctl-a': File exists" \
	"$k" mkchan kctl-a
long=kctl-$(printf '%0200d' 0 | tr 0 L)
t "mkchan of a 205-character name" 0 "$k" mkchan "$long"

# Put data in kctl-a: its queued count and totals show in ls.
sh -c 'exec 3<>/dev/kipc/kctl-a; printf hello >&3; sleep 30' &
holder=$!
sleep 2
t "ls exits 0" 0 "$k" ls
has "ls: kctl-a with owner, mode 0640, kind and counters" \
	"^kctl-a +root +0640 +byte +10000 +5 +0 +1 +1 +0 +5$"
has "ls: mode printed 0644" "^kctl-m +root +0644 +byte "
has "ls shows the totals" "^[0-9]+ channels \([0-9]+ named, [0-9]+ anonymous\)"
named=$(sed -n 's/^[0-9]* channels (\([0-9]*\) named.*/\1/p' "$out")
# Every line of the table as long as the header: no column pushed right.
widths=$(awk 'NF == 0 { exit } { print length($0) }' "$out" | sort -u | wc -l)
check "ls: a long name widens its column, rows stay aligned" \
	[ "$widths" -eq 1 ]
ocol=$(awk 'NR == 1 { print index($0, "OWNER"); exit }' "$out")
bad=$(awk -v c="$ocol" 'NF == 0 { exit }
	NR > 1 && $1 ~ /^kctl-/ && substr($0, c, 5) != "root " { print $1 }' "$out")
check "ls: every owner under OWNER" [ -z "$bad" ]
has "ls: the long name whole, then its owner and mode" "^$long +root +0644 "

t "ls --json exits 0" 0 "$k" ls --json
parses "ls --json parses"
json "ls --json: name" channels.name=kctl-a.name '"kctl-a"'
json "ls --json: owner" channels.name=kctl-a.owner '"root"'
json "ls --json: uid" channels.name=kctl-a.uid 0
json "ls --json: mode, a string with a leading 0" channels.name=kctl-a.mode '"0640"'
json "ls --json: capacity" channels.name=kctl-a.capacity 10000
json "ls --json: kind" channels.name=kctl-a.kind '"byte"'
json "ls --json: queued" channels.name=kctl-a.queued 5
json "ls --json: messages, none on a byte channel" \
	channels.name=kctl-a.messages 0
json "ls --json: readers" channels.name=kctl-a.readers 1
json "ls --json: writers" channels.name=kctl-a.writers 1
json "ls --json: read" channels.name=kctl-a.read 0
json "ls --json: written" channels.name=kctl-a.written 5
json "ls --json: mode 0644" channels.name=kctl-m.mode '"0644"'
json "ls --json: the long name" "channels.name=$long.capacity" \
	"$(cat "/sys/class/kipc/$long/capacity")"
json "ls --json: one object per channel" channels.# "$named"
json "ls --json: totals.named as the text says" totals.named "$named"

t "stats exits 0" 0 "$k" stats
has "stats counts bytes written" "^bytes written: +[1-9]"
cp "$out" "$tmp/stats"
t "stats --json exits 0" 0 "$k" stats --json
parses "stats --json parses"
json "stats --json: seven counters" "#" 7
for f in "channels|channels" "named channels|named_channels" \
	"channels created|channels_created" "regions|regions" \
	"region pages|region_pages"; do
	json "stats --json: ${f#*|} as the text says" "${f#*|}" \
		"$(sed -n "s/^${f%|*}: *//p" "$tmp/stats")"
done
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null

# --- Message and mapped channels: the kind, and the queued messages.
t "mkchan --message" 0 "$k" mkchan kctl-q --message --capacity 8K
check "mkchan --message says nothing" [ -z "$(cat "$out" "$err")" ]
t "mkchan --mapped" 0 "$k" mkchan --mapped kctl-r --capacity 16K
# Two writes, two messages: 5 and 2 bytes, each costing 32 more queued.
sh -c 'exec 3<>/dev/kipc/kctl-q; printf hello >&3; printf ab >&3; sleep 30' &
holder=$!
sleep 2
t "ls exits 0" 0 "$k" ls
has "ls: a message channel, its 2 messages, their cost queued" \
	"^kctl-q +root +0644 +message +8192 +71 +2 +1 +1 +0 +7$"
has "ls: a mapped channel" "^kctl-r +root +0644 +mapped +16384 +0 +0 +0 +0 +0 +0$"
t "ls --json exits 0" 0 "$k" ls --json
parses "ls --json parses"
for f in name:'"kctl-q"' owner:'"root"' uid:0 mode:'"0644"' \
	kind:'"message"' capacity:8192 queued:71 messages:2 readers:1 \
	writers:1 read:0 written:7; do
	json "ls --json: a message channel's ${f%%:*}" \
		"channels.name=kctl-q.${f%%:*}" "${f#*:}"
done
json "ls --json: a mapped channel's kind" channels.name=kctl-r.kind '"mapped"'
json "ls --json: a mapped channel's messages" channels.name=kctl-r.messages 0
# One read takes the first message whole: ls follows.
got=$(dd if=/dev/kipc/kctl-q bs=64 count=1 2>/dev/null)
check "a read takes the first message whole" [ "$got" = hello ]
t "ls exits 0" 0 "$k" ls
has "ls: one message left, and the bytes read" \
	"^kctl-q +root +0644 +message +8192 +34 +1 +1 +1 +5 +7$"
t "ls --json exits 0" 0 "$k" ls --json
json "ls --json: one message left" channels.name=kctl-q.messages 1
json "ls --json: its cost queued" channels.name=kctl-q.queued 34
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
t "rmchan of a message and a mapped channel" 0 "$k" rmchan kctl-q kctl-r
t "the message channel is gone" 1 test -e /dev/kipc/kctl-q

# --- The module's limits, explained.
if [ "$have_unpriv" -eq 1 ]; then
	max=$(cat "$p/max_capacity")
	refused "capacity over max_capacity without CAP_SYS_RESOURCE" 1 \
		"kipcctl: cannot create channel 'kctl-big': capacity $((max + 1)) is above max_capacity, $max bytes, and needs CAP_SYS_RESOURCE" \
		unpriv "$k" mkchan kctl-big --capacity $((max + 1))
	set_param user_max_channels 1
	refused "the user's share of named channels" 1 \
		"kipcctl: cannot create channel 'kctl-u': this user has user_max_channels (1) named channels already" \
		unpriv "$k" mkchan kctl-u
	echo "$old" >"$p/user_max_channels"
else
	skip "capacity over max_capacity" "no unshare -U -r here"
	skip "the user's share of named channels" "no unshare -U -r here"
fi
named=$(stat_of "named channels")
set_param max_channels "$named"
refused "max_channels reached" 1 \
	"kipcctl: cannot create channel 'kctl-full': the module has max_channels ($named) named channels already" \
	"$k" mkchan kctl-full
echo "$old" >"$p/max_channels"

t "rmchan removes several" 0 "$k" rmchan kctl-b kctl-m "$long"
t "the node is gone" 1 test -e /dev/kipc/kctl-b
refused "rmchan of a missing channel" 1 \
	"kipcctl: cannot remove channel 'kctl-b': no such channel" \
	"$k" rmchan kctl-b
refused "rmchan goes on past a missing channel" 1 \
	"kipcctl: cannot remove channel 'kctl-b': no such channel" \
	"$k" rmchan kctl-b kctl-a
t "... and removed the next one" 1 test -e /dev/kipc/kctl-a

# --- Regions.
t "shm ls exits 0" 0 "$k" shm ls
refused "shm stat of a missing id" 1 \
	"kipcctl: cannot stat region 999999: no such id" "$k" shm stat 999999
refused "shm rm of a missing id" 1 \
	"kipcctl: cannot remove region 999999: no such id" "$k" shm rm 999999
refused "shm rmkey of a missing key" 1 \
	"kipcctl: cannot remove region with key 0x1234: no such key" \
	"$k" shm rmkey 0x1234

t "shm mk creates a region" 0 "$k" shm mk 10000 --key 0x4b1 --mode 600
id=$(sed -n 's/^Region id: //p' "$out")
refused "shm mk of a taken key" 1 \
	"kipcctl: cannot create region with key 0x4b1: File exists" \
	"$k" shm mk 100 --key 0x4b1
t "shm mk --mode 644" 0 "$k" shm mk 4K --mode 644
id2=$(sed -n 's/^Region id: //p' "$out")
t "shm ls exits 0" 0 "$k" shm ls
has "shm ls shows the region, mode 0600" "^0x000004b1 +$id +root +0600 +10000 +0$"
has "shm ls: mode printed 0644" "^0x00000000 +$id2 +root +0644 +4096 +0$"
t "shm ls --json exits 0" 0 "$k" shm ls --json
parses "shm ls --json parses"
json "shm ls --json: key, a number" "regions.id=$id.key" 1201
json "shm ls --json: owner" "regions.id=$id.owner" '"root"'
json "shm ls --json: mode, a string" "regions.id=$id.mode" '"0600"'
json "shm ls --json: size" "regions.id=$id.size" 10000
json "shm ls --json: nattch" "regions.id=$id.nattch" 0
json "shm ls --json: dest" "regions.id=$id.dest" false
json "shm ls --json: mode 0644" "regions.id=$id2.mode" '"0644"'
t "shm stat exits 0" 0 "$k" shm stat "$id"
has "shm stat: key, mode 0600 and size" "key=0x000004b1  mode=0600  size=10000"

# Region limits, while two regions exist.
set_param shm_max 4096
refused "shm_max" 1 \
	"kipcctl: cannot create region: size 8192 is above shm_max, 4096 bytes" \
	"$k" shm mk 8K
echo "$old" >"$p/shm_max"
set_param shm_all "$(stat_of "region pages")"
refused "shm_all" 1 \
	"kipcctl: cannot create region: the regions would pass shm_all ($(cat "$p/shm_all") pages)" \
	"$k" shm mk 1
echo "$old" >"$p/shm_all"
set_param shm_mni "$(stat_of regions)"
refused "shm_mni" 1 \
	"kipcctl: cannot create region: the module has shm_mni ($(cat "$p/shm_mni")) regions already" \
	"$k" shm mk 1
echo "$old" >"$p/shm_mni"
if [ "$have_unpriv" -eq 1 ]; then
	set_param user_shm_mni 1
	refused "the user's share of regions" 1 \
		"kipcctl: cannot create region: this user has user_shm_mni (1) regions already" \
		unpriv "$k" shm mk 1
	echo "$old" >"$p/user_shm_mni"
else
	skip "the user's share of regions" "no unshare -U -r here"
fi

t "shm rmkey removes it" 0 "$k" shm rmkey 0x4b1
refused "its stat now fails" 1 \
	"kipcctl: cannot stat region $id: no such id" "$k" shm stat "$id"
t "shm rm removes the other" 0 "$k" shm rm "$id2"
refused "shm rm again fails" 1 \
	"kipcctl: cannot remove region $id2: no such id" "$k" shm rm "$id2"
t "shm rm partly bad still removes the rest, exits 1" 1 sh -c \
	"id=\$($k shm mk 1 | sed -n 's/^Region id: //p'); $k shm rm 999999 \$id; r=\$?; $k shm stat \$id >/dev/null 2>&1 && exit 9; exit \$r"
