#pragma once

// <qcustomplot.h> for a project built with QT_NO_KEYWORDS: the header declares its signals with `signals:` and
// iterates with `foreach`, so both are mapped to their Q_ spellings for the include only. Include this, never
// <qcustomplot.h> directly.

#ifndef signals
#define TRACEMAP_QCP_SIGNALS
#define signals Q_SIGNALS
#endif
#ifndef slots
#define TRACEMAP_QCP_SLOTS
#define slots Q_SLOTS
#endif
#ifndef foreach
#define TRACEMAP_QCP_FOREACH
#define foreach Q_FOREACH
#endif

#include <qcustomplot.h>

#ifdef TRACEMAP_QCP_SIGNALS
#undef signals
#undef TRACEMAP_QCP_SIGNALS
#endif
#ifdef TRACEMAP_QCP_SLOTS
#undef slots
#undef TRACEMAP_QCP_SLOTS
#endif
#ifdef TRACEMAP_QCP_FOREACH
#undef foreach
#undef TRACEMAP_QCP_FOREACH
#endif
