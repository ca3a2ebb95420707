package io.secretsdk.internal;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.PolicyViolationException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretVersionConflictException;
import io.secretsdk.redact.RedactionIndex;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The one exit for everything a {@code SecretsClient} throws: each exception is rebuilt by the
 * SDK, as the core type that fits, with its message, cause chain, suppressed exceptions and stack
 * frames scrubbed against every {@link RedactionIndex} a client in this process uses (so every
 * value any client resolved and every registered credential) and the token detectors.
 *
 * <p>Nothing a provider built reaches the caller: SDK-typed exceptions (including a provider's own
 * subclasses) become a fresh instance of the nearest core type with the scrubbed message; any
 * other throwable in the chain is kept only as its type name and scrubbed stack trace. Cause
 * chains are cut at {@value #MAX_DEPTH} links and cycles are broken.
 *
 * <p>Exported to the SDK's own modules only.
 */
public final class ExceptionExit {
  /** Longest cause chain kept. */
  static final int MAX_DEPTH = 8;
  /** Longest message kept, after scrubbing. */
  static final int MAX_MESSAGE = 4096;
  private static final int MAX_SUPPRESSED = 16;

  /** Every index a client uses; weak, so a private index dropped with its client is collected. */
  private static final Set<RedactionIndex> INDEXES =
      Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
  private static volatile RedactionIndex[] snapshot = {};

  private ExceptionExit() {}

  /** Adds {@code index} to what every exit scrubs against, for as long as it is reachable. */
  public static void track(RedactionIndex index) {
    if (index == RedactionIndex.global()) {
      return;
    }
    synchronized (INDEXES) {
      if (INDEXES.add(index)) {
        snapshot = INDEXES.toArray(new RedactionIndex[0]);
      }
    }
  }

  /**
   * The exception to throw in place of {@code e}: a scrubbed rebuild. JDK argument and state
   * exceptions keep their type; any other non-SDK exception becomes a {@link SecretException}.
   */
  public static RuntimeException scrub(RuntimeException e) {
    if (e instanceof SecretException) {
      return scrub((SecretException) e);
    }
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    seen.put(e, Boolean.TRUE);
    String message = text(e.getMessage());
    Throwable cause = cause(e.getCause(), seen, 1);
    RuntimeException out;
    if (e instanceof NullPointerException) {
      out = new NullPointerException(message);
    } else if (e instanceof IllegalArgumentException) {
      out = new IllegalArgumentException(message);
    } else if (e instanceof IllegalStateException) {
      out = new IllegalStateException(message);
    } else if (e instanceof UnsupportedOperationException) {
      out = new UnsupportedOperationException(message);
    } else {
      out = new SecretException(null, "unexpected failure: " + text(e.getClass().getName())
          + " (message withheld)");
      ScrubbedCause original = new ScrubbedCause(e, cause);
      original.setStackTrace(frames(e.getStackTrace()));
      suppressed(e, original, seen, 2);
      out.initCause(original);
      out.setStackTrace(frames(e.getStackTrace()));
      return out;
    }
    if (cause != null) {
      out.initCause(cause);
    }
    out.setStackTrace(frames(e.getStackTrace()));
    suppressed(e, out, seen, 1);
    return out;
  }

  /** A scrubbed rebuild of {@code e} as the core exception type that fits. */
  public static SecretException scrub(SecretException e) {
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    return rebuild(e, seen, 0);
  }

  /** {@code failures} with every exception scrubbed; the map's order is kept. */
  public static <K> Map<K, SecretException> scrubAll(Map<K, SecretException> failures) {
    Map<K, SecretException> out = new java.util.LinkedHashMap<>();
    failures.forEach((k, v) -> out.put(k, scrub(v)));
    return Collections.unmodifiableMap(out);
  }

  private static SecretException rebuild(SecretException e, Map<Throwable, Boolean> seen, int depth) {
    seen.put(e, Boolean.TRUE);
    SecretRef ref = e.ref().orElse(null);
    String message = text(e.getMessage(), ref == null ? null : ref.toString());
    Throwable cause = cause(e.getCause(), seen, depth + 1);
    SecretException out;
    if (e instanceof SecretNotFoundException) {
      out = new SecretNotFoundException(ref, message, cause);
    } else if (e instanceof SecretAccessDeniedException) {
      out = new SecretAccessDeniedException(ref, message, cause);
    } else if (e instanceof PolicyViolationException) {
      out = new PolicyViolationException(ref, message, cause);
    } else if (e instanceof ProviderUnavailableException) {
      out = new ProviderUnavailableException(ref, message, cause,
          ((ProviderUnavailableException) e).retryAfter().orElse(null));
    } else if (e instanceof SecretVersionConflictException) {
      out = new SecretVersionConflictException(ref, message, cause);
    } else if (e instanceof InvalidSecretRefException) {
      out = new InvalidSecretRefException(ref, message);
      if (cause != null) {
        out.initCause(cause);
      }
    } else if (e instanceof SecretConfigException) {
      SecretConfigException c = (SecretConfigException) e;
      out = new SecretConfigException(c.file().orElse(null), c.line().orElse(0),
          c.field().map(ExceptionExit::text).orElse(null), text(c.problem()));
      if (cause != null) {
        out.initCause(cause);
      }
    } else {
      out = new SecretException(ref, message, cause);
    }
    out.setStackTrace(frames(e.getStackTrace()));
    suppressed(e, out, seen, depth + 1);
    return out;
  }

  private static Throwable cause(Throwable t, Map<Throwable, Boolean> seen, int depth) {
    if (t == null || seen.containsKey(t)) {
      return null;
    }
    if (depth > MAX_DEPTH) {
      return new ScrubbedCause("cause chain cut at " + MAX_DEPTH + " links", null);
    }
    if (t instanceof SecretException) {
      return rebuild((SecretException) t, seen, depth);
    }
    seen.put(t, Boolean.TRUE);
    Throwable next = cause(t.getCause(), seen, depth + 1);
    ScrubbedCause out = t instanceof ScrubbedCause
        ? new ScrubbedCause(text(t.getMessage()), next) : new ScrubbedCause(t, next);
    out.setStackTrace(frames(t.getStackTrace()));
    suppressed(t, out, seen, depth + 1);
    return out;
  }

  private static void suppressed(Throwable from, Throwable to, Map<Throwable, Boolean> seen, int depth) {
    Throwable[] all = from.getSuppressed();
    for (int i = 0; i < all.length && i < MAX_SUPPRESSED; i++) {
      Throwable s = cause(all[i], seen, depth);
      if (s != null && s != to) {
        to.addSuppressed(s);
      }
    }
  }

  /** {@code t} as a scrubbed stand-in (type name and stack only), with its causes. */
  static Throwable withheld(Throwable t) {
    return cause(t, new IdentityHashMap<>(), 1);
  }

  /** Scrubbed text: every index, the token detectors, no control characters, bounded. */
  static String text(String s) {
    return text(s, null);
  }

  /** As {@link #text(String)}, the words of {@code ref} (the exception's own ref) left readable. */
  static String text(String s, String ref) {
    if (s == null) {
      return null;
    }
    String out = ProviderText.scrub(s, Integer.MAX_VALUE, null, ref);
    for (RedactionIndex index : snapshot) {
      out = index.redact(out);
    }
    return ProviderText.scrub(out, MAX_MESSAGE, null, ref);
  }

  private static boolean clean(String s) {
    if (s == null) {
      return true;
    }
    if (!RedactionIndex.global().findAll(s).isEmpty()) {
      return false;
    }
    for (RedactionIndex index : snapshot) {
      if (!index.findAll(s).isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /** The frames, with any frame whose class, method, file or module names match replaced. */
  static StackTraceElement[] frames(StackTraceElement[] frames) {
    List<StackTraceElement> out = new ArrayList<>(frames.length);
    for (StackTraceElement f : frames) {
      if (clean(f.getClassName()) && clean(f.getMethodName()) && clean(f.getFileName())
          && clean(f.getModuleName()) && clean(f.getModuleVersion())
          && clean(f.getClassLoaderName())) {
        out.add(f);
      } else {
        out.add(new StackTraceElement("[REDACTED]", "[REDACTED]", null, -1));
      }
    }
    return out.toArray(new StackTraceElement[0]);
  }
}
