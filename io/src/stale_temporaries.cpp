#include "strata/io/stale_temporaries.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

namespace strata::io {
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

}  // namespace

void remove_stale_temporaries(const std::filesystem::path& target) {
  std::error_code ec;
  const auto folder = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  const std::string name = target.filename().string();
  if (name.empty()) return;
  const std::string suffix_form = name + ".writing-", prefix_form = ".writing-";
  for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string entry = it->path().filename().string();
    pid_t pid = 0;
    if (entry.rfind(suffix_form, 0) == 0) {
      pid = leading_pid(entry.substr(suffix_form.size()));
    } else if (entry.rfind(prefix_form, 0) == 0) {
      const std::string rest = entry.substr(prefix_form.size());
      const auto dash = rest.find('-');
      if (dash == std::string::npos || rest.compare(dash + 1, name.size(), name) != 0) continue;
      pid = leading_pid(rest);
    } else {
      continue;
    }
    if (!process_gone(pid)) continue;
    std::error_code ignored;
    std::filesystem::remove_all(it->path(), ignored);
  }
}

}  // namespace strata::io
