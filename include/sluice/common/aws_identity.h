// Where sluice pretends to live in AWS: the account and region that fill events' `account` and
// `region` and the ARNs sluice makes.
#pragma once

#include <string>

namespace sluice {

struct AwsIdentity {
  std::string account_id = "000000000000";
  std::string region = "us-east-1";
};

}  // namespace sluice
