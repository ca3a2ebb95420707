package io.secretsdk.config;
import io.secretsdk.*;
import java.nio.file.Path;
import java.time.Duration;
import java.util.*;
/** STUB. */
public final class SecretPolicy {
  public static SecretPolicy permissive() { return new SecretPolicy(); }
  public static SecretPolicy load(Path p) { throw new UnsupportedOperationException(); }
  public static SecretPolicy parse(String json, String source) { throw new UnsupportedOperationException(); }
  public void check(String name, SecretRef ref, RunEnvironment env) {}
  public void checkMetadata(SecretRef ref, Map<String, String> metadata) {}
  public Set<String> requiredMetadata() { return Set.of(); }
  public Optional<Duration> maxTtl() { return Optional.empty(); }
  public boolean noLogging() { return false; }
  public boolean noPersistence() { return false; }
  public boolean strictTtl() { return false; }
  public Set<RunEnvironment> environments() { return EnumSet.allOf(RunEnvironment.class); }
}
