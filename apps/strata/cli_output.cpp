#include "cli_output.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace strata::cli {

int exit_code_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::kProjectFile:
      return kExitProjectFile;
    case ErrorCode::kWrongInputParameters:
      return kExitUsage;
    case ErrorCode::kStoreError:
    case ErrorCode::kStoreLocked:
      return kExitStore;
    case ErrorCode::kInternal:
      return kExitInternal;
    default:
      return kExitInputData;
  }
}

void emit(const GlobalOptions& g, const std::string& command, bool ok, const nlohmann::json& result,
          const std::string& text) {
  if (g.capture) {
    g.capture(result, text);
    return;
  }
  if (g.json) {
    nlohmann::json doc = {{"command", command}, {"ok", ok}, {"result", result}};
    std::cout << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
  } else if (!text.empty()) {
    std::cout << text << std::flush;
  }
}

int emit_error(const GlobalOptions& g, const std::string& command, const StrataError& e) {
  int exit = exit_code_for(e.code());
  if (g.json) {
    nlohmann::json doc = {{"command", command},
                          {"ok", false},
                          {"error",
                           {{"code", static_cast<int>(e.code())},
                            {"code_name", error_name(e.code())},
                            {"message", e.what()},
                            {"exit_code", exit}}}};
    std::cout << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
  }
  std::cerr << "strata" << (command.empty() ? "" : " " + command) << ": error "
            << static_cast<int>(e.code()) << " " << error_name(e.code()) << ": " << e.what()
            << std::endl;
  return exit;
}

io::ProgressFn progress_printer(const GlobalOptions& g) {
  if (g.quiet) return {};
  const bool tty = isatty(STDERR_FILENO) != 0;
  return [tty](const std::string& stage, std::int64_t done, std::int64_t total) {
    if (tty) {
      std::fprintf(stderr, "\r  %s: %lld/%lld   ", stage.c_str(), static_cast<long long>(done),
                   static_cast<long long>(total));
      if (done == total) std::fprintf(stderr, "\n");
    } else {
      std::fprintf(stderr, "progress: %s %lld/%lld\n", stage.c_str(), static_cast<long long>(done),
                   static_cast<long long>(total));
    }
    std::fflush(stderr);
  };
}

std::string strata_version() { return STRATA_VERSION; }

}  // namespace strata::cli
