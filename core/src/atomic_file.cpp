#include "strata/core/atomic_file.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

namespace strata {
namespace {

// The process id at the start of `digits`, or 0.
pid_t leading_pid(const std::string& digits) {
  std::size_t n = 0;
  while (n < digits.size() && n < 10 && digits[n] >= '0' && digits[n] <= '9') ++n;
  if (n == 0) return 0;
  return static_cast<pid_t>(std::strtol(digits.substr(0, n).c_str(), nullptr, 10));
}

bool process_gone(pid_t pid) {
  return pid > 0 && pid != getpid() && kill(pid, 0) == -1 && errno == ESRCH;
}

// `.writing-<pid>.<n>-<name>`: unique per write, also between threads of one process (two
// QGIS algorithms writing the same file at once each have their own temporary).
std::filesystem::path temporary_for(const std::filesystem::path& target) {
  static std::atomic<std::uint64_t> writes{0};
  return target.parent_path() / (".writing-" + std::to_string(getpid()) + "." +
                                 std::to_string(++writes) + "-" + target.filename().string());
}

}  // namespace

void remove_stale_temporaries(const std::filesystem::path& target) {
  std::error_code ec;
  const auto folder = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  const std::string name = target.filename().string();
  if (name.empty()) return;
  const std::string suffix_forms[] = {name + ".writing-", name + ".creating-"};
  const std::string prefix_form = ".writing-";
  for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string entry = it->path().filename().string();
    pid_t pid = 0;
    bool ours = false;
    for (const auto& form : suffix_forms)
      if (entry.rfind(form, 0) == 0) {
        pid = leading_pid(entry.substr(form.size()));
        ours = true;
      }
    if (!ours && entry.rfind(prefix_form, 0) == 0) {
      const std::string rest = entry.substr(prefix_form.size());
      const auto dash = rest.find('-');
      // The temporary, or a file SQLite keeps beside it (its -journal).
      if (dash == std::string::npos || rest.compare(dash + 1, name.size(), name) != 0) continue;
      pid = leading_pid(rest);
      ours = true;
    }
    if (!ours || !process_gone(pid)) continue;
    std::error_code ignored;
    std::filesystem::remove_all(it->path(), ignored);
  }
}

void replace_file_atomically(const std::filesystem::path& target,
                             const std::function<void(const std::filesystem::path&)>& write,
                             ErrorCode code) {
  std::error_code ec;
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path(), ec);
  if (ec) throw StrataError(code, target.string() + ": cannot create its folder: " + ec.message());
  remove_stale_temporaries(target);
  const std::filesystem::path temporary = temporary_for(target);
  std::filesystem::remove_all(temporary, ec);
  try {
    write(temporary);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove_all(temporary, ignored);
    throw;
  }
  std::filesystem::rename(temporary, target, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove_all(temporary, ignored);
    throw StrataError(code, target.string() + ": cannot be written (" + ec.message() + ")");
  }
}

void write_text_atomically(const std::filesystem::path& target,
                           const std::function<void(std::ostream&)>& write, ErrorCode code) {
  replace_file_atomically(
      target,
      [&](const std::filesystem::path& temporary) {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (out) write(out);
        out.close();
        if (!out) throw StrataError(code, target.string() + ": cannot be written");
      },
      code);
}

}  // namespace strata
