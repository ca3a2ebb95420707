package io.secretsdk.config;
import io.secretsdk.RunEnvironment;
import java.nio.file.Path;
import java.util.*;
/** STUB — replaced by the config branch. */
public final class SecretRegistry {
  private final List<RegistryEntry> entries;
  private SecretRegistry(List<RegistryEntry> e) { entries = e; }
  public static SecretRegistry empty() { return new SecretRegistry(List.of()); }
  public static SecretRegistry load(Path file) { throw new UnsupportedOperationException(); }
  public static SecretRegistry parse(String yaml, String source) { throw new UnsupportedOperationException(); }
  public Optional<RegistryEntry> entry(String name, RunEnvironment env) {
    for (String k : env.registryKeys()) for (RegistryEntry e : entries) if (e.name().equals(name) && e.environmentKey().equals(k)) return Optional.of(e);
    return Optional.empty();
  }
  public Set<String> names() { Set<String> s = new TreeSet<>(); entries.forEach(e -> s.add(e.name())); return s; }
  public List<RegistryEntry> entries() { return entries; }
}
