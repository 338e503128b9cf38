#include "strata/core/library_versions.h"

#include <proj.h>

#include <boost/version.hpp>

namespace strata {

std::string proj_version() { return proj_info().release; }

std::string boost_version() {
  return std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) +
         "." + std::to_string(BOOST_VERSION % 100);
}

}  // namespace strata
