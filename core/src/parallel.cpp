#include "strata/core/parallel.h"

#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <optional>

namespace strata {

unsigned worker_count(unsigned requested, std::size_t n) {
  // tbb::info::default_concurrency() counts the cores of this process's affinity mask and
  // cgroup quota, not the machine's (a CI container may have 2 of 64).
  const unsigned cores = static_cast<unsigned>(std::max(1, tbb::info::default_concurrency()));
  const unsigned wanted = requested > 0 ? requested : cores;
  return static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(wanted, n)));
}

void parallel_for(std::size_t n, unsigned workers,
                  const std::function<void(unsigned worker, std::size_t i)>& body) {
  if (n == 0) return;
  // TBB's workers get 4 MB stacks; the std::threads they replace had the process's 8 MB, which
  // deep CGAL and GEOS recursions (validation, overlays) may need. Set once, for the process.
  static const tbb::global_control stack(tbb::global_control::thread_stack_size,
                                         std::size_t{8} << 20);
  workers = std::max(1u, workers);
  if (workers == 1) {  // no pool: the caller's thread, in order (and debuggable)
    for (std::size_t i = 0; i < n; ++i) body(0, i);
    return;
  }
  // More workers than cores (`--threads 8` on 2 cores) must be allowed explicitly: otherwise
  // TBB caps the arena and prints a warning on stderr, which would spoil --json output.
  std::optional<tbb::global_control> allow;
  if (static_cast<int>(workers) > tbb::info::default_concurrency())
    allow.emplace(tbb::global_control::max_allowed_parallelism, workers);
  // An arena of `workers` slots: the slot index names the worker (one thread at a time holds a
  // slot). One slot is the calling thread's (it works too, inside execute), so the arena asks
  // TBB for workers - 1 threads, within TBB's limit of cores - 1.
  tbb::task_arena arena(static_cast<int>(workers), 1);
  arena.execute([&] {
    tbb::parallel_for(
        tbb::blocked_range<std::size_t>(0, n, 1),
        [&](const tbb::blocked_range<std::size_t>& range) {
          const auto worker = static_cast<unsigned>(tbb::this_task_arena::current_thread_index());
          for (std::size_t i = range.begin(); i != range.end(); ++i) body(worker, i);
        },
        tbb::simple_partitioner());
  });
}

}  // namespace strata
