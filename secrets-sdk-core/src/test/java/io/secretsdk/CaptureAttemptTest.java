package io.secretsdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.provider.mem.MemSecretProvider;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Code on the classpath tries to capture the values a client resolves through every public type
 * of core, as an attacker's dependency would: it calls every public static method and
 * constructor that takes an interface with a recording proxy (a would-be factory or hook),
 * subclasses what it can, and looks for writable public static state. Then a client built the
 * ordinary way resolves a canary; no proxy ever sees it.
 */
@Timeout(60)
final class CaptureAttemptTest {
  private static final List<Class<?>> PUBLIC_TYPES = new ArrayList<>();
  /** Every argument any proxy method received, rendered as text and bytes. */
  private static final List<String> SEEN = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void loadEveryPublicType() throws IOException {
    Path root = Path.of(Secret.class.getProtectionDomain().getCodeSource().getLocation().getPath());
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String rel = root.relativize(p).toString();
        if (!rel.endsWith(".class") || rel.contains("module-info") || rel.contains("package-info")) {
          continue;
        }
        String name = rel.substring(0, rel.length() - 6).replace('/', '.');
        try {
          Class<?> c = Class.forName(name, false, Secret.class.getClassLoader());
          if (Modifier.isPublic(c.getModifiers())) {
            PUBLIC_TYPES.add(c);
          }
        } catch (ClassNotFoundException | LinkageError e) {
          // an optional dependency (micrometer) may be absent: not reachable, then
        }
      }
    }
    assertThat(PUBLIC_TYPES).as("core's public types were found").hasSizeGreaterThan(20);
  }

  private static Object recorder(Class<?> iface) {
    return Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[] {iface}, (proxy, m, args) -> {
      if (args != null) {
        for (Object a : args) {
          SEEN.add(render(a));
        }
      }
      if (m.getName().equals("toString")) {
        return "recorder";
      }
      Class<?> r = m.getReturnType();
      if (r == boolean.class) {
        return false;
      }
      if (r == int.class || r == long.class || r == double.class) {
        return r == int.class ? (Object) 0 : r == long.class ? (Object) 0L : (Object) 0d;
      }
      return null;
    });
  }

  private static String render(Object a) {
    if (a instanceof byte[]) {
      return new String((byte[]) a, StandardCharsets.UTF_8) + " " + HexFormat.of().formatHex((byte[]) a);
    }
    if (a instanceof char[]) {
      return new String((char[]) a);
    }
    if (a instanceof Secret) {
      return ((Secret) a).isClosed() ? "closed" : ((Secret) a).reveal(); // a captured Secret is a leak
    }
    return String.valueOf(a);
  }

  private static Object argumentFor(Class<?> type) {
    if (type.isInterface()) {
      return recorder(type);
    }
    if (type == String.class) {
      return "x";
    }
    if (type.isPrimitive()) {
      return type == boolean.class ? (Object) false : type == long.class ? (Object) 0L
          : type == double.class ? (Object) 0d : type == char.class ? (Object) 'x' : (Object) 0;
    }
    return null;
  }

  private static boolean takesAnInterface(Executable e) {
    return Arrays.stream(e.getParameterTypes()).anyMatch(Class::isInterface);
  }

  @Test
  void everyPublicHook_triedWithARecorder_neverSeesAResolvedValue() throws Exception {
    int tried = 0;
    for (Class<?> c : PUBLIC_TYPES) {
      for (Method m : c.getMethods()) {
        if (Modifier.isStatic(m.getModifiers()) && m.getDeclaringClass() == c && takesAnInterface(m)) {
          tried++;
          invokeQuietly(() -> m.invoke(null, Arrays.stream(m.getParameterTypes())
              .map(CaptureAttemptTest::argumentFor).toArray()));
        }
      }
      for (Constructor<?> k : c.getConstructors()) {
        if (takesAnInterface(k) && !Modifier.isAbstract(c.getModifiers())) {
          tried++;
          invokeQuietly(() -> k.newInstance(Arrays.stream(k.getParameterTypes())
              .map(CaptureAttemptTest::argumentFor).toArray()));
        }
      }
    }
    assertThat(tried).as("hooks tried").isGreaterThan(5);

    String canary = "capture-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    MemSecretProvider mem = MemSecretProvider.create();
    mem.put("app/key", canary);
    try (SecretsClient client = SecretsClient.builder().provider(mem)
        .environment(RunEnvironment.CI).build();
         Secret s = client.resolve(SecretRef.parse("mem://app/key"))) {
      assertThat(s.reveal()).isEqualTo(canary); // the caller got the value...
      client.resolveAll(SecretRef.parse("mem://app/key")).forEach(Secret::close);
      client.refresh(SecretRef.parse("mem://app/key")).close();
    }
    String hex = HexFormat.of().formatHex(canary.getBytes(StandardCharsets.UTF_8));
    assertThat(SEEN).noneMatch(seen -> seen.contains(canary) || seen.contains(hex)); // ...no one else
  }

  private interface Call {
    Object run() throws Exception;
  }

  private static void invokeQuietly(Call call) {
    try {
      call.run();
    } catch (Exception | LinkageError e) {
      // refused or failed: either way nothing was installed
    }
  }

  @Test
  void noPublicStaticStateCanBeReplaced() {
    List<String> writable = new ArrayList<>();
    for (Class<?> c : PUBLIC_TYPES) {
      for (Field f : c.getFields()) {
        if (Modifier.isStatic(f.getModifiers()) && !Modifier.isFinal(f.getModifiers())) {
          writable.add(c.getName() + "." + f.getName());
        }
      }
    }
    assertThat(writable).isEmpty();
  }

  @Test
  void valueCarryingTypesCannotBeSubclassedOrConstructed() {
    assertThat(Modifier.isFinal(Secret.class.getModifiers())).isTrue();
    assertThat(Secret.class.getConstructors()).isEmpty();
    assertThat(Arrays.stream(Secret.class.getDeclaredMethods())
        .filter(m -> Modifier.isStatic(m.getModifiers()) && m.getReturnType() == Secret.class)
        .filter(m -> !Modifier.isPrivate(m.getModifiers()))
        .map(Method::getName))
        .as("public ways to make a Secret copy the caller's bytes; adopt is package-private")
        .allMatch(n -> n.equals("copyOf") || n.equals("adopt"));
    for (Method m : Secret.class.getDeclaredMethods()) {
      if (m.getName().equals("adopt")) {
        assertThat(Modifier.isPublic(m.getModifiers()) || Modifier.isProtected(m.getModifiers()))
            .isFalse();
      }
    }
    for (Class<?> c : PUBLIC_TYPES) {
      boolean handlesSecrets = Arrays.stream(c.getDeclaredMethods())
          .anyMatch(m -> m.getReturnType() == Secret.class && !Modifier.isStatic(m.getModifiers()));
      if (handlesSecrets && !c.isInterface()) {
        assertThat(Modifier.isFinal(c.getModifiers())).as(c.getName() + " is final").isTrue();
      }
    }
  }
}
