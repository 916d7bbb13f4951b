// Ctrl-C and SIGTERM: long operations stop between batches, abort their sink
// (removing a .partial file or rolling back), and report one line.
#pragma once

#include "core/status.h"

namespace decant {

// Installs SIGINT/SIGTERM handlers that only set a flag. A second signal
// kills the process the ordinary way.
void InstallInterruptHandlers();

// Non-OK (Cancelled, naming the signal) once a signal arrived.
Status CheckInterrupted();

// The signal that interrupted us (SIGINT or SIGTERM), or 0.
int InterruptSignal();

}  // namespace decant
