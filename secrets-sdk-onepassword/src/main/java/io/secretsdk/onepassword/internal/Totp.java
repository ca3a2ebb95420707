package io.secretsdk.onepassword.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-based one-time passwords (RFC 6238 over RFC 4226), computed locally with the JDK's
 * {@link Mac}, from an {@code otpauth://totp/...} URI or a bare base32 secret as 1Password stores
 * them in one-time password fields.
 *
 * <p>Errors never quote the secret: {@link IllegalArgumentException} messages name only what is
 * wrong. Instances hold key material; {@link #close()} wipes it. Not thread-safe; make one per use.
 */
public final class Totp implements AutoCloseable {
  /** Default period of 30 seconds (RFC 6238 §4.1 X). */
  public static final int DEFAULT_PERIOD_SECONDS = 30;
  /** Default number of digits. */
  public static final int DEFAULT_DIGITS = 6;

  private static final long[] POWERS = {1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L,
      10_000_000L, 100_000_000L, 1_000_000_000L, 10_000_000_000L};

  private final byte[] key;
  private final String macAlgorithm;
  private final int digits;
  private final int periodSeconds;

  private Totp(byte[] key, String macAlgorithm, int digits, int periodSeconds) {
    this.key = key;
    this.macAlgorithm = macAlgorithm;
    this.digits = digits;
    this.periodSeconds = periodSeconds;
  }

  /**
   * A generator for a raw key.
   *
   * @param algorithm {@code SHA1}, {@code SHA256} or {@code SHA512}
   * @throws IllegalArgumentException if a parameter is out of range
   */
  public static Totp of(byte[] key, String algorithm, int digits, int periodSeconds) {
    Objects.requireNonNull(key, "key");
    if (key.length == 0) {
      throw new IllegalArgumentException("TOTP secret is empty");
    }
    return new Totp(key.clone(), macAlgorithm(algorithm), checkDigits(digits),
        checkPeriod(periodSeconds));
  }

  /**
   * Reads a one-time password field's value: an {@code otpauth://totp/...} URI or a bare base32
   * secret (case-insensitive; spaces, dashes and {@code =} padding ignored).
   *
   * @throws IllegalArgumentException if the value is neither; the message never quotes it
   */
  public static Totp parse(String fieldValue) {
    Objects.requireNonNull(fieldValue, "fieldValue");
    String v = fieldValue.strip();
    if (!v.regionMatches(true, 0, "otpauth:", 0, 8)) {
      return new Totp(Base32.decode(v), "HmacSHA1", DEFAULT_DIGITS, DEFAULT_PERIOD_SECONDS);
    }
    URI uri;
    try {
      uri = new URI(v);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("one-time password field holds a malformed otpauth URI");
    }
    if (!"totp".equalsIgnoreCase(uri.getHost())) {
      throw new IllegalArgumentException(
          "one-time password field holds an otpauth URI that is not time-based (otpauth://totp/)");
    }
    String secret = null;
    String algorithm = "SHA1";
    int digits = DEFAULT_DIGITS;
    int period = DEFAULT_PERIOD_SECONDS;
    String query = uri.getRawQuery();
    if (query != null) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          continue;
        }
        String name = pair.substring(0, eq).toLowerCase(Locale.ROOT);
        String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        switch (name) {
          case "secret":
            secret = value;
            break;
          case "algorithm":
            algorithm = value;
            break;
          case "digits":
            digits = parseInt(value, "digits");
            break;
          case "period":
            period = parseInt(value, "period");
            break;
          default:
            break; // issuer, image, …: not needed for the code
        }
      }
    }
    if (secret == null || secret.isBlank()) {
      throw new IllegalArgumentException("otpauth URI has no secret parameter");
    }
    return new Totp(Base32.decode(secret), macAlgorithm(algorithm), checkDigits(digits),
        checkPeriod(period));
  }

  private static int parseInt(String value, String what) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("otpauth URI has a non-numeric " + what + " parameter");
    }
  }

  private static String macAlgorithm(String algorithm) {
    switch (algorithm.toUpperCase(Locale.ROOT).replace("-", "")) {
      case "SHA1":
        return "HmacSHA1";
      case "SHA256":
        return "HmacSHA256";
      case "SHA512":
        return "HmacSHA512";
      default:
        throw new IllegalArgumentException(
            "unsupported TOTP algorithm; expected SHA1, SHA256 or SHA512");
    }
  }

  private static int checkDigits(int digits) {
    if (digits < 6 || digits > 10) {
      throw new IllegalArgumentException("TOTP digits must be between 6 and 10");
    }
    return digits;
  }

  private static int checkPeriod(int period) {
    if (period < 1 || period > 3600) {
      throw new IllegalArgumentException("TOTP period must be between 1 and 3600 seconds");
    }
    return period;
  }

  /** The period of the codes. */
  public Duration period() {
    return Duration.ofSeconds(periodSeconds);
  }

  /** How long the code for {@code now} stays current. */
  public Duration remainingValidity(Instant now) {
    long into = Math.floorMod(now.getEpochSecond(), (long) periodSeconds);
    return Duration.ofSeconds(periodSeconds - into).minusNanos(now.getNano());
  }

  /** The code for {@code now}, zero-padded to the configured number of digits. */
  public String code(Instant now) {
    return codeAtCounter(Math.floorDiv(now.getEpochSecond(), (long) periodSeconds));
  }

  /** The HOTP value (RFC 4226 §5.3) for one counter. */
  String codeAtCounter(long counter) {
    byte[] message = new byte[8];
    for (int i = 7; i >= 0; i--) {
      message[i] = (byte) (counter & 0xFF);
      counter >>>= 8;
    }
    byte[] hash;
    try {
      Mac mac = Mac.getInstance(macAlgorithm);
      mac.init(new SecretKeySpec(key, macAlgorithm));
      hash = mac.doFinal(message);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks " + macAlgorithm, e);
    }
    int offset = hash[hash.length - 1] & 0x0F;
    long binary = ((hash[offset] & 0x7FL) << 24) | ((hash[offset + 1] & 0xFFL) << 16)
        | ((hash[offset + 2] & 0xFFL) << 8) | (hash[offset + 3] & 0xFFL);
    Arrays.fill(hash, (byte) 0);
    StringBuilder sb = new StringBuilder(Long.toString(binary % POWERS[digits]));
    while (sb.length() < digits) {
      sb.insert(0, '0');
    }
    return sb.toString();
  }

  /** Wipes the key. */
  @Override
  public void close() {
    Arrays.fill(key, (byte) 0);
  }

  @Override
  public String toString() {
    return "Totp[" + macAlgorithm + ", digits=" + digits + ", period=" + periodSeconds + "s, key=****]";
  }

  /** RFC 4648 base32, lenient about case, spaces, dashes and padding as authenticator apps are. */
  static final class Base32 {
    private Base32() {}

    static byte[] decode(String text) {
      byte[] out = new byte[text.length() * 5 / 8 + 1];
      int n = 0;
      int buffer = 0;
      int bits = 0;
      int symbols = 0;
      boolean padding = false;
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c == ' ' || c == '-') {
          continue;
        }
        if (c == '=') {
          padding = true;
          continue;
        }
        int v;
        if (c >= 'A' && c <= 'Z') {
          v = c - 'A';
        } else if (c >= 'a' && c <= 'z') {
          v = c - 'a';
        } else if (c >= '2' && c <= '7') {
          v = c - '2' + 26;
        } else {
          throw new IllegalArgumentException(
              "TOTP secret is not base32 (invalid character at position " + i + ")");
        }
        if (padding) {
          throw new IllegalArgumentException("TOTP secret has base32 data after '=' padding");
        }
        buffer = (buffer << 5) | v;
        bits += 5;
        symbols++;
        if (bits >= 8) {
          out[n++] = (byte) (buffer >> (bits - 8));
          bits -= 8;
        }
      }
      buffer = 0;
      if (symbols == 0) {
        throw new IllegalArgumentException("TOTP secret is empty");
      }
      byte[] key = Arrays.copyOf(out, n);
      Arrays.fill(out, (byte) 0);
      return key;
    }
  }
}
