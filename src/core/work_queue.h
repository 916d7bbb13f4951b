// RunWorkQueue: a fixed set of workers draining one list of units of work,
// stopping at the first error. The one "parallel for" of the project: the
// copy's (table, slice) units and the sinks' post-data statements run on it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/status.h"

namespace decant {

// The order in which RunWorkQueue hands out units of these sizes: largest
// first; units of equal size keep their list order, and units of unknown size
// (0) come after every unit of known size, in their list order.
std::vector<size_t> LargestFirst(const std::vector<uint64_t>& sizes);

// Runs `run(worker, unit)` once for each unit 0..count-1 on up to `workers`
// threads (capped at `count`; 0 counts as 1). The calling thread is worker 0;
// the others are started here and joined before RunWorkQueue returns, so
// nothing of the queue outlives the call.
//
// Units are handed out one at a time, each to the next worker that is free:
// in index order, or, when `sizes` is not empty (it must then hold `count`
// entries, a unit's estimated size), in LargestFirst(sizes) order.
//
// The first unit whose run returns an error stops the queue: no unit is
// handed out after that error was returned; units already running finish.
// RunWorkQueue returns that first error (the first in time, not in order),
// or OK when every unit succeeded (and for count == 0).
//
// `worker` is in [0, workers): runs on one worker never overlap, so per-worker
// state kept in a vector indexed by it (a connection) needs no lock. `run` is
// called from several threads at once; whatever else it shares it guards.
Status RunWorkQueue(size_t count, size_t workers, const std::function<Status(size_t worker, size_t unit)>& run,
                    const std::vector<uint64_t>& sizes = {});

}  // namespace decant
