// What the local provider needs on this machine for each EMR application a template names.
#pragma once

#include <string>
#include <vector>

#include "sluice/common/status.h"

namespace sluice::clusters {

// Checks that every application can run here; the error names the first that cannot and what it
// needs (e.g. "Spark needs spark-submit on the PATH or SPARK_HOME set").
Status CheckApplications(const std::vector<std::string>& applications);

}  // namespace sluice::clusters
