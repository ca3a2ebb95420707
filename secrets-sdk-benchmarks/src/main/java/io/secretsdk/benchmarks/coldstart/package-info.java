/**
 * The whole-process cold-start harness ({@code secrets-sdk-benchmarks/cold-start.sh}): one small
 * main per variant, each starting cold, reading one secret from a local Secrets Manager endpoint
 * ({@link io.secretsdk.benchmarks.coldstart.ColdStartServer}) and exiting, so the script can time
 * JVM start to value in hand.
 */
package io.secretsdk.benchmarks.coldstart;
