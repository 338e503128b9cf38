#pragma once
// Outputs are written to a temporary next to the target and renamed into place, so that a failure
// or a kill leaves the previous file. A kill leaves the temporary itself behind, though: these
// names carry the writer's process id, and the next write to the same target removes those whose
// process is gone.
#include <filesystem>

namespace strata::io {

// Removes "<target>.writing-<pid>..." and ".writing-<pid>-<target name>..." beside `target`
// (with SQLite's -journal / -wal companions) whose process no longer runs. Never throws.
void remove_stale_temporaries(const std::filesystem::path& target);

}  // namespace strata::io
