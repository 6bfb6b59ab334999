/* artifact.c: artifact kinds from file names. */
#include "artifact.h"

#include <string.h>
#include <strings.h>

enum artifact_kind artifact_kind_of(const char *name)
{
    const char *dot = strrchr(name, '.');

    /* ".json" alone is a hidden file without an extension, as Rust's Path sees it */
    if (dot == NULL || dot == name)
        return ART_NONE;
    dot++;
    if (strcasecmp(dot, "csv") == 0)
        return ART_CSV;
    if (strcasecmp(dot, "json") == 0)
        return ART_JSON;
    if (strcasecmp(dot, "md") == 0)
        return ART_MARKDOWN;
    return ART_NONE;
}

const char *artifact_label(enum artifact_kind k)
{
    switch (k) {
    case ART_CSV:
        return "csv";
    case ART_JSON:
        return "json";
    case ART_MARKDOWN:
        return "markdown";
    case ART_NONE:
        break;
    }
    return "other";
}

const char *artifact_tag(enum artifact_kind k)
{
    switch (k) {
    case ART_CSV:
        return "csv";
    case ART_JSON:
        return "json";
    case ART_MARKDOWN:
        return "md";
    case ART_NONE:
        break;
    }
    return "";
}
