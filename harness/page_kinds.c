// SPDX-License-Identifier: GPL-2.0
/* The page-kind table (page_kinds.h). */
#include "page_kinds.h"

#include <string.h>

#define KIB ((size_t)1 << 10)
#define MIB ((size_t)1 << 20)
#define GIB ((size_t)1 << 30)

const struct page_kind page_kinds[] = {
	{ "4k", false, false, 0, 4 * KIB },
	{ "thp", false, true, 0, 2 * MIB },
	{ "hugetlb-2m", false, false, 2 * MIB, 2 * MIB },
	{ "hugetlb-1g", false, false, 1 * GIB, 1 * GIB },
	{ "memfd", true, false, 0, 4 * KIB },
	{ "memfd-2m", true, false, 2 * MIB, 2 * MIB },
	{ "memfd-1g", true, false, 1 * GIB, 1 * GIB },
	{ NULL, false, false, 0, 0 },
};

const struct page_kind *page_kind_find(const char *name)
{
	for (const struct page_kind *k = page_kinds; name && k->name; k++)
		if (!strcmp(k->name, name))
			return k;
	return NULL;
}
