#pragma once
// How a running job talks to whoever started it: stages, progress, notes, and a way to stop it.
// The command line prints them on stderr; Python calls back; a server streams them.
#include <cstdint>
#include <string>

#include "strata/io/layer_import.h"

namespace strata::engine {

class Observer {
 public:
  virtual ~Observer() = default;
  // A stage of a project run starts ("import", an analysis's name, "outputs", ...).
  virtual void stage(int /*number*/, int /*of*/, const std::string& /*name*/) {}
  // Progress within a step; `total` is -1 when unknown.
  virtual void progress(const std::string& /*step*/, std::int64_t /*done*/,
                        std::int64_t /*total*/) {}
  // A line worth showing while it runs (a map drawn, a view rendered).
  virtual void note(const std::string& /*line*/) {}
  // Checked between stages and steps: a run that is asked to stop throws StrataError (990
  // CANCELLED) at the next check and leaves the store as it was before the stage.
  virtual bool cancelled() const { return false; }

  // The progress callback of the io layer, forwarding to progress().
  io::ProgressFn progress_fn() {
    return [this](const std::string& step, std::int64_t done, std::int64_t total) {
      progress(step, done, total);
    };
  }
};

// An observer that says nothing and never cancels.
inline Observer& silent_observer() {
  static Observer quiet;
  return quiet;
}

}  // namespace strata::engine
