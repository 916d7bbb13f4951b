// Exit codes of the decant command (documented in docs/cli.md).
#pragma once

#include "core/status.h"

namespace decant {

enum ExitCode : int {
  kExitOk = 0,
  kExitDifferent = 1,      // verify: the two sides differ
  kExitUsage = 2,          // bad command line, bad URI or option
  kExitCorrupt = 3,        // archive damaged, truncated or not an archive
  kExitNewerFormat = 4,    // archive written by a newer format version
  kExitPrecondition = 5,   // target not empty, or another precondition failed
  kExitUnavailable = 6,    // cannot reach or lost a database server
  kExitIO = 7,             // local I/O error, missing file, no space
  kExitDataLoss = 8,       // a value the target cannot hold exactly
  kExitNotCarried = 9,     // complete, with objects not carried (the summary lists them)
  kExitStrictObj = 10,     // --strict-objects: an object would not be carried, or the target refused one
  kExitRefused = 11,       // the target refused the DDL of a table, key or foreign key; the sink was aborted
  kExitInternal = 70,      // a bug in decant
  kExitInterrupted = 130,  // SIGINT (Ctrl-C); the sink was aborted
  kExitBrokenPipe = 141,   // SIGPIPE: the reader of stdout went away; the sink was aborted, nothing printed
  kExitTerminated = 143,   // SIGTERM; the sink was aborted
};

// The exit code of a failed `status`; once a signal arrived (InterruptSignal),
// whatever failed failed because of it: 130, 141 or 143.
int ExitCodeFor(const Status& status);

}  // namespace decant
