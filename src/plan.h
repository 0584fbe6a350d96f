/*
 * plan.h: capacity planning: `ksim plan headroom|nodes|cost ...`.  Takes the
 * command line after "plan" and returns an exit status (0, 1, 2).
 */
#ifndef KS_PLAN_H
#define KS_PLAN_H

int	plan_main(int argc, char **argv);

#endif
