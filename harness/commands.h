/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pfnlab subcommands.  main.c dispatches argv[1] to one of these; each
 * returns the process exit status and handles its own --help.
 */
#ifndef PFNLAB_COMMANDS_H
#define PFNLAB_COMMANDS_H

int cmd_info(int argc, char **argv);	/* topology, pools, IOMMU, backends */
int cmd_list(int argc, char **argv);	/* benchmarks and their parameters */
int cmd_run(int argc, char **argv);	/* run job files, write results JSON */
int cmd_vm(int argc, char **argv);	/* run a command in the lab VM */
int cmd_lava(int argc, char **argv);	/* LAVA jobs, results imported */
int cmd_compare(int argc, char **argv); /* BASE vs NEW verdict */
int cmd_ab(int argc, char **argv);	/* two builds interleaved, then compared */
int cmd_history(int argc, char **argv); /* series + change points */
int cmd_plot(int argc, char **argv);	/* TSV + gnuplot SVG/PNG */
int cmd_report(int argc, char **argv);	/* static HTML report */
int cmd_plan(int argc, char **argv);	/* capacity plan for a size */
int cmd_index(int argc, char **argv);	/* the results store of a tree */

#endif
