#pragma once
// What a job hands back to whoever called it (the command line, a project run, Python): its
// result document, a few readable lines, and a long list (100,000s of findings) that can be
// written item by item instead of being built as one JSON tree.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "strata/core/error.h"

namespace strata::engine {

struct JobResult {
  JobResult() = default;
  JobResult(std::string command_name, nlohmann::json result_document, std::string text_lines)
      : command(std::move(command_name)),
        result(std::move(result_document)),
        text(std::move(text_lines)) {}

  std::string command;    // "pipes clearance", as the command line names it
  nlohmann::json result;  // without the long list
  std::string text;       // readable lines, the first one the headline
  std::string list_key;   // the long list's key in the full document; "" = none
  std::size_t list_size = 0;
  std::function<nlohmann::json(std::size_t)> list_item;
  bool warnings = false;  // something was left out or read around (--strict fails the job)
  bool findings = false;  // the job's checks found problems (a validation's "invalid")
  // The job ran but could not do all it was asked (a file it could not read): the result says
  // what ("ok": false), the code is the first problem's.
  std::optional<ErrorCode> failure;
  bool nothing_found = false;  // a query that nothing answers (exit 1 on the command line)

  // The result with the list built in (for files, Python and small results).
  nlohmann::json full() const {
    nlohmann::json out = result;
    if (!list_key.empty()) {
      nlohmann::json list = nlohmann::json::array();
      for (std::size_t i = 0; i < list_size; ++i) list.push_back(list_item(i));
      out[list_key] = std::move(list);
    }
    return out;
  }
};

}  // namespace strata::engine
