// SPDX-License-Identifier: GPL-2.0
/*
 * pagehint's tracepoints, declared in include/trace/events/pagehint.h, are
 * defined here.
 */

#define CREATE_TRACE_POINTS
#include <trace/events/pagehint.h>
