/* cli_report.h: the `chimera report` command. */
#ifndef UI_CLI_REPORT_H
#define UI_CLI_REPORT_H

struct app_options;

/* Run the workflow `runs` times on o->root; returns the exit status (0: every call
 * complete and saved). */
int cli_report(const struct app_options *o, int runs, int stream);

#endif
