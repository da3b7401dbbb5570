/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * The old name of libkipc's header, kept so that programs that include
 * <kipc.h> still build.  New code includes <libkipc.h>, which is named as
 * the pkg-config package is and cannot be taken for the module's ABI,
 * <linux/kipc.h>.
 */
#ifndef LIBKIPC_KIPC_H
#define LIBKIPC_KIPC_H

/* Quoted: the libkipc.h next to this file, wherever both were put. */
#include "libkipc.h"

#endif /* LIBKIPC_KIPC_H */
