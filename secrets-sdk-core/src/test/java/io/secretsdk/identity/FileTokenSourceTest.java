package io.secretsdk.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
final class FileTokenSourceTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final String CANARY = "CANARY-file-token-4f9a";

  @TempDir Path dir;

  @Test
  void token_jwtFile_returnsTokenAndExpiry() throws Exception {
    Path f = dir.resolve("token");
    String jwt = TestJwts.jwt("one", T0.plusSeconds(3600));
    Files.writeString(f, jwt + "\n");
    FileTokenSource source = FileTokenSource.builder(f).clock(new TestJwts.MutableClock(T0)).build();

    IdentityToken t = source.token();

    assertThat(t.reveal()).isEqualTo(jwt);
    assertThat(t.expiresAt()).contains(T0.plusSeconds(3600));
    assertThat(t.toString()).doesNotContain(jwt);
    assertThat(source.toString()).doesNotContain(jwt);
  }

  @Test
  void token_fileRewritten_readsNewToken() throws Exception {
    Path f = dir.resolve("token");
    Files.writeString(f, TestJwts.jwt("one", T0.plusSeconds(3600)));
    Files.setLastModifiedTime(f, FileTime.from(T0));
    FileTokenSource source = FileTokenSource.builder(f).clock(new TestJwts.MutableClock(T0)).build();
    String first = source.token().reveal();

    String second = TestJwts.jwt("two-longer-subject", T0.plusSeconds(7200));
    Files.writeString(f, second);
    Files.setLastModifiedTime(f, FileTime.from(T0.plusSeconds(5)));

    assertThat(source.token().reveal()).isEqualTo(second).isNotEqualTo(first);
  }

  @Test
  void token_unchangedFile_servesCachedTokenEvenIfContentSwappedWithSameStamp() throws Exception {
    Path f = dir.resolve("token");
    String first = TestJwts.jwt("aaa", T0.plusSeconds(3600));
    Files.writeString(f, first);
    Files.setLastModifiedTime(f, FileTime.from(T0));
    FileTokenSource source = FileTokenSource.builder(f).clock(new TestJwts.MutableClock(T0)).build();
    source.token();

    // same size, same mtime: the source must not re-read (proves the cache is used)
    String same = TestJwts.jwt("bbb", T0.plusSeconds(3600));
    assertThat(same).hasSameSizeAs(first);
    Files.writeString(f, same);
    Files.setLastModifiedTime(f, FileTime.from(T0));

    assertThat(source.token().reveal()).isEqualTo(first);
  }

  @Test
  void token_nearExpiry_rereadsFile() throws Exception {
    Path f = dir.resolve("token");
    Files.writeString(f, TestJwts.jwt("aaa", T0.plusSeconds(600)));
    Files.setLastModifiedTime(f, FileTime.from(T0));
    TestJwts.MutableClock clock = new TestJwts.MutableClock(T0);
    FileTokenSource source = FileTokenSource.builder(f).clock(clock).refreshAhead(Duration.ofSeconds(60)).build();
    source.token();
    String rotated = TestJwts.jwt("bbb", T0.plusSeconds(1200));
    Files.writeString(f, rotated);
    Files.setLastModifiedTime(f, FileTime.from(T0)); // stamp unchanged: only expiry triggers a re-read

    clock.advance(Duration.ofSeconds(550));

    assertThat(source.token().reveal()).isEqualTo(rotated);
  }

  @Test
  void token_expiredAndNotRotated_throwsUnavailableWithoutToken() throws Exception {
    Path f = dir.resolve("token");
    String jwt = TestJwts.jwt(CANARY, T0.plusSeconds(10));
    Files.writeString(f, jwt);
    TestJwts.MutableClock clock = new TestJwts.MutableClock(T0.plusSeconds(20));
    FileTokenSource source = FileTokenSource.builder(f).clock(clock).build();

    assertThatThrownBy(source::token)
        .isInstanceOf(ProviderUnavailableException.class)
        .hasMessageContaining("expired")
        .satisfies(e -> assertThat(e.toString()).doesNotContain(jwt).doesNotContain(CANARY));
  }

  @Test
  void token_missingFile_throwsConfigException() {
    FileTokenSource source = FileTokenSource.of(dir.resolve("absent"));

    assertThatThrownBy(source::token)
        .isInstanceOf(SecretConfigException.class)
        .hasMessageContaining("does not exist");
  }

  @Test
  void token_notAJwt_throwsConfigExceptionWithoutContent() throws Exception {
    Path f = dir.resolve("token");
    Files.writeString(f, CANARY);
    FileTokenSource source = FileTokenSource.of(f);

    assertThatThrownBy(source::token)
        .isInstanceOf(SecretConfigException.class)
        .hasMessageContaining("does not hold a JWT")
        .satisfies(e -> assertThat(e.toString()).doesNotContain(CANARY))
        .hasNoCause();
  }

  @Test
  void token_kubernetesSource_readsProjectedFile() throws Exception {
    Path f = dir.resolve("sa-token");
    String jwt = TestJwts.jwt("system:serviceaccount:ns:runner", T0.plusSeconds(3600));
    Files.writeString(f, jwt);
    KubernetesServiceAccountTokenSource source =
        KubernetesServiceAccountTokenSource.of(f, new TestJwts.MutableClock(T0));

    assertThat(source.token().reveal()).isEqualTo(jwt);
    assertThat(source.path()).isEqualTo(f);
    assertThat(KubernetesServiceAccountTokenSource.DEFAULT_PATH.toString())
        .isEqualTo("/var/run/secrets/kubernetes.io/serviceaccount/token");
  }
}
