package io.secretsdk.redact;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A set of keyed fingerprints of secret values, for finding those values in text without holding
 * them: a fingerprint is {@code hmac-sha256:} followed by the lowercase hex HMAC-SHA-256 of the
 * value's UTF-8 bytes under a key that the scan is given separately.
 *
 * <p><b>How candidates are cut.</b> A fingerprint can only be compared with whole pieces of text,
 * so the text is cut into candidates: each maximal run of bytes that are neither ASCII whitespace
 * or control characters nor one of {@code " ' ` < > ( ) [ ] { } , ;}; and, within such a run, the
 * part after its first {@code =} and the part after its first {@code :} (for {@code KEY=value}
 * and {@code key:value}), and the run without trailing {@code .} (end of a sentence). Candidates
 * shorter than {@link #MIN_CANDIDATE_LENGTH} or longer than {@link #MAX_CANDIDATE_LENGTH} bytes
 * are skipped. A value containing whitespace or those delimiters is therefore not found by
 * fingerprint; scan for it by value (through a {@link RedactionIndex}) instead.
 *
 * <p>Immutable and thread-safe.
 */
public final class KeyedFingerprints {
  /** Shortest candidate hashed, in bytes: {@value}. */
  public static final int MIN_CANDIDATE_LENGTH = 8;
  /** Longest candidate hashed, in bytes: {@value}. */
  public static final int MAX_CANDIDATE_LENGTH = 4096;
  /** Prefix of every fingerprint: {@value}. */
  public static final String PREFIX = "hmac-sha256:";

  private final byte[] key;
  private final Map<String, String> labels;

  private KeyedFingerprints(byte[] key, Map<String, String> labels) {
    this.key = key.clone();
    this.labels = Map.copyOf(labels);
  }

  /**
   * The fingerprint of {@code value} under {@code key}.
   *
   * @throws IllegalArgumentException if {@code key} is empty
   * @throws NullPointerException if an argument is null
   */
  public static String fingerprint(byte[] key, byte[] value) {
    Objects.requireNonNull(value, "value");
    return PREFIX + hex(newMac(key).doFinal(value));
  }

  /**
   * Fingerprints to look for, each with the label a finding shows (a ref, never the value).
   *
   * @param fingerprintToLabel fingerprints, with or without the {@value #PREFIX} prefix
   * @throws IllegalArgumentException if {@code key} is empty or a fingerprint is not 64 hex digits
   * @throws NullPointerException if an argument is null
   */
  public static KeyedFingerprints of(byte[] key, Map<String, String> fingerprintToLabel) {
    newMac(key);
    Map<String, String> normalized = new HashMap<>();
    fingerprintToLabel.forEach((f, label) -> normalized.put(normalize(f), Objects.requireNonNull(label)));
    return new KeyedFingerprints(key, normalized);
  }

  /**
   * Reads fingerprints from a file of lines {@code <fingerprint> <label>}; blank lines and lines
   * starting with {@code #} are skipped.
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException naming the line number if a line is malformed
   */
  public static KeyedFingerprints load(byte[] key, Path file) throws IOException {
    Map<String, String> map = new HashMap<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\\s+", 2);
      if (parts.length != 2) {
        throw new IllegalArgumentException(file + ":" + (i + 1) + ": expected '<fingerprint> <label>'");
      }
      try {
        map.put(normalize(parts[0]), parts[1]);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + ":" + (i + 1) + ": " + e.getMessage());
      }
    }
    return of(key, map);
  }

  /** Number of fingerprints. */
  public int size() {
    return labels.size();
  }

  private static String normalize(String fingerprint) {
    String hex = fingerprint.startsWith(PREFIX) ? fingerprint.substring(PREFIX.length()) : fingerprint;
    hex = hex.toLowerCase(Locale.ROOT);
    if (!hex.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("fingerprint must be " + PREFIX + " and 64 hex digits");
    }
    return hex;
  }

  /** Receives a candidate that matched: its byte range and the label. */
  @FunctionalInterface
  interface Sink {
    void match(int start, int end, String label);
  }

  /** Hashes every candidate of {@code bytes[from, to)} and reports those that are fingerprinted. */
  void scan(byte[] bytes, int from, int to, Sink sink) {
    if (labels.isEmpty()) {
      return;
    }
    Mac mac = newMac(key);
    int i = from;
    while (i < to) {
      while (i < to && isDelimiter(bytes[i])) {
        i++;
      }
      int start = i;
      while (i < to && !isDelimiter(bytes[i])) {
        i++;
      }
      if (i > start) {
        int end = i;
        check(mac, bytes, start, end, sink);
        int trimmed = end;
        while (trimmed > start && bytes[trimmed - 1] == '.') {
          trimmed--;
        }
        if (trimmed != end) {
          check(mac, bytes, start, trimmed, sink);
        }
        for (byte sep : new byte[] {'=', ':'}) {
          for (int k = start; k < end; k++) {
            if (bytes[k] == sep) {
              check(mac, bytes, k + 1, end, sink);
              break;
            }
          }
        }
      }
    }
  }

  private void check(Mac mac, byte[] bytes, int start, int end, Sink sink) {
    int length = end - start;
    if (length < MIN_CANDIDATE_LENGTH || length > MAX_CANDIDATE_LENGTH) {
      return;
    }
    mac.update(bytes, start, length);
    byte[] digest = mac.doFinal();
    String label = labels.get(hex(digest));
    if (label != null) {
      sink.match(start, end, label);
    }
  }

  private static boolean isDelimiter(byte b) {
    if (b >= 0 && b <= ' ' || b == 0x7F) {
      return true;
    }
    switch (b) {
      case '"': case '\'': case '`': case '<': case '>': case '(': case ')':
      case '[': case ']': case '{': case '}': case ',': case ';':
        return true;
      default:
        return false;
    }
  }

  private static Mac newMac(byte[] key) {
    Objects.requireNonNull(key, "key");
    if (key.length == 0) {
      throw new IllegalArgumentException("fingerprint key must not be empty");
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  private static String hex(byte[] bytes) {
    char[] out = new char[bytes.length * 2];
    String digits = "0123456789abcdef";
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = digits.charAt((bytes[i] >> 4) & 15);
      out[2 * i + 1] = digits.charAt(bytes[i] & 15);
    }
    return new String(out);
  }

  @Override
  public String toString() {
    return "KeyedFingerprints[" + labels.size() + "]";
  }
}
