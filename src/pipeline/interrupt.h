// Ctrl-C and SIGTERM: long operations stop between batches, abort their sink
// (removing a .partial file or rolling back), and report one line.
#pragma once

#include "core/status.h"

namespace decant {

// Installs SIGINT/SIGTERM handlers that only set a flag, without SA_RESTART
// (a read waiting on stdin returns; io/file_system.h makes that Cancelled).
// A second SIGINT or SIGTERM kills the process the ordinary way. SIGPIPE (the
// reader of stdout went away) sets the flag too, every time.
void InstallInterruptHandlers();

// Non-OK (Cancelled, naming the signal) once a signal arrived.
Status CheckInterrupted();

// The signal that interrupted us (SIGINT, SIGTERM or SIGPIPE), or 0.
int InterruptSignal();

}  // namespace decant
