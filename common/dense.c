/* dense.c - backing big, densely written arrays with huge pages.
 *
 * A node table or hash-slot array of tens of megabytes is written through
 * from start to end. With 4 KiB pages every page costs a fault, and on
 * virtual machines a fault costs more than the work done on the page: a
 * flame graph of 90,000 folded lines took 15,700 faults, a third of its
 * time in the kernel. Transparent huge pages cut that by 512 per page, but
 * Debian's default is "madvise": a region must ask for them, which malloc
 * does not (glibc only when GLIBC_TUNABLES=glibc.malloc.hugetlb=1, which a
 * library cannot set). So big blocks ask themselves; advice changes no
 * byte, and where it is refused or unknown nothing changes at all. */
#include <stdint.h>
#include <stdlib.h>

#include <sys/mman.h>
#include <unistd.h>

#include "wpcommon.h"

#define HUGE_PAGE ((size_t)2 << 20)

void wp_advise_dense(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
	if (!p || n < 2 * HUGE_PAGE)
		return;
	/* The whole pages of the block, not only its aligned interior: a big
	 * block is a mapping of its own, and advice on all of it keeps it one
	 * mapping, which realloc can then still move (mremap) with its advice
	 * instead of copying it. */
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = (uintptr_t)p & ~(page - 1);
	uintptr_t hi = ((uintptr_t)p + n + page - 1) & ~(page - 1);
	(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
	(void)p;
	(void)n;
#endif
}

void *wp_alloc_dense(size_t n)
{
	void *p = NULL;
	if (n < HUGE_PAGE || posix_memalign(&p, HUGE_PAGE, n) != 0)
		return malloc(n ? n : 1);
#ifdef MADV_HUGEPAGE
	(void)madvise(p, n, MADV_HUGEPAGE); /* from an aligned start: every whole huge page */
#endif
	return p;
}
