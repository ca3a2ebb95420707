package io.secretsdk.config;
import io.secretsdk.*;
import java.time.Duration;
import java.util.*;
/** STUB. */
public final class RegistryEntry {
  public String name() { return null; }
  public String environmentKey() { return null; }
  public RunEnvironment environment() { return null; }
  public SecretRef ref() { return null; }
  public List<String> scope() { return List.of(); }
  public Optional<Duration> maxTtl() { return Optional.empty(); }
}
