#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demo of `make run`, where kipc is loaded (the guest, or a host after
# `make load`): the module, then the tutorial's pipeline through kipc with
# the LD_PRELOAD shim, a named channel used like a FIFO, and a shared-memory
# transfer with the doorbell.
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

step "the tutorial's pipeline, ps | grep, with kernel pipes and with kipc"
pipeline='ps | grep -c sh; seq 1 100000 | sort -r | uniq | md5sum'
before=$("$t/kipcctl" stats | sed -n 's/^bytes written: *//p')
echo "kernel pipes:"
KIPC_PRELOAD=off "$sh" -c "$pipeline"
echo "kipc, through LD_PRELOAD=$shim:"
LD_PRELOAD=$shim "$sh" -c "$pipeline"
after=$("$t/kipcctl" stats | sed -n 's/^bytes written: *//p')
echo "bytes that went through kipc channels: $((after - before))"

step "a named channel, like mkfifo: kipcctl mkchan demo"
"$t/kipcctl" mkchan demo --mode 600 --capacity 10000
ls -l /dev/kipc/demo
(echo "hello through /dev/kipc/demo" >/dev/kipc/demo) &
cat /dev/kipc/demo
wait
"$t/kipcctl" ls
"$t/kipcctl" rmchan demo

step "shared memory with the doorbell: kipc-xfer --backend kipc-shm"
"$build/userlib/examples/kipc-xfer" --backend kipc-shm
"$build/userlib/examples/kipc-xfer" --backend sysv-shm
