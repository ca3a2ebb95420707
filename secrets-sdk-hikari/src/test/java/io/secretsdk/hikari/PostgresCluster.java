package io.secretsdk.hikari;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private PostgreSQL cluster for one test class: initdb into a temporary directory, the server
 * on a free loopback port with its socket in that directory, stopped and deleted by
 * {@link #close()}. Uses the Debian packages' binaries ({@code apt-get install -y postgresql});
 * when they are absent, {@link #start()} skips the test with the reason. PostgreSQL refuses to run
 * as root: under root the server runs as the {@code postgres} account the package creates.
 */
final class PostgresCluster implements AutoCloseable {
  static final String SKIP_REASON = "PostgreSQL is not installed (apt-get install -y postgresql):"
      + " the pool rotation tests need its initdb and pg_ctl";

  private final Path bin;
  private final Path dir;
  private final Path data;
  private final int port;
  private final String superPassword;
  private final boolean asPostgres;

  private PostgresCluster(Path bin, Path dir, int port, String superPassword, boolean asPostgres) {
    this.bin = bin;
    this.dir = dir;
    this.data = dir.resolve("data");
    this.port = port;
    this.superPassword = superPassword;
    this.asPostgres = asPostgres;
  }

  /** Where initdb and pg_ctl are, when PostgreSQL is installed. */
  static Optional<Path> binaries() {
    List<Path> candidates = new ArrayList<>();
    String env = System.getenv("PG_BIN");
    if (env != null && !env.isBlank()) {
      candidates.add(Path.of(env));
    }
    Path debian = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(debian)) {
      try (Stream<Path> versions = Files.list(debian)) {
        versions.sorted(Comparator.reverseOrder()).forEach(v -> candidates.add(v.resolve("bin")));
      } catch (IOException e) {
        // fall through to PATH
      }
    }
    for (String p : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!p.isEmpty()) {
        candidates.add(Path.of(p));
      }
    }
    return candidates.stream()
        .filter(d -> Files.isExecutable(d.resolve("initdb")) && Files.isExecutable(d.resolve("pg_ctl")))
        .findFirst();
  }

  /** Starts a cluster, or skips the calling test with {@link #SKIP_REASON}. */
  static PostgresCluster start() throws Exception {
    Optional<Path> bin = binaries();
    assumeTrue(bin.isPresent(), SKIP_REASON);
    boolean root = "root".equals(System.getProperty("user.name"));
    if (root) {
      assumeTrue(Files.isExecutable(Path.of("/usr/sbin/runuser")) && userExists("postgres"),
          "running as root, PostgreSQL needs runuser and the postgres account of the Debian package");
    }
    Path dir = Files.createTempDirectory("secrets-sdk-pg-");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    if (root) {
      UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
      Files.setOwner(dir, users.lookupPrincipalByName("postgres"));
    }
    PostgresCluster cluster = new PostgresCluster(bin.get(), dir, freePort(),
        "pg-" + UUID.randomUUID(), root);
    try {
      cluster.initAndStart();
    } catch (Exception | Error e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private void initAndStart() throws Exception {
    Path pwfile = dir.resolve("pwfile");
    Files.writeString(pwfile, superPassword + "\n", StandardCharsets.UTF_8);
    chownToPostgres(pwfile);
    run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres",
        "--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=" + pwfile, "-E", "UTF8",
        "--no-sync", "--no-instructions"));
    Files.delete(pwfile);
    run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l",
        dir.resolve("server.log").toString(), "-w", "-t", "60", "-o",
        "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off"
            + " -c synchronous_commit=off -c full_page_writes=off -c max_connections=60",
        "start"));
  }

  /** The JDBC URL of the {@code postgres} database. */
  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  /** A superuser connection, for creating and altering roles. */
  Connection admin() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), "postgres", superPassword);
  }

  /** Runs {@code sql} as the superuser. */
  void execute(String sql) throws SQLException {
    try (Connection c = admin(); Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  @Override
  public void close() throws Exception {
    try {
      if (Files.exists(data.resolve("postmaster.pid"))) {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate",
            "-w", "-t", "60", "stop"));
      }
    } finally {
      deleteRecursively(dir);
    }
  }

  private void run(List<String> command) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    if (asPostgres) {
      full.addAll(List.of("/usr/sbin/runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    Path out = Files.createTempFile("secrets-sdk-pg-cmd-", ".log");
    try {
      Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(command.get(0) + " did not finish within 120 s");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(Path.of(command.get(0)).getFileName() + " failed ("
            + p.exitValue() + "): " + Files.readString(out, StandardCharsets.UTF_8));
      }
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private void chownToPostgres(Path p) throws IOException {
    if (asPostgres) {
      Files.setOwner(p, p.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres"));
    }
  }

  private static boolean userExists(String name) {
    try {
      Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(name);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
