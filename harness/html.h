/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every pfnlab HTML page shares: the head (styles and a
 * Content-Security-Policy that forbids any network fetch), escaping,
 * numbers, and writing a page whole or not at all.
 */
#ifndef PFNLAB_HTML_H
#define PFNLAB_HTML_H

#include <stdio.h>

/* <!DOCTYPE> to </head>, titled @title (escaped). */
void html_head(FILE *f, const char *title);

/* @s with <, >, & and " escaped; NULL writes nothing. */
void html_esc(FILE *f, const char *s);

/* %.4g, or an en dash for NaN. */
void html_num(FILE *f, double v);

/* Table cells: text (escaped), a number (right-aligned), an interval. */
void html_td(FILE *f, const char *text);
void html_td_num(FILE *f, double v);
void html_td_range(FILE *f, double lo, double hi);

/*
 * Open PATH.tmp for a page; html_close() renames it over PATH when every
 * write succeeded and removes it otherwise.  Both say what failed, naming
 * @cmd ("pfnlab report").
 */
FILE *html_open(const char *cmd, const char *path);
int html_close(const char *cmd, FILE *f, const char *path);

#endif
