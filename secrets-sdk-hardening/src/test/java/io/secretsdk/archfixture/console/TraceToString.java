package io.secretsdk.archfixture.console;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Allowed by the console rule: a stack trace printed into a string, not to System.err. */
public final class TraceToString {
  String trace(Exception e) {
    StringWriter w = new StringWriter();
    e.printStackTrace(new PrintWriter(w));
    return w.toString();
  }
}
