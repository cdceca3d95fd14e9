/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fc-noded with the log-only executor (testbed/node/executor.h); the
 * testbed harness links tb_noded_main() with its own.
 */
#include "testbed/node/executor.h"
#include "testbed/node/noded.h"

int
main(int argc, char **argv)
{
	return tb_noded_main(argc, argv, tb_executor_log_new);
}
