#pragma once
// strata's one way of writing a file whole or not at all (outputs, exports, maps, the report, a
// new store): the content goes to a temporary file beside the target, renamed over it when
// complete. A failure, an exception or a kill leaves the previous file as it was.
//
// The temporary is `.writing-<pid>.<n>-<name>` in the target's folder: hidden, on the same file
// system (so the rename is atomic), and with the target's extension (GDAL's KML and DXF
// drivers, Open3D and Cairo pick a format by it). One that a killed process left behind is
// removed by the next write of the same target.
#include <filesystem>
#include <functional>
#include <ostream>

#include "strata/core/error.h"

namespace strata {

// Runs `write(temporary)`, then renames the temporary over `target` (creating its folder). An
// exception from `write` removes the temporary and is rethrown; a failed rename throws
// StrataError(`code`) naming the target.
void replace_file_atomically(const std::filesystem::path& target,
                             const std::function<void(const std::filesystem::path&)>& write,
                             ErrorCode code = ErrorCode::kStoreError);

// The same for text (or any bytes written to a stream); a stream that fails throws
// StrataError(`code`) naming the target.
void write_text_atomically(const std::filesystem::path& target,
                           const std::function<void(std::ostream&)>& write,
                           ErrorCode code = ErrorCode::kStoreError);

// Removes the temporaries of `target` whose process is gone (`.writing-<pid>[.<n>]-<name>`, the
// older `<name>.writing-<pid>...` and `<name>.creating-<pid>` forms); those of a live process,
// or of other targets, stay.
void remove_stale_temporaries(const std::filesystem::path& target);

}  // namespace strata
