// SPDX-License-Identifier: GPL-2.0
/*
 * Shared pieces of the HTML pages (html.h).
 */
#include "html.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

static const char page_style[] =
	"<style>\n"
	"body{font-family:sans-serif;margin:1.5em;color:#222;max-width:1300px}\n"
	"h1{font-size:1.5em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}\n"
	"table{border-collapse:collapse;font-size:.85em;margin:.5em 0}\n"
	"td,th{border:1px solid #ddd;padding:.2em .5em;text-align:left;vertical-align:top}\n"
	"td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
	"th{background:#f3f3f3}figure{margin:1em 0}figure img{max-width:100%;border:1px solid #eee}\n"
	".regressed{background:#fbd3d3}.improved{background:#d4f2d4}.undecided{background:#fff0d0}.incomplete{background:#fbd3d3;padding:4px}td.bad{background:#fbd3d3}td.ok{background:#d4f2d4}\n"
	".skipped,.failed{color:#888}.flagged{background:#fff0d0}\n"
	"code{font-size:.9em}details{margin:.5em 0}.key{word-break:break-all}\n"
	"</style>\n</head>\n";

void html_head(FILE *f, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>",
	      f);
	html_esc(f, title);
	fputs("</title>\n", f);
	fputs(page_style, f);
}

void html_esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f); break;
		}
	}
}

void html_num(FILE *f, double v)
{
	if (isnan(v))
		fputs("&ndash;", f);
	else
		fprintf(f, "%.4g", v);
}

void html_td(FILE *f, const char *text)
{
	fputs("<td>", f);
	html_esc(f, text);
	fputs("</td>", f);
}

void html_td_num(FILE *f, double v)
{
	fputs("<td class=\"n\">", f);
	html_num(f, v);
	fputs("</td>", f);
}

void html_td_range(FILE *f, double lo, double hi)
{
	fputs("<td class=\"n\">", f);
	html_num(f, lo);
	fputs(" &ndash; ", f);
	html_num(f, hi);
	fputs("</td>", f);
}

FILE *html_open(const char *cmd, const char *path)
{
	char tmp[4300];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		fprintf(stderr, "%s: cannot write %s: %s\n", cmd, tmp, strerror(errno));
	return f;
}

int html_close(const char *cmd, FILE *f, const char *path)
{
	char tmp[4300];
	int bad = ferror(f);

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (fclose(f) != 0 || bad || rename(tmp, path) != 0) {
		fprintf(stderr, "%s: cannot write %s: %s\n", cmd, path,
			strerror(errno ? errno : EIO));
		unlink(tmp);
		return -1;
	}
	return 0;
}
