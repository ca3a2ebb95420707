package io.secretsdk.http.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Whether a host is this machine, for the rule "plain {@code http} only to loopback": exactly
 * {@code localhost} or a loopback address literal ({@code 127.0.0.0/8}, {@code [::1]}). The literal
 * is parsed, never looked up: {@code 127.attacker.example} is a name, so it is not loopback.
 *
 * <p>Stateless and thread-safe.
 */
public final class LoopbackAddress {
  private static final Pattern IPV4_LITERAL =
      Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final Pattern IPV6_LITERAL = Pattern.compile("[0-9a-f:.]*:[0-9a-f:.]*");

  private LoopbackAddress() {}

  /** Whether {@code host} (as in a URL, IPv6 in brackets or not) is loopback; false for null. */
  public static boolean is(String host) {
    if (host == null) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.equals("localhost")) {
      return true;
    }
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (!IPV4_LITERAL.matcher(h).matches() && !IPV6_LITERAL.matcher(h).matches()) {
      return false;
    }
    try {
      // a dotted quad or a text with ':' is parsed as an address, without any name lookup
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
