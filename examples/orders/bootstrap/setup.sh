#!/bin/sh
# Bootstrap action of the orders-etl cluster: runs on every node (master and core) before the
# cluster takes steps, in the node's own folder, as EMR runs bootstrap actions. It records what
# the node is (its stdout is archived under the cluster's log_uri) and checks that the node can
# read the lake; a non-zero exit fails the cluster with BOOTSTRAP_FAILURE.
set -eu
sluice ls s3://lake/ > /dev/null
echo "node $SLUICE_NODE_ID ($SLUICE_NODE_ROLE, $SLUICE_INSTANCE_TYPE) of $SLUICE_CLUSTER_ID is ready"
