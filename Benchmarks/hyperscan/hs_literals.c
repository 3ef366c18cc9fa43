// Multi-literal matching with Debian's libhyperscan (5.4), for BENCHMARKS.md: the same literals
// and values as spoor's own Aho-Corasick automaton (SpoorRules' LiteralAutomaton), measured in
// CPU time. Every occurrence of every literal is reported, case-insensitively (HS_FLAG_CASELESS,
// ASCII), as spoor's engine needs them.
//
// Build and run: gcc -O2 -o hs_literals hs_literals.c -lhs && ./hs_literals literals.txt values.txt REPEAT
// literals.txt / values.txt: one item per line, with \n, \r and \\ escaped as in C.
#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static size_t unescape(char *s) {
    size_t w = 0;
    for (size_t r = 0; s[r]; r++) {
        if (s[r] == '\\' && s[r + 1]) {
            r++;
            s[w++] = s[r] == 'n' ? '\n' : s[r] == 'r' ? '\r' : s[r] == '0' ? '\0' : s[r];
        } else s[w++] = s[r];
    }
    return w;
}

static char **read_lines(const char *path, size_t **lens, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(1); }
    size_t cap = 1024; char **out = malloc(cap * sizeof *out); *lens = malloc(cap * sizeof **lens); *n = 0;
    char *line = NULL; size_t lcap = 0; ssize_t got;
    while ((got = getline(&line, &lcap, f)) > 0) {
        if (line[got - 1] == '\n') line[--got] = 0;
        if (*n == cap) { cap *= 2; out = realloc(out, cap * sizeof *out); *lens = realloc(*lens, cap * sizeof **lens); }
        out[*n] = strdup(line); (*lens)[*n] = unescape(out[*n]); (*n)++;
    }
    free(line); fclose(f);
    return out;
}

static int on_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags, void *ctx) {
    (void)id; (void)from; (void)to; (void)flags;
    (*(unsigned long long *)ctx)++;
    return 0;
}

static double cpu(void) { return (double)clock() / CLOCKS_PER_SEC; }

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: %s literals.txt values.txt repeat\n", argv[0]); return 2; }
    size_t nl, nv, *ll, *vl;
    char **lits = read_lines(argv[1], &ll, &nl), **vals = read_lines(argv[2], &vl, &nv);
    int repeat = atoi(argv[3]);
    unsigned *flags = malloc(nl * sizeof *flags), *ids = malloc(nl * sizeof *ids);
    for (size_t i = 0; i < nl; i++) { flags[i] = HS_FLAG_CASELESS; ids[i] = (unsigned)i; }
    hs_database_t *db; hs_compile_error_t *err;
    double t0 = cpu();
    if (hs_compile_lit_multi((const char *const *)lits, flags, ids, ll, (unsigned)nl, HS_MODE_BLOCK, NULL, &db, &err) != HS_SUCCESS) {
        fprintf(stderr, "compile: %s\n", err->message); return 1;
    }
    double compile = cpu() - t0;
    hs_scratch_t *scratch = NULL;
    hs_alloc_scratch(db, &scratch);
    unsigned long long matches = 0, bytes = 0;
    t0 = cpu();
    for (int k = 0; k < repeat; k++)
        for (size_t i = 0; i < nv; i++) { hs_scan(db, vals[i], (unsigned)vl[i], 0, scratch, on_match, &matches); bytes += vl[i]; }
    double scan = cpu() - t0;
    printf("{\"literals\": %zu, \"values\": %zu, \"repeat\": %d, \"bytes\": %llu, \"matches\": %llu, \"compile_cpu_s\": %.4f, \"scan_cpu_s\": %.4f}\n",
           nl, nv, repeat, bytes, matches, compile, scan);
    return 0;
}
