/*
 * series.h: compatibility header.  The CSV and SVG outputs and their time
 * series are now in src/report/ (csv.c, svg.c, series.c), declared in
 * report/report.h; delete this file when nothing includes it.
 */
#ifndef KS_SERIES_H
#define KS_SERIES_H

#include "report/report.h"

#endif
