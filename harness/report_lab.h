/* SPDX-License-Identifier: GPL-2.0 */
/* pfnlab report --lab DIR: the lab-scale report from a results store. */
#ifndef PFNLAB_REPORT_LAB_H
#define PFNLAB_REPORT_LAB_H

int report_lab(int argc, char **argv);

#endif
