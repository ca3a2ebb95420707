package io.secretsdk.platform;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The metadata the platform requires on every placement ({@code POST /secrets}): {@code owner},
 * {@code source}, {@code workflow} and {@code rotation_days}. A builder may leave any of them out
 * (options carry defaults, a write fills in the rest); a write that still lacks one is refused
 * before anything is sent.
 *
 * <p>Immutable and thread-safe.
 */
public final class PlacementMetadata {
  /** Longest owner, source or workflow accepted. */
  public static final int MAX_LENGTH = 128;
  /** Longest rotation interval accepted, in days. */
  public static final int MAX_ROTATION_DAYS = 3650;

  private static final PlacementMetadata EMPTY = new Builder().build();

  private final String owner;
  private final String source;
  private final String workflow;
  private final Integer rotationDays;

  private PlacementMetadata(Builder b) {
    this.owner = b.owner;
    this.source = b.source;
    this.workflow = b.workflow;
    this.rotationDays = b.rotationDays;
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Metadata with nothing set. */
  public static PlacementMetadata none() {
    return EMPTY;
  }

  /** The owning team, e.g. {@code platform-team}. */
  public Optional<String> owner() {
    return Optional.ofNullable(owner);
  }

  /** Where the placement comes from, e.g. {@code ci}. */
  public Optional<String> source() {
    return Optional.ofNullable(source);
  }

  /** The workflow placing it, e.g. {@code deploy}. */
  public Optional<String> workflow() {
    return Optional.ofNullable(workflow);
  }

  /** The rotation interval in days. */
  public Optional<Integer> rotationDays() {
    return Optional.ofNullable(rotationDays);
  }

  /** These values, each missing one taken from {@code defaults}. */
  public PlacementMetadata orElse(PlacementMetadata defaults) {
    Builder b = new Builder();
    b.owner = owner != null ? owner : defaults.owner;
    b.source = source != null ? source : defaults.source;
    b.workflow = workflow != null ? workflow : defaults.workflow;
    b.rotationDays = rotationDays != null ? rotationDays : defaults.rotationDays;
    return b.build();
  }

  /** The wire names of the required fields not set, in the seed's order; empty when complete. */
  public List<String> missing() {
    List<String> m = new ArrayList<>();
    if (rotationDays == null) {
      m.add("rotation_days");
    }
    if (owner == null) {
      m.add("owner");
    }
    if (source == null) {
      m.add("source");
    }
    if (workflow == null) {
      m.add("workflow");
    }
    return m;
  }

  @Override
  public String toString() {
    return "PlacementMetadata[owner=" + owner + ", source=" + source + ", workflow=" + workflow
        + ", rotationDays=" + rotationDays + "]";
  }

  /** Builds {@link PlacementMetadata}; every setter checks its argument. Not thread-safe. */
  public static final class Builder {
    private String owner;
    private String source;
    private String workflow;
    private Integer rotationDays;

    private Builder() {}

    /**
     * The owning team.
     *
     * @throws IllegalArgumentException if blank, longer than {@value PlacementMetadata#MAX_LENGTH}
     *     or holding control characters
     */
    public Builder owner(String owner) {
      this.owner = text(owner, "owner");
      return this;
    }

    /**
     * Where the placement comes from ({@code ci}, {@code operator}).
     *
     * @throws IllegalArgumentException as for {@link #owner(String)}
     */
    public Builder source(String source) {
      this.source = text(source, "source");
      return this;
    }

    /**
     * The workflow placing the secret.
     *
     * @throws IllegalArgumentException as for {@link #owner(String)}
     */
    public Builder workflow(String workflow) {
      this.workflow = text(workflow, "workflow");
      return this;
    }

    /**
     * The rotation interval in days.
     *
     * @throws IllegalArgumentException if not within 1..{@value PlacementMetadata#MAX_ROTATION_DAYS}
     */
    public Builder rotationDays(int days) {
      if (days < 1 || days > MAX_ROTATION_DAYS) {
        throw new IllegalArgumentException("rotationDays must be within 1.." + MAX_ROTATION_DAYS);
      }
      this.rotationDays = days;
      return this;
    }

    /** Builds the metadata (possibly incomplete: see {@link PlacementMetadata#missing()}). */
    public PlacementMetadata build() {
      return new PlacementMetadata(this);
    }

    private static String text(String value, String name) {
      Objects.requireNonNull(value, name);
      String v = value.strip();
      if (v.isEmpty() || v.length() > MAX_LENGTH || v.chars().anyMatch(Character::isISOControl)) {
        throw new IllegalArgumentException(name + " must be 1.." + MAX_LENGTH + " characters without control characters");
      }
      return v;
    }
  }
}
