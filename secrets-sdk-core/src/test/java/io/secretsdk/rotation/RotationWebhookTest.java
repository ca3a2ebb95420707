package io.secretsdk.rotation;

import static io.secretsdk.rotation.WebhookFixture.TARGET;
import static io.secretsdk.rotation.WebhookFixture.TARGET_PATH;
import static io.secretsdk.rotation.WebhookFixture.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.secretsdk.Secret;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.event.SecretChangeEvent;
import io.secretsdk.rotation.RotationRejectedException.Reason;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

final class RotationWebhookTest {

  @Test
  void accept_validNotice_refreshesTargetOnce_andReturnsNotice() throws Exception {
    List<RotationNotice> accepted = new CopyOnWriteArrayList<>();
    List<SecretChangeEvent> changes = new CopyOnWriteArrayList<>();
    try (WebhookFixture f = new WebhookFixture(b -> b.onAccepted(accepted::add))) {
      f.client.onChange(TARGET, changes::add);
      String rotated = WebhookFixture.canary();
      f.mem.put(TARGET_PATH, rotated);
      String body = f.body(TARGET.toString(), "delivery-1", f.clock.instant());

      RotationNotice notice = f.webhook.accept(f.sign(body), bytes(body));

      assertThat(f.targetFetches()).isEqualTo(2); // the warm-up resolve and exactly one refresh
      assertThat(notice.refs()).containsExactly(TARGET);
      assertThat(notice.secretId()).isEqualTo(TARGET.toString());
      assertThat(notice.newVersion()).isEqualTo("2");
      assertThat(notice.rotatedFrom()).contains("1");
      assertThat(notice.deliveryId()).isEqualTo("delivery-1");
      assertThat(notice.timestamp()).isEqualTo(WebhookFixture.START);
      assertThat(accepted).containsExactly(notice);
      assertThat(changes).singleElement()
          .satisfies(c -> assertThat(c.newVersion()).contains("2"));
      try (Secret s = f.client.resolve(TARGET)) {
        assertThat(s.reveal()).isEqualTo(rotated); // served from the cache the refresh filled
      }
      assertThat(f.targetFetches()).isEqualTo(2);
    }
  }

  @Test
  void handle_validNotice_answers204WithEmptyBody() {
    try (WebhookFixture f = new WebhookFixture()) {
      RotationWebhook.Response r = f.post(f.body());
      assertThat(r.status()).isEqualTo(204);
      assertThat(r.body()).isEmpty();
      assertThat(f.targetFetches()).isEqualTo(2);
    }
  }

  @Test
  void handle_headerNameInAnyCase_andUpperCaseHex_accepted() {
    try (WebhookFixture f = new WebhookFixture()) {
      String body = f.body();
      String sig = "SHA256=" + f.sign(body).substring("sha256=".length()).toUpperCase();
      RotationWebhook.Response r =
          f.webhook.handle(Map.of("x-secrets-signature", List.of(" " + sig + " ")), bytes(body));
      assertThat(r.status()).isEqualTo(204);
    }
  }

  @Test
  void accept_rfc3339Timestamp_accepted() {
    try (WebhookFixture f = new WebhookFixture()) {
      String body = "{\"name\":\"mem://payments/stripe\",\"new_version\":7,"
          + "\"timestamp\":\"2026-12-02T20:02:00+01:00\",\"delivery_id\":\"abc\"}";
      RotationNotice n = f.webhook.accept(f.sign(body), bytes(body));
      assertThat(n.timestamp()).isEqualTo(WebhookFixture.START.plusSeconds(120));
      assertThat(n.newVersion()).isEqualTo("7");
      assertThat(n.rotatedFrom()).isEmpty();
    }
  }

  /** One bad request: the reason and status it must get. */
  static final class Bad {
    final String what;
    final Map<String, List<String>> headers;
    final byte[] body;
    final Reason reason;
    final String field;

    Bad(String what, Map<String, List<String>> headers, byte[] body, Reason reason, String field) {
      this.what = what;
      this.headers = headers;
      this.body = body;
      this.reason = reason;
      this.field = field;
    }
  }

  /** Every class of bad input, each with a delivery id a valid notice then reuses. */
  static List<Bad> badRequests(WebhookFixture f, String deliveryId) {
    Instant now = f.clock.instant();
    String good = f.body(TARGET.toString(), deliveryId, now);
    List<Bad> bad = new ArrayList<>();
    // before the signature is checked
    byte[] huge = bytes(good + " ".repeat(RotationWebhook.DEFAULT_MAX_BODY_BYTES));
    bad.add(signed(f, "body too large", huge, Reason.BODY_TOO_LARGE, null));
    bad.add(new Bad("no signature", Map.of(), bytes(good), Reason.MISSING_SIGNATURE, null));
    bad.add(new Bad("empty signature", Map.of(RotationWebhook.SIGNATURE_HEADER, List.of("")),
        bytes(good), Reason.MISSING_SIGNATURE, null));
    bad.add(new Bad("two signatures", Map.of(RotationWebhook.SIGNATURE_HEADER,
        List.of(f.sign(good), f.sign(good))), bytes(good), Reason.MISSING_SIGNATURE, null));
    String hex = f.sign(good).substring("sha256=".length());
    for (String malformed : List.of("sha1=" + hex.substring(0, 40), hex, "sha256=" + hex.substring(2),
        "sha256=" + hex + "00", "sha256=" + hex.substring(0, 62) + "zz",
        "sha256=" + hex.substring(0, 62) + "\u0663\u0663")) {
      bad.add(new Bad("malformed signature " + malformed.length(),
          Map.of(RotationWebhook.SIGNATURE_HEADER, List.of(malformed)), bytes(good),
          Reason.BAD_SIGNATURE, null));
    }
    bad.add(new Bad("signed with another key", Map.of(RotationWebhook.SIGNATURE_HEADER,
        List.of(RotationWebhook.sign(bytes(WebhookFixture.canary()), bytes(good)))), bytes(good),
        Reason.BAD_SIGNATURE, null));
    String tampered = good.replace("\"new_version\":\"2\"", "\"new_version\":\"3\"");
    bad.add(new Bad("tampered body", Map.of(RotationWebhook.SIGNATURE_HEADER, List.of(f.sign(good))),
        bytes(tampered), Reason.BAD_SIGNATURE, null));
    byte[] flipped = bytes(good);
    flipped[flipped.length - 2] ^= 1;
    bad.add(new Bad("one bit flipped", Map.of(RotationWebhook.SIGNATURE_HEADER, List.of(f.sign(good))),
        flipped, Reason.BAD_SIGNATURE, null));
    // signed, but not a notice
    for (String body : List.of("", "not json", "[1,2]", "\"text\"", good + " {}", good.substring(1),
        good.replace("}", ",\"delivery_id\":\"x\"}"))) {
      bad.add(signed(f, "malformed " + body.length(), bytes(body), Reason.MALFORMED_BODY, null));
    }
    String ts = "\"timestamp\":" + now.getEpochSecond();
    bad.add(signed(f, "no secret_id", good.replace("\"secret_id\"", "\"other\""),
        Reason.MISSING_FIELD, "secret_id"));
    bad.add(signed(f, "null secret_id", good.replace("\"" + TARGET + "\"", "null"),
        Reason.MISSING_FIELD, "secret_id"));
    bad.add(signed(f, "no new_version", good.replace("\"new_version\"", "\"other\""),
        Reason.MISSING_FIELD, "new_version"));
    bad.add(signed(f, "no timestamp", good.replace("\"timestamp\"", "\"other\""),
        Reason.MISSING_FIELD, "timestamp"));
    bad.add(signed(f, "no delivery_id", good.replace("\"delivery_id\"", "\"other\""),
        Reason.MISSING_FIELD, "delivery_id"));
    bad.add(signed(f, "numeric secret_id", good.replace("\"" + TARGET + "\"", "12"),
        Reason.INVALID_FIELD, "secret_id"));
    bad.add(signed(f, "object version", good.replace("\"new_version\":\"2\"", "\"new_version\":{}"),
        Reason.INVALID_FIELD, "new_version"));
    bad.add(signed(f, "fractional timestamp", good.replace(ts, ts + ".5"),
        Reason.INVALID_FIELD, "timestamp"));
    bad.add(signed(f, "non-RFC 3339 timestamp", good.replace(ts, "\"timestamp\":\"yesterday\""),
        Reason.INVALID_FIELD, "timestamp"));
    bad.add(signed(f, "bad delivery_id", good.replace(deliveryId, deliveryId + " x"),
        Reason.INVALID_FIELD, "delivery_id"));
    // signed and well-formed, but refused
    bad.add(signed(f, "stale", f.body(TARGET.toString(), deliveryId, now.minus(Duration.ofMinutes(6))),
        Reason.STALE_TIMESTAMP, null));
    bad.add(signed(f, "future", f.body(TARGET.toString(), deliveryId, now.plus(Duration.ofMinutes(6))),
        Reason.FUTURE_TIMESTAMP, null));
    bad.add(signed(f, "unknown secret", f.body("no-such-registry-name", deliveryId, now),
        Reason.UNKNOWN_SECRET, null));
    return bad;
  }

  private static Bad signed(WebhookFixture f, String what, String body, Reason reason, String field) {
    return signed(f, what, bytes(body), reason, field);
  }

  private static Bad signed(WebhookFixture f, String what, byte[] body, Reason reason, String field) {
    String sig = RotationWebhook.sign(bytes(f.key), body);
    return new Bad(what, Map.of(RotationWebhook.SIGNATURE_HEADER, List.of(sig)), body, reason, field);
  }

  @Test
  void handle_eachBadInputClass_rejectedWithItsReason_andChangesNothing() {
    try (WebhookFixture f = new WebhookFixture()) {
      String deliveryId = WebhookFixture.newDeliveryId();
      List<Bad> bad = badRequests(f, deliveryId);
      assertThat(bad.stream().map(b -> b.reason).distinct())
          .as("every reason a request can cause by itself").hasSize(9);
      for (Bad b : bad) {
        RotationWebhook.Response r = f.webhook.handle(b.headers, b.body);
        assertThat(r.status()).as(b.what).isEqualTo(b.reason.httpStatus());
        assertThat(r.body()).as(b.what).isEqualTo("{\"error\":\"" + b.reason.code() + "\"}");

        List<String> sigs = b.headers.getOrDefault(RotationWebhook.SIGNATURE_HEADER, List.of());
        String sig = sigs.size() == 1 ? sigs.get(0) : null;
        RotationRejectedException e = catchThrowableOfType(
            () -> f.webhook.accept(sig, b.body), RotationRejectedException.class);
        assertThat(e).as(b.what).isNotNull();
        assertThat(e.reason()).as(b.what).isEqualTo(b.reason);
        assertThat(e.field().orElse(null)).as(b.what).isEqualTo(b.field);
        assertThat(e.getCause()).as(b.what).isNull();
        assertThat(e.getMessage()).as(b.what).startsWith("rotation notice rejected: " + b.reason.code());
      }
      assertThat(f.targetFetches()).as("no refresh for any bad request").isEqualTo(1);

      // nothing was remembered: a valid notice with the same delivery id is accepted
      String good = f.body(TARGET.toString(), deliveryId, f.clock.instant());
      assertThat(f.post(good).status()).isEqualTo(204);
      assertThat(f.targetFetches()).isEqualTo(2);
    }
  }

  @Test
  void handle_inputStreamLongerThanBound_readsOnlyBoundPlusOne() {
    try (WebhookFixture f = new WebhookFixture(b -> b.maxBodyBytes(1024))) {
      int[] read = {0};
      InputStream endless = new InputStream() {
        @Override
        public int read() {
          read[0]++;
          return ' ';
        }
      };
      RotationWebhook.Response r = f.webhook.handle(
          Map.of(RotationWebhook.SIGNATURE_HEADER, List.of(f.sign("x"))), endless);
      assertThat(r.status()).isEqualTo(413);
      assertThat(read[0]).isEqualTo(1025);

      String body = f.body();
      RotationWebhook.Response ok = f.webhook.handle(
          Map.of(RotationWebhook.SIGNATURE_HEADER, List.of(f.sign(body))),
          new ByteArrayInputStream(bytes(body)));
      assertThat(ok.status()).isEqualTo(204);
    }
  }

  @Test
  void handle_unreadableStream_answers400() {
    try (WebhookFixture f = new WebhookFixture()) {
      InputStream broken = new InputStream() {
        @Override
        public int read() throws IOException {
          throw new IOException("reset");
        }
      };
      assertThat(f.webhook.handle(Map.of(), broken).status()).isEqualTo(400);
      assertThat(f.targetFetches()).isEqualTo(1);
    }
  }

  @Test
  void accept_sameDeliveryWithinWindow_refusedAsReplay_withoutRefresh() {
    try (WebhookFixture f = new WebhookFixture()) {
      String body = f.body();
      assertThat(f.post(body).status()).isEqualTo(204);
      f.clock.advance(Duration.ofMinutes(4));
      assertThat(f.post(body).status()).isEqualTo(409);
      assertThatThrownBy(() -> f.webhook.accept(f.sign(body), bytes(body)))
          .isInstanceOfSatisfying(RotationRejectedException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.REPLAYED));
      assertThat(f.targetFetches()).isEqualTo(2);
    }
  }

  @Test
  void accept_sameBodyAfterWindow_refusedAsStale() {
    try (WebhookFixture f = new WebhookFixture()) {
      String body = f.body();
      assertThat(f.post(body).status()).isEqualTo(204);
      f.clock.advance(Duration.ofMinutes(5).plusSeconds(1));
      assertThat(f.post(body).status()).isEqualTo(400);
      assertThatThrownBy(() -> f.webhook.accept(f.sign(body), bytes(body)))
          .isInstanceOfSatisfying(RotationRejectedException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.STALE_TIMESTAMP));
      assertThat(f.targetFetches()).isEqualTo(2);
    }
  }

  @Test
  void accept_timestampAtWindowEdges_acceptedJustInside() {
    try (WebhookFixture f = new WebhookFixture(b -> b.window(Duration.ofSeconds(30)))) {
      Instant now = f.clock.instant();
      assertThat(f.post(f.body(TARGET.toString(), "a", now.minusSeconds(30))).status()).isEqualTo(204);
      assertThat(f.post(f.body(TARGET.toString(), "b", now.plusSeconds(30))).status()).isEqualTo(204);
      assertThat(f.post(f.body(TARGET.toString(), "c", now.minusSeconds(31))).status()).isEqualTo(400);
      assertThat(f.post(f.body(TARGET.toString(), "d", now.plusSeconds(31))).status()).isEqualTo(400);
    }
  }

  @Test
  void accept_futureTimestampedDelivery_rememberedUntilItCouldNoLongerPass() {
    try (WebhookFixture f = new WebhookFixture()) {
      String body = f.body(TARGET.toString(), "future-1", f.clock.instant().plus(Duration.ofMinutes(4)));
      assertThat(f.post(body).status()).isEqualTo(204);
      f.clock.advance(Duration.ofMinutes(8)); // still within 5 min of the body's timestamp
      assertThat(f.post(body).status()).isEqualTo(409);
    }
  }

  @Test
  void accept_deliveryIdReusedAfterItExpired_accepted() {
    try (WebhookFixture f = new WebhookFixture()) {
      assertThat(f.post(f.body(TARGET.toString(), "again", f.clock.instant())).status()).isEqualTo(204);
      f.clock.advance(Duration.ofMinutes(6));
      assertThat(f.post(f.body(TARGET.toString(), "again", f.clock.instant())).status()).isEqualTo(204);
    }
  }

  @Test
  void accept_memoryFullOfLiveIds_refusesNewIds_untilTheyExpire() {
    try (WebhookFixture f = new WebhookFixture(b -> b.maxDeliveryIds(2))) {
      assertThat(f.post(f.body()).status()).isEqualTo(204);
      assertThat(f.post(f.body()).status()).isEqualTo(204);
      int fetches = f.targetFetches();
      RotationWebhook.Response full = f.post(f.body());
      assertThat(full.status()).isEqualTo(503);
      assertThat(full.body()).contains("replay_memory_full");
      assertThat(f.targetFetches()).isEqualTo(fetches);
      f.clock.advance(Duration.ofMinutes(5).plusSeconds(1));
      assertThat(f.post(f.body()).status()).isEqualTo(204);
      assertThat(f.webhookDeliveries()).isEqualTo(1);
    }
  }

  @Test
  void accept_refreshFails_rejected_andDeliveryForgotten_soRetryIsAccepted() {
    try (WebhookFixture f = new WebhookFixture()) {
      f.mem.delete(TARGET_PATH);
      String body = f.body();
      RotationRejectedException e = catchThrowableOfType(
          () -> f.webhook.accept(f.sign(body), bytes(body)), RotationRejectedException.class);
      assertThat(e.reason()).isEqualTo(Reason.REFRESH_FAILED);
      assertThat(e.getCause()).isInstanceOf(SecretNotFoundException.class);
      assertThat(f.post(body).status()).isEqualTo(503);

      f.mem.put(TARGET_PATH, WebhookFixture.canary());
      assertThat(f.post(body).status()).isEqualTo(204);
    }
  }

  @Test
  void accept_refOfSchemeNoProviderServes_isUnknownSecret_notRetriable() {
    try (WebhookFixture f = new WebhookFixture()) {
      assertThat(f.post(f.body("vault://secret/stripe", "v-1", f.clock.instant())).status())
          .isEqualTo(404);
      assertThat(f.targetFetches()).isEqualTo(1);
    }
  }

  @Test
  void accept_signingKeyUnavailable_answers503_withoutRefresh() {
    try (WebhookFixture f = new WebhookFixture()) {
      f.mem.delete(WebhookFixture.KEY_PATH);
      f.client.invalidate(WebhookFixture.KEY_REF);
      String body = f.body();
      assertThat(f.webhook.handle(Map.of(RotationWebhook.SIGNATURE_HEADER, List.of(f.sign(body))),
          bytes(body)).status()).isEqualTo(503);
      RotationRejectedException e = catchThrowableOfType(
          () -> f.webhook.accept(f.sign(body), bytes(body)), RotationRejectedException.class);
      assertThat(e.reason()).isEqualTo(Reason.KEY_UNAVAILABLE);
      assertThat(f.targetFetches()).isEqualTo(1);
    }
  }

  @Test
  void accept_signedWithPreviousKey_duringKeyRotation_accepted() {
    try (WebhookFixture f = new WebhookFixture()) {
      f.client.resolve(WebhookFixture.KEY_REF).close();
      String oldKey = f.key;
      f.mem.put(WebhookFixture.KEY_PATH, WebhookFixture.canary());
      f.client.refresh(WebhookFixture.KEY_REF).close(); // the client now serves both versions
      String body = f.body();
      String sig = RotationWebhook.sign(bytes(oldKey), bytes(body));
      assertThat(f.webhook.handle(Map.of(RotationWebhook.SIGNATURE_HEADER, List.of(sig)), bytes(body))
          .status()).isEqualTo(204);
    }
  }

  @Test
  void refs_customMapping_refreshesEveryMappedRef_andUnmappedIsUnknown() {
    SecretRef second = SecretRef.parse("mem://payments/stripe-webhook");
    try (WebhookFixture f = new WebhookFixture(b -> b.refs(id -> id.equals("arn:stripe")
        ? List.of(TARGET, second, TARGET) : Set.of()))) {
      f.mem.put("payments/stripe-webhook", WebhookFixture.canary());
      String body = f.body("arn:stripe", "m-1", f.clock.instant());
      RotationNotice n = f.webhook.accept(f.sign(body), bytes(body));
      assertThat(n.refs()).containsExactly(TARGET, second);
      assertThat(f.targetFetches()).isEqualTo(2);
      assertThat(f.counting.fetches("payments/stripe-webhook")).isEqualTo(1);

      String unknown = f.body(TARGET.toString(), "m-2", f.clock.instant());
      assertThat(f.post(unknown).status()).isEqualTo(404);
    }
  }

  @Test
  void refs_mappingThatThrows_isUnknownSecret() {
    try (WebhookFixture f = new WebhookFixture(b -> b.refs(id -> {
      throw new IllegalStateException("boom");
    }))) {
      assertThat(f.post(f.body()).status()).isEqualTo(404);
      assertThat(f.targetFetches()).isEqualTo(1);
    }
  }

  @Test
  void onAccepted_listenerThatThrows_doesNotFailTheNotice() {
    try (WebhookFixture f = new WebhookFixture(b -> b.onAccepted(n -> {
      throw new IllegalStateException("listener bug");
    }))) {
      assertThat(f.post(f.body()).status()).isEqualTo(204);
    }
  }

  @Test
  void accept_manyThreadsSameDelivery_exactlyOneAccepted() throws Exception {
    int threads = 16;
    try (WebhookFixture f = new WebhookFixture()) {
      String body = f.body();
      String sig = f.sign(body);
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Callable<Integer>> posts = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
          posts.add(() -> {
            start.await();
            return f.webhook.handle(Map.of(RotationWebhook.SIGNATURE_HEADER, List.of(sig)),
                bytes(body)).status();
          });
        }
        List<Future<Integer>> results = new ArrayList<>();
        for (Callable<Integer> p : posts) {
          results.add(pool.submit(p));
        }
        start.countDown();
        List<Integer> statuses = new ArrayList<>();
        for (Future<Integer> r : results) {
          statuses.add(r.get(20, TimeUnit.SECONDS));
        }
        assertThat(Collections.frequency(statuses, 204)).isEqualTo(1);
        assertThat(Collections.frequency(statuses, 409)).isEqualTo(threads - 1);
        assertThat(f.targetFetches()).isEqualTo(2);
      } finally {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      }
    }
  }

  @Test
  void builder_rejectsBadSettings_namingTheField() {
    try (WebhookFixture f = new WebhookFixture()) {
      RotationWebhook.Builder b = RotationWebhook.builder(f.client, WebhookFixture.KEY_REF);
      assertThatThrownBy(() -> b.window(Duration.ZERO)).hasMessageContaining("window");
      assertThatThrownBy(() -> b.window(Duration.ofHours(2))).hasMessageContaining("window");
      assertThatThrownBy(() -> b.maxBodyBytes(10)).hasMessageContaining("maxBodyBytes");
      assertThatThrownBy(() -> b.maxDeliveryIds(0)).hasMessageContaining("maxDeliveryIds");
      assertThatThrownBy(() -> b.refs(null)).hasMessageContaining("refs");
      assertThatThrownBy(() -> RotationWebhook.builder(null, WebhookFixture.KEY_REF))
          .hasMessageContaining("client");
    }
  }

  @Test
  void sign_isGitHubStyleHeader_overRawBytes() {
    String header = RotationWebhook.sign("key".getBytes(StandardCharsets.UTF_8),
        "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8));
    // the well-known HMAC-SHA-256 test value for this key and message
    assertThat(header).isEqualTo(
        "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
  }
}
