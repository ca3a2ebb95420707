package io.secretsdk.spi;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.RunEnvironment;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class FetchContextTest {
  @Test
  void of_isAMiss_asRefreshMarksACopyWithEverythingElseKept() {
    FetchContext miss = FetchContext.of(RunEnvironment.CI, "runner", "corr-1", Set.of("owner"));
    FetchContext refresh = miss.asRefresh();

    assertThat(miss.isRefresh()).isFalse();
    assertThat(FetchContext.of(RunEnvironment.LOCAL).isRefresh()).isFalse();
    assertThat(refresh.isRefresh()).isTrue();
    assertThat(refresh.asRefresh()).isSameAs(refresh);
    assertThat(refresh.environment()).isEqualTo(RunEnvironment.CI);
    assertThat(refresh.principal()).contains("runner");
    assertThat(refresh.correlationId()).contains("corr-1");
    assertThat(refresh.requiredMetadata()).containsExactly("owner");
    assertThat(refresh.toString()).endsWith(", refresh]");
    assertThat(miss.toString()).doesNotContain("refresh");
  }
}
