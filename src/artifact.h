/* artifact.h: what kind of benchmark artifact a file name denotes. */
#ifndef SRC_ARTIFACT_H
#define SRC_ARTIFACT_H

#include <stddef.h>

enum artifact_kind {
    ART_NONE,     /* not an artifact */
    ART_CSV,
    ART_JSON,
    ART_MARKDOWN
};

/* By extension, ASCII case-insensitive: .csv, .json, .md. */
enum artifact_kind artifact_kind_of(const char *name);
/* "csv", "json", "markdown" (the data summary's labels, lower-case), "other". */
const char *artifact_label(enum artifact_kind k);
/* Short tag for narrow columns: "csv", "json", "md", "". */
const char *artifact_tag(enum artifact_kind k);

#endif
