#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demo of `make run`, where kipc is loaded (the guest, or a host after
# `make load`): the module; a shell pipeline on kernel pipes, then through
# kipc with the LD_PRELOAD shim, which says which pipes it moved; a named
# channel used like a FIFO; and kipc-xfer through a kipc region, woken by
# its doorbell, then through System V shm, which has none.
#
#	scripts/demo.sh BUILD_DIR
set -u
build=${1:?usage: demo.sh BUILD_DIR}
t=$build/tools
shim=$t/libkipc-preload.so
sh=$(command -v dash || command -v bash)

step() { printf '\n--- %s\n' "$*"; }

step "modinfo kipc"
modinfo kipc 2>/dev/null || modinfo "/lib/modules/$(uname -r)/extra/kipc.ko"
step "ls -l /dev/kipc"
ls -l /dev/kipc
step "the module's kernel messages"
dmesg | grep -w kipc

pipeline='seq 1 100000 | sort -r | uniq | md5sum'
step "a pipeline of $sh, on kernel pipes and then on kipc: $pipeline"
before=$("$t/kipcctl" stats | sed -n 's/^bytes written: *//p')
echo "kernel pipes:"
"$sh" -c "$pipeline"
echo "kipc, through LD_PRELOAD=$shim:"
LD_PRELOAD=$shim "$sh" -c "$pipeline"
after=$("$t/kipcctl" stats | sed -n 's/^bytes written: *//p')
echo "bytes that went through kipc channels: $((after - before))"

step "the shim says which pipes it moved: KIPC_PRELOAD_VERBOSE=1"
KIPC_PRELOAD_VERBOSE=1 LD_PRELOAD=$shim "$sh" -c 'seq 1 3 | sort -r'

step "a named channel, like mkfifo: kipcctl mkchan demo"
"$t/kipcctl" mkchan demo --mode 600 --capacity 10000
ls -l /dev/kipc/demo
(echo "hello through /dev/kipc/demo" >/dev/kipc/demo) &
cat /dev/kipc/demo
wait
"$t/kipcctl" ls
"$t/kipcctl" rmchan demo

step "shared memory: kipc-xfer through a kipc region, woken by its doorbell"
"$build/userlib/examples/kipc-xfer" --backend kipc-shm
step "the same through System V shm, which has no doorbell: the sides poll"
"$build/userlib/examples/kipc-xfer" --backend sysv-shm
