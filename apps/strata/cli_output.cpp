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
    case ErrorCode::kCancelled:  // only an engine client (Python) cancels; not a data problem
      return kExitInternal;
    case ErrorCode::kPluginLoad:
    case ErrorCode::kPluginFailed:
      return kExitExport;
    case ErrorCode::kRenderFailed:
      return kExitRender;
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

void emit_with_list(const GlobalOptions& g, const std::string& command, bool ok,
                    nlohmann::json result, const std::string& list_key, std::size_t count,
                    const std::function<nlohmann::json(std::size_t)>& item,
                    const std::string& text) {
  if (g.capture || !g.json) {
    if (g.capture) {
      nlohmann::json list = nlohmann::json::array();
      for (std::size_t i = 0; i < count; ++i) list.push_back(item(i));
      result[list_key] = std::move(list);
    }
    emit(g, command, ok, result, text);
    return;
  }
  // {"command", "ok", "result": {...the rest..., "<list_key>": [items]}}, streamed.
  const auto dump = [](const nlohmann::json& j, int indent) {
    return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  std::string head = dump(result, 2);
  head.pop_back();  // the closing brace: the list comes last
  while (!head.empty() && (head.back() == '\n' || head.back() == ' ')) head.pop_back();
  std::cout << "{\n\"command\": " << dump(command, -1) << ",\n\"ok\": " << (ok ? "true" : "false")
            << ",\n\"result\": " << head << (result.empty() ? "" : ",") << "\n\"" << list_key
            << "\": [";
  for (std::size_t i = 0; i < count; ++i) std::cout << (i ? ",\n" : "\n") << dump(item(i), -1);
  std::cout << "\n]}}" << std::endl;
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
