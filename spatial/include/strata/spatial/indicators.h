#pragma once
// Urban indicators per district and city-wide, from the project store (ISO 37120:2018 21.1
// green area per 100 000 population; permeable paving area, share and progress against a
// target). Definitions and formulas: docs/indicators.md.
#include "strata/io/indicator_table.h"
#include "strata/io/project_file.h"
#include "strata/io/store.h"

namespace strata::spatial {

struct IndicatorOptions {
  int threads = 0;  // 0 = every hardware thread
};

// Reads the layers `spec` names from the store and computes every indicator they allow: green
// columns when green layers are named, paving columns when paving layers are. Problems with the
// input that leave the values computable (overlapping districts, layers reaching outside the
// districts, missing population) become warnings (955-957) in the table.
io::IndicatorTable compute_indicators(io::Store& store, const io::IndicatorSpec& spec,
                                      const IndicatorOptions& options = {});

}  // namespace strata::spatial
