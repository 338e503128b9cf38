#pragma once
// A vector source with extra fields of one fixed value on every feature (a layer's add_fields):
// the rest of the import sees them as if the file had them (private to io/).
#include <map>
#include <memory>
#include <string>

#include "strata/io/vector_source.h"

namespace strata::io {

// Throws StrataError(kWrongInputParameters) when a name is already a field of the source.
std::unique_ptr<VectorSource> with_added_fields(std::unique_ptr<VectorSource> source,
                                                const std::map<std::string, std::string>& added);

}  // namespace strata::io
