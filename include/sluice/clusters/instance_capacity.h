// What an EC2 instance type offers a step: vCPUs and memory, told from its name the way EC2 names
// sizes (large = 2 vCPUs, xlarge = 4, Nxlarge = 4N; metal counts as 96) and families (c: 2 GiB
// per vCPU, m: 4, r: 8, x: 16, others 4). A sql step's engine is capped to its master node's
// capacity, and never to more than this machine has.
#pragma once

#include <string_view>

namespace sluice::clusters {

struct InstanceCapacity {
  int vcpus = 4;
  double memory_gib = 16;
};

InstanceCapacity CapacityOf(std::string_view instance_type);

// `capacity` reduced to what this machine has: its cores, and 80% of its memory.
InstanceCapacity LimitToThisMachine(InstanceCapacity capacity);

}  // namespace sluice::clusters
