package io.secretsdk.onepassword;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.secretsdk.Secret;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretsClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression tests for the {@code op} executable being run unchecked: it is resolved once to its
 * real path and refused, naming the path and the check, unless it is a regular executable file
 * writable by neither group nor others and owned by root or the current user — when the options
 * are built, and again before each run.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class CliExecutableCheckTest {
  @TempDir Path dir;
  private final String token = Canaries.token("ops_", 48);
  private Path op;
  private RedactedLogs logs;

  @BeforeEach
  void setUp() throws IOException {
    op = FakeOp.write(dir);
    logs = new RedactedLogs();
  }

  @AfterEach
  void tearDown() {
    logs.close();
    Canaries.assertAbsent("log output", logs.text(), token, FakeOp.VALUE);
  }

  private SecretConfigException refusal(Path executable) {
    Throwable e = catchThrowable(() -> OnePasswordCliOptions.builder().executable(executable)
        .token(token).build());
    assertThat(e).isInstanceOf(SecretConfigException.class);
    Canaries.assertAbsent("exception", Leaks.text(e), token);
    return (SecretConfigException) e;
  }

  private void chmod(Path file, String permissions) throws IOException {
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
  }

  @Test
  void build_groupWritableExecutable_refusedNamingPathAndPermissions() throws IOException {
    chmod(op, "rwxrwx---");
    SecretConfigException e = refusal(op);
    assertThat(e.file()).contains(op.toRealPath());
    assertThat(e).hasMessageContaining(op.toRealPath().toString())
        .hasMessageContaining("writable by its group or by others (permissions rwxrwx---)");
  }

  @Test
  void build_worldWritableExecutable_refused() throws IOException {
    chmod(op, "rwx---rwx");
    assertThat(refusal(op)).hasMessageContaining("writable by its group or by others");
  }

  @Test
  void build_fileWithoutExecuteBit_refused() throws IOException {
    chmod(op, "rw-------");
    assertThat(refusal(op)).hasMessageContaining(op.toRealPath().toString())
        .hasMessageContaining("is not executable by this process");
  }

  @Test
  void build_directory_refused() throws IOException {
    Path folder = Files.createDirectory(dir.resolve("op-folder"));
    assertThat(refusal(folder)).hasMessageContaining("is not a regular file");
  }

  @Test
  void build_missingFile_refused() {
    assertThat(refusal(dir.resolve("absent"))).hasMessageContaining(dir.resolve("absent").toString())
        .hasMessageContaining("cannot be read (NoSuchFileException)");
  }

  @Test
  void build_ownedByAnotherUser_refused() throws IOException {
    UserPrincipal nobody;
    try {
      nobody = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
      Files.setOwner(op, nobody);
    } catch (IOException e) {
      nobody = null; // changing a file's owner takes root
    }
    assumeTrue(nobody != null && Files.getOwner(op).equals(nobody), "needs to chown a file to nobody");
    assertThat(refusal(op)).hasMessageContaining("is owned by nobody, neither root nor the user");
  }

  @Test
  void build_symbolicLink_resolvedToTheCheckedRealPath() throws IOException {
    Path link = Files.createSymbolicLink(dir.resolve("op-link"), op);
    assertThat(OnePasswordCliOptions.builder().executable(link).token(token).build().executable())
        .isEqualTo(op.toRealPath());
    chmod(op, "rwxrwxrwx"); // the link's own mode says nothing: its target is checked
    assertThat(refusal(link)).hasMessageContaining(op.toRealPath().toString());
  }

  @Test
  void fromEnvironment_firstOpOnPathWorldWritable_refusedBeforeItRuns() throws IOException {
    chmod(op, "rwxrwxrwx");
    Map<String, String> env = Map.of("SECRETS_SDK_PROVIDERS", "op", "OP_SERVICE_ACCOUNT_TOKEN",
        token, "PATH", dir + ":/usr/bin:/bin");
    Throwable e = catchThrowable(() -> SecretsClient.Builder.fromEnvironment(env).build());
    assertThat(e).isInstanceOf(SecretConfigException.class)
        .hasMessageContaining(op.toRealPath().toString()).hasMessageContaining("op.opPath")
        .hasMessageContaining("writable by its group or by others");
    Canaries.assertAbsent("exception", Leaks.text(e), token);
    assertThat(dir.resolve("argv")).as("the CLI never ran").doesNotExist();
  }

  @Test
  void resolve_executableMadeGroupWritableAfterBuild_refusedBeforeItRuns() throws IOException {
    Map<String, String> env = Map.of("SECRETS_SDK_PROVIDERS", "op", "OP_SERVICE_ACCOUNT_TOKEN",
        token, "PATH", dir + ":/usr/bin:/bin");
    try (SecretsClient client = SecretsClient.Builder.fromEnvironment(env).build()) {
      try (Secret s = client.resolve("op://Prod/Stripe/credential")) {
        assertThat(s.reveal()).isEqualTo(FakeOp.VALUE);
      }
      Files.delete(dir.resolve("argv"));
      chmod(op, "rwxrwxr-x");
      Throwable e = catchThrowable(() -> client.resolve("op://Prod/Other/credential"));
      assertThat(e).isInstanceOf(SecretConfigException.class)
          .hasMessageContaining(op.toRealPath().toString())
          .hasMessageContaining("writable by its group or by others");
      Canaries.assertAbsent("exception", Leaks.text(e), token);
    }
    assertThat(dir.resolve("argv")).as("the CLI never ran").doesNotExist();
  }

  @Test
  void resolve_executableReplacedByLinkAfterBuild_refusedBeforeItRuns() throws IOException {
    Path real = op.toRealPath();
    try (SecretsClient client = SecretsClient.builder()
        .provider(OnePasswordProvider.serviceAccount(OnePasswordCliOptions.builder()
            .executable(op).token(token).environment(Map.of("PATH", "/usr/bin:/bin")::get).build()))
        .build()) {
      Path elsewhere = Files.move(op, dir.resolve("op-elsewhere"));
      Files.createSymbolicLink(real, elsewhere);
      Throwable e = catchThrowable(() -> client.resolve("op://Prod/Stripe/credential"));
      assertThat(e).isInstanceOf(SecretConfigException.class)
          .hasMessageContaining("is not a regular file (a symbolic link now stands in its place)");
    }
    assertThat(dir.resolve("argv")).as("the CLI never ran").doesNotExist();
  }
}
