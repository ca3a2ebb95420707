package io.secretsdk.aws;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntFunction;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/**
 * Plays STS {@code AssumeRoleWithWebIdentity} (awsQuery protocol: form-encoded POST, XML answer).
 * Each call issues credentials numbered from 1 ({@link #credentials} says which), expiring when
 * {@link #expiry} says.
 */
final class FakeSts extends Dispatcher {
  final List<Map<String, String>> calls = new CopyOnWriteArrayList<>();
  final List<String> problems = new CopyOnWriteArrayList<>();
  final AtomicInteger issued = new AtomicInteger();
  volatile Function<Integer, Instant> expiry = n -> Instant.now().plusSeconds(3600);
  volatile Function<Map<String, String>, MockResponse> override;
  /** The access key id, secret key and session token of the n-th credentials issued. */
  volatile IntFunction<String[]> credentials =
      n -> new String[] {accessKey(n), Leaks.CANARY_STS_SECRET + n, sessionToken(n)};

  static String accessKey(int n) {
    return "ASIASTSFAKE" + n;
  }

  static String sessionToken(int n) {
    return Leaks.CANARY_SESSION + "-" + n;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    Map<String, String> form = new LinkedHashMap<>();
    String body = request.getBody() == null ? "" : request.getBody().utf8();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    String contentType = request.getHeaders().get("Content-Type");
    if (!"POST".equals(request.getMethod()) || !"/".equals(request.getUrl().encodedPath())
        || contentType == null || !contentType.startsWith("application/x-www-form-urlencoded")
        || !"AssumeRoleWithWebIdentity".equals(form.get("Action"))
        || !"2011-06-15".equals(form.get("Version")) || form.get("RoleArn") == null
        || form.get("RoleSessionName") == null || form.get("WebIdentityToken") == null) {
      problems.add("not a well-formed AssumeRoleWithWebIdentity request");
    }
    if (request.getHeaders().get("Authorization") != null) {
      problems.add("AssumeRoleWithWebIdentity must not be signed");
    }
    calls.add(form);
    if (override != null) {
      return override.apply(form);
    }
    int n = issued.incrementAndGet();
    String[] c = credentials.apply(n);
    String xml = "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
        + "<AssumeRoleWithWebIdentityResult>"
        + "<SubjectFromWebIdentityToken>repo:org/app:ref:refs/heads/main</SubjectFromWebIdentityToken>"
        + "<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/ci/secrets-sdk</Arn>"
        + "<AssumedRoleId>AROACLKWSDQRAOEXAMPLE:secrets-sdk</AssumedRoleId></AssumedRoleUser>"
        + "<Credentials><SessionToken>" + c[2] + "</SessionToken>"
        + "<SecretAccessKey>" + c[1] + "</SecretAccessKey>"
        + "<Expiration>" + expiry.apply(n) + "</Expiration>"
        + "<AccessKeyId>" + c[0] + "</AccessKeyId></Credentials>"
        + "<Audience>sts.amazonaws.com</Audience></AssumeRoleWithWebIdentityResult>"
        + "<ResponseMetadata><RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId>"
        + "</ResponseMetadata></AssumeRoleWithWebIdentityResponse>";
    return new MockResponse.Builder().code(200).setHeader("Content-Type", "text/xml").body(xml).build();
  }

  static MockResponse error(int status, String code, String message) {
    return new MockResponse.Builder().code(status).setHeader("Content-Type", "text/xml")
        .body("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
            + "<Type>Sender</Type><Code>" + code + "</Code><Message>" + message + "</Message>"
            + "</Error><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>")
        .build();
  }
}
