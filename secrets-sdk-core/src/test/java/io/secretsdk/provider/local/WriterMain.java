package io.secretsdk.provider.local;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A separate writer process for the durability tests; the key comes from
 * {@code SECRETS_SDK_LOCAL_KEY} in its environment, never from its arguments.
 *
 * <ul>
 *   <li>{@code loop STORE NAME}: writes versions of NAME forever, each holding
 *       {@link #payload(int)} of its version, printing {@code wrote N} after each write;
 *   <li>{@code rotate STORE KEYFILE}: rotates the key in KEYFILE forever, printing
 *       {@code rotated ID} after each rotation (run without {@code SECRETS_SDK_LOCAL_KEY});
 *   <li>{@code count STORE NAME TAG N GOFILE}: prints {@code ready}, waits for GOFILE, then writes N
 *       versions {@code TAG-i} and prints {@code done}.
 * </ul>
 */
final class WriterMain {
  private WriterMain() {}

  static String payload(int version) {
    return ("version-" + version + "-").repeat(200);
  }

  public static void main(String[] args) throws Exception {
    Path store = Path.of(args[1]);
    if (args[0].equals("rotate")) {
      try (LocalSecretProvider p = LocalSecretProvider.create(LocalStoreOptions.builder()
          .storeFile(store).keyFile(Path.of(args[2])).build())) {
        while (true) {
          System.out.println("rotated " + p.rotateKey());
          System.out.flush();
        }
      }
    }
    String name = args[2];
    LocalStoreOptions.Builder options = LocalStoreOptions.builder().storeFile(store)
        .keyFile(store.resolveSibling("no-key-file")).maxVersions(200);
    try (LocalSecretProvider p = LocalSecretProvider.create(options.build())) {
      if (args[0].equals("loop")) {
        while (true) {
          int current = p.describe(name).map(i -> i.current().version()).orElse(0);
          int next = current + 1;
          p.put(name, payload(next).getBytes(StandardCharsets.UTF_8), null, Map.of(),
              String.valueOf(current));
          System.out.println("wrote " + next);
          System.out.flush();
        }
      }
      String tag = args[3];
      int count = Integer.parseInt(args[4]);
      Path go = Path.of(args[5]);
      System.out.println("ready");
      System.out.flush();
      while (!Files.exists(go)) {
        Thread.sleep(2);
      }
      for (int i = 0; i < count; i++) {
        p.put(name, (tag + "-" + i).getBytes(StandardCharsets.UTF_8));
      }
      System.out.println("done");
      System.out.flush();
    }
  }
}
