/* cli_inventory.c: `chimera inventory [DIR] [--json]`: steps 1-3 of the workflow on
 * standard output, no terminal needed. The text form is the data summary exactly as the
 * analysis prompt gets it, then the harvested metrics block; files left out are warned
 * about on standard error. */
#include <stdio.h>
#include <stdlib.h>

#include "cli_inventory.h"
#include "inventory.h"

int cli_inventory(const char *root, int json)
{
    struct err err;
    struct inventory *inv = inventory_run(root, NULL, 0, &err);
    char *text;

    if (inv == NULL) {
        fprintf(stderr, "chimera: %s\n", err.msg);
        return 1;
    }
    for (size_t i = 0; i < inv->nfiles; i++)
        if (!inv->files[i].ok)
            fprintf(stderr, "chimera: warning: %s left out: %s\n", inv->files[i].path,
                    inv->files[i].problem);
    for (size_t i = 0; i < inv->nfolder_errors; i++)
        fprintf(stderr, "chimera: warning: cannot read folder %s\n", inv->folder_errors[i]);
    if (json) {
        text = inventory_to_json(inv);
        fputs(text, stdout);
    } else {
        char *metrics = harvest_to_json(&inv->metrics);

        text = inventory_data_summary(inv);
        fputs(text, stdout);
        printf("Harvested metrics:\n%s\n", metrics);
        free(metrics);
    }
    free(text);
    inventory_free(inv);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("chimera: writing the inventory");
        return 1;
    }
    return 0;
}
