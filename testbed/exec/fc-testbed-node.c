/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fc-testbed-node: fc-noded (testbed/node/README.md) with the testbed's
 * real executor (exec.h): signed DNS updates, HTTP fetches into the
 * rescue root, deletes of rescued copies.  Same command line:
 *   fc-testbed-node [--pid-file FILE] [--check] CONFIG
 */
#include "testbed/exec/exec.h"
#include "testbed/node/noded.h"

int
main(int argc, char **argv)
{
	return tb_noded_main(argc, argv, tb_executor_real_new);
}
