package io.secretsdk.aws;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Response shapes taken from AWS's documented examples (botocore), to be filled in by a test. */
final class SpecShapes {
  private SpecShapes() {}

  /** A copy of the first documented {@code GetSecretValue} output (skips the test when absent). */
  static ObjectNode getSecretValue() {
    return example("GetSecretValue");
  }

  /** A copy of the first documented {@code DescribeSecret} output. */
  static ObjectNode describeSecret() {
    return example("DescribeSecret");
  }

  /** A copy of the first documented output of {@code operation} (skips the test when absent). */
  static ObjectNode example(String operation) {
    return (ObjectNode) Specs.require("botocore/examples-1.json").path("examples").path(operation)
        .get(0).get("output").deepCopy();
  }
}
