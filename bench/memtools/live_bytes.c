// LD_PRELOAD shim: every 10 ms writes RSS, live malloc bytes (malloc_usable_size of everything allocated and not
// freed) and the peak of live bytes since the last line to /tmp/live.<pid>: RSS minus live bytes is what the
// allocator keeps resident beyond what is in use (plus file-backed and JVM memory). Build: gcc -O2 -shared -fPIC -o
// live_bytes.so live_bytes.c -lpthread. Run: LIVE=1 LD_PRELOAD=$PWD/live_bytes.so bin/rho bench generate
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
extern void *__libc_malloc(size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
static atomic_long live = 0, peak = 0;
static void add(void *p) {
    if (!p) return;
    long n = atomic_fetch_add(&live, (long)malloc_usable_size(p)) + (long)malloc_usable_size(p), pk = atomic_load(&peak);
    while (n > pk && !atomic_compare_exchange_weak(&peak, &pk, n)) {}
}
static void sub(void *p) { if (p) atomic_fetch_sub(&live, (long)malloc_usable_size(p)); }
void *malloc(size_t s) { void *p = __libc_malloc(s); add(p); return p; }
void *calloc(size_t a, size_t b) { void *p = __libc_calloc(a, b); add(p); return p; }
void *realloc(void *q, size_t s) { sub(q); void *p = __libc_realloc(q, s); if (p) add(p); else if (q) add(q); return p; }
int posix_memalign(void **o, size_t al, size_t s) { void *p = __libc_memalign(al, s); if (!p) return 12; *o = p; add(p); return 0; }
void *memalign(size_t al, size_t s) { void *p = __libc_memalign(al, s); add(p); return p; }
void *aligned_alloc(size_t al, size_t s) { void *p = __libc_memalign(al, s); add(p); return p; }
void free(void *p) { sub(p); __libc_free(p); }
static void *loop(void *a) {
    char fn[256];
    snprintf(fn, sizeof fn, "/tmp/live.%d", getpid());
    FILE *f = fopen(fn, "w");
    if (!f) return 0;
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        long rss = 0, x, y;
        FILE *s = fopen("/proc/self/statm", "r");
        if (s && fscanf(s, "%ld %ld", &x, &y) == 2) rss = y * 4096;
        if (s) fclose(s);
        fprintf(f, "%.3f rss_mb=%ld live_mb=%ld peak_live_mb=%ld\n", (t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9,
                rss >> 20, atomic_load(&live) >> 20, atomic_load(&peak) >> 20);
        fflush(f);
        atomic_store(&peak, atomic_load(&live));
        usleep(10000);
    }
}
__attribute__((constructor)) static void init(void) {
    if (!getenv("LIVE")) return;
    pthread_t t;
    pthread_create(&t, 0, loop, 0);
}
