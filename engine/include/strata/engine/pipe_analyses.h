#pragma once
// The pipe analyses (docs/pipes.md) in one registry, like the export writers': each is a kind
// ("clearance"), a dotted name, a summary, a doc link, an options struct with its schema and a
// run function. `strata pipes <kind>`, a project's [[pipes.analyses]], Python and QGIS all find
// them here. Adding an analysis: its file in engine/src/pipes/ and one line in
// engine/src/pipes/pipe_analyses.cpp.
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "strata/engine/job_result.h"
#include "strata/engine/option_schema.h"
#include "strata/engine/pipe_inputs.h"

namespace strata::engine {

// What every pipe analysis takes besides its own options.
struct PipeJobInputs {
  std::vector<NetworkOptions> networks;
  PipeSettings settings;
  std::string gpkg;  // write the findings into this GeoPackage; "" = none
};

enum class NetworkCount { kOne, kOneOrTwo, kOneOrMore };

// One analysis with its options, ready to run.
class PipeJob {
 public:
  virtual ~PipeJob() = default;
  virtual PipeJobInputs& inputs() = 0;
  // Sets one of the analysis's own options (its schema name, with `_` or `-`); throws
  // StrataError(903) for an unknown option or a bad value.
  virtual void set(const std::string& key, const std::string& value) = 0;
  virtual bool knows(const std::string& key) const = 0;
  // Reads what it needs (through `cache` when given: a project's analyses share one read of
  // each network) and runs. Throws StrataError.
  virtual JobResult run(InputCache* cache = nullptr) const = 0;
};

struct PipeAnalysis {
  std::string kind;     // "clearance": `strata pipes clearance`, kind = "clearance"
  std::string name;     // "pipes.clearance"
  std::string summary;  // one line
  std::string doc;      // "docs/pipes.md#clearance"
  NetworkCount networks = NetworkCount::kOneOrMore;
  bool ground = true;               // takes --dem and --ground-z
  std::string gpkg_help;            // what --gpkg writes
  std::vector<OptionInfo> options;  // its own options, in the order of its help
  std::function<std::unique_ptr<PipeJob>()> make;
};

const std::vector<PipeAnalysis>& pipe_analyses();
// Null for an unknown kind.
const PipeAnalysis* find_pipe_analysis(const std::string& kind);

// For the analysis files: a registry entry from an options struct (derived from
// PipeJobInputs), its schema and its run function.
template <class Options>
using PipeRunFn = JobResult (*)(const Options&, InputCache*);

template <class Options>
class PipeJobOf final : public PipeJob {
 public:
  PipeJobOf(std::shared_ptr<const OptionSchema<Options>> schema, PipeRunFn<Options> run_fn)
      : schema_(std::move(schema)), run_(run_fn) {}
  PipeJobInputs& inputs() override { return options_; }
  void set(const std::string& key, const std::string& value) override {
    const auto* spec = find_option(*schema_, key);
    if (!spec) throw StrataError(ErrorCode::kWrongInputParameters, "unknown option --" + key);
    spec->set(options_, value);
    given_.insert(spec->name);
  }
  bool knows(const std::string& key) const override { return find_option(*schema_, key); }
  JobResult run(InputCache* cache) const override {
    for (const auto& spec : *schema_)
      if (spec.required && !given_.count(spec.name))
        throw StrataError(ErrorCode::kWrongInputParameters, "--" + spec.name + " is required");
    return run_(options_, cache);
  }

 private:
  std::shared_ptr<const OptionSchema<Options>> schema_;
  PipeRunFn<Options> run_;
  Options options_;
  std::set<std::string> given_;
};

// What an analysis file says about itself (give every field: designated initialisers).
struct PipeAnalysisHeader {
  std::string kind, summary;
  NetworkCount networks;
  bool ground;
  std::string gpkg_help;
};

template <class Options>
PipeAnalysis make_pipe_analysis(const PipeAnalysisHeader& header, OptionSchema<Options> schema,
                                PipeRunFn<Options> run) {
  PipeAnalysis info;
  info.kind = header.kind;
  info.summary = header.summary;
  info.networks = header.networks;
  info.ground = header.ground;
  info.gpkg_help = header.gpkg_help;
  info.name = "pipes." + info.kind;
  info.doc = "docs/pipes.md#" + info.kind;
  info.options = describe(schema);
  auto shared = std::make_shared<const OptionSchema<Options>>(std::move(schema));
  info.make = [shared, run]() -> std::unique_ptr<PipeJob> {
    return std::make_unique<PipeJobOf<Options>>(shared, run);
  };
  return info;
}

}  // namespace strata::engine
