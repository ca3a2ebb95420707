package io.secretsdk.hikari;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * A {@link HikariDataSource} whose credentials rotate: made by
 * {@link RotatingCredentials#dataSource(HikariConfig)}. Use it as any HikariCP pool; closing it
 * also stops watching for rotation.
 *
 * <p>Thread-safe, as HikariCP's pool is.
 */
public final class RotatingDataSource extends HikariDataSource {
  private final RotatingCredentials credentials;

  RotatingDataSource(HikariConfig config, RotatingCredentials credentials) {
    super(config);
    this.credentials = credentials;
  }

  /** The credentials this pool's connections are opened with. */
  public RotatingCredentials credentials() {
    return credentials;
  }

  /** Stops watching for rotation, then closes the pool. */
  @Override
  public void close() {
    try {
      credentials.close();
    } finally {
      super.close();
    }
  }
}
