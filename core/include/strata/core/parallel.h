#pragma once
// strata's one way of running work on several cores: oneTBB's work-stealing pool (Debian's
// libtbb), behind a function that knows nothing of TBB. Every parallel loop of strata (import
// pre-checks, 3D validation, clearance, excavation, the zonal overlays) goes through it.
#include <cstddef>
#include <functional>

namespace strata {

// How many workers a loop of `n` items runs on: `requested` (0 = one per core that this process
// may use), never more than `n`, at least 1.
unsigned worker_count(unsigned requested, std::size_t n);

// Runs body(worker, i) for every i in [0, n), items taken one at a time as workers free up (the
// items' costs vary a lot: a city block against a tower), on at most `workers` workers.
// `worker` is in [0, workers) and no two calls with the same `worker` run at once, so state kept
// per worker (a GEOS context, a list of results) needs no lock. The first exception cancels the
// items not yet started and is rethrown here, once the running ones have finished.
void parallel_for(std::size_t n, unsigned workers,
                  const std::function<void(unsigned worker, std::size_t i)>& body);

}  // namespace strata
