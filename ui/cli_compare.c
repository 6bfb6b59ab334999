/* cli_compare.c: `chimera compare RUN_A RUN_B [--json]`. */
#include <stdio.h>
#include <stdlib.h>

#include "cli_compare.h"
#include "compare.h"

int cli_compare(const char *a, const char *b, int json)
{
    struct run_summary ra, rb;
    struct err err;
    char *text;
    int rc = 0;

    if (run_summary_load(a, &ra, &err) < 0) {
        fprintf(stderr, "chimera: %s\n", err.msg);
        return 1;
    }
    if (run_summary_load(b, &rb, &err) < 0) {
        fprintf(stderr, "chimera: %s\n", err.msg);
        run_summary_fini(&ra);
        return 1;
    }
    text = json ? compare_json(&ra, &rb) : compare_markdown(&ra, &rb);
    fputs(text, stdout);
    if (fflush(stdout) != 0) {
        perror("chimera: writing the comparison");
        rc = 1;
    }
    free(text);
    run_summary_fini(&ra);
    run_summary_fini(&rb);
    return rc;
}
