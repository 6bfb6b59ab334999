/* cli_inventory.h: the `chimera inventory` command. */
#ifndef UI_CLI_INVENTORY_H
#define UI_CLI_INVENTORY_H

/* Print the inventory of `root`; returns the exit status. */
int cli_inventory(const char *root, int json);

#endif
