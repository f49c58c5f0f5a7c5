package dev.vigil.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.junit.jupiter.api.Test;

/**
 * Submitted with flink run, the job leaves the cluster's addresses, memory and parallelism to
 * the cluster; run locally, it configures its MiniCluster.
 */
class ProfileJobSubmissionTest {
  @Test
  void aClientTargetingAClusterIsASubmissionAndALocalRunIsNot() {
    var remote = new Configuration();
    remote.set(DeploymentOptions.TARGET, "remote");
    assertThat(ProfileJob.submitted(remote)).isTrue();
    var local = new Configuration();
    assertThat(ProfileJob.submitted(local)).isFalse();
    local.set(DeploymentOptions.TARGET, "local");
    assertThat(ProfileJob.submitted(local)).isFalse();
    // run here, with no client around it: a local run
    assertThat(ProfileJob.submitted(ProfileJob.client())).isFalse();
  }

  @Test
  void whatALocalMiniClusterIsGivenIsWhatASubmissionLeavesOut() {
    Configuration conf = ProfileJob.configuration(JobSettings.defaults("localhost:9092",
        "file:///tmp/checkpoints").withParallelism(3));
    for (String key : ProfileJob.LOCAL_CLUSTER_KEYS) {
      assertThat(conf.keySet()).as("set for a MiniCluster: %s", key).contains(key);
    }
    // everything else the job sets is the job's own (state backend, checkpoints, restarts)
    assertThat(conf.keySet()).contains("state.backend.type", "execution.checkpointing.dir",
        "restart-strategy.type");
    assertThat(ProfileJob.LOCAL_CLUSTER_KEYS).doesNotContain("state.backend.type",
        "execution.checkpointing.dir", "execution.checkpointing.interval");
  }
}
