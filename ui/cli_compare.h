/* cli_compare.h: the `chimera compare` command. */
#ifndef UI_CLI_COMPARE_H
#define UI_CLI_COMPARE_H

/* Compare run folders a (baseline) and b; Markdown or JSON on standard output. Returns the
 * exit status. */
int cli_compare(const char *a, const char *b, int json);

#endif
