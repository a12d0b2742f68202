/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page kinds a buffer can be made of: the one table that the job
 * file's `page` key is checked against, that buffer allocation reads and
 * that plans take the folio size from.
 */
#ifndef PFNLAB_PAGE_KINDS_H
#define PFNLAB_PAGE_KINDS_H

#include <stdbool.h>
#include <stddef.h>

struct page_kind {
	const char *name;     /* the `page` key's value */
	bool memfd;	      /* backed by memfd_create(), not anonymous memory */
	bool thp;	      /* anonymous 4 KiB memory with MADV_HUGEPAGE */
	size_t hugetlb_bytes; /* hugetlbfs page size, 0 when not hugetlb */
	size_t folio_bytes;   /* the folio a page of this kind is mapped in, ideally */
};

/* Every kind, NULL-name-terminated, in the order `pfnlab help` lists them. */
extern const struct page_kind page_kinds[];

/* The kind named @name, or NULL. */
const struct page_kind *page_kind_find(const char *name);

#endif
