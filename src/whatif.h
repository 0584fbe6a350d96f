/*
 * whatif.h: the what-if commands: compare, sweep, merge.  Each takes the
 * command line after its name and returns an exit status (0, 1, 2).
 */
#ifndef KS_WHATIF_H
#define KS_WHATIF_H

int	whatif_main(const char *cmd, int argc, char **argv);

#endif
