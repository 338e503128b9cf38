#include "strata/engine/version.h"

namespace strata::engine {

std::string version() { return STRATA_VERSION; }

}  // namespace strata::engine
