/**
 * The resolve engine behind {@link io.secretsdk.SecretsClient}, exported only to the SDK's own
 * modules.
 *
 * <h2>Parts</h2>
 * <table>
 *   <caption>the engine's collaborators</caption>
 *   <tr><th>type</th><th>job</th></tr>
 *   <tr><td>{@link io.secretsdk.internal.DefaultSecretsClient}</td><td>the entry point: routing,
 *       policy, the hit path, single-flight misses, and every change to a ref's entry (one short
 *       {@code compute}, no I/O inside)</td></tr>
 *   <tr><td>{@code CacheEntry}, {@code CachedValue}</td><td>one ref's state and one version's
 *       bytes (optimistic copy, wiped for good under a write lock)</td></tr>
 *   <tr><td>{@code Loader}</td><td>one provider call with retries: a resilience4j {@code Retry}
 *       per scheme built once per client; waits on the client's ticker</td></tr>
 *   <tr><td>{@code Maintenance}</td><td>the client's schedule: refresh without a reader, wiping
 *       at expiry, grace-ending warnings</td></tr>
 *   <tr><td>{@code RotationKeeper}</td><td>previous versions for the rotation grace window,
 *       independent of cache evictions</td></tr>
 *   <tr><td>{@code Auditor}</td><td>audit events and resolve metrics</td></tr>
 *   <tr><td>{@code EngineClock}</td><td>the ticker, coarse on the hit path with the system
 *       ticker</td></tr>
 *   <tr><td>{@code Generations}</td><td>per-ref (striped) generations: a fetch that started
 *       before an invalidation is served once and not cached</td></tr>
 * </table>
 *
 * <h2>A ref's states</h2>
 * At most one provider call per ref per backoff interval, whatever the sequence of calls; each
 * row is one transition ({@code EngineModelTest} checks them against a reference model).
 * <table>
 *   <caption>states and transitions of one ref</caption>
 *   <tr><th>state</th><th>event</th><th>next state</th></tr>
 *   <tr><td>absent</td><td>resolve</td><td>loading (one in-flight call; other readers
 *       join it)</td></tr>
 *   <tr><td>loading</td><td>value</td><td>fresh (TTL: the provider's, capped by registry,
 *       environment and policy)</td></tr>
 *   <tr><td>loading</td><td>transient failure ({@code ProviderUnavailableException}, after
 *       retries) or a provider {@code RuntimeException} (typed, not retried)</td><td>serving-stale
 *       if a value is inside its stale window, else backing-off: 0.5&ndash;1x the backoff, doubled
 *       per failure in a row up to the maximum</td></tr>
 *   <tr><td>loading</td><td>not found, denied, policy, invalid, any other
 *       {@code SecretException}</td><td>negative for the negative TTL</td></tr>
 *   <tr><td>fresh</td><td>refresh point passed (a hit, or the schedule when read within
 *       {@code keepWarm} TTLs)</td><td>refreshing (one background call)</td></tr>
 *   <tr><td>refreshing</td><td>new version</td><td>fresh; the old version to the rotation keeper
 *       for the grace window, listeners and audit told</td></tr>
 *   <tr><td>refreshing</td><td>transient, runtime or other failure</td><td>fresh, with no other
 *       attempt before a quarter of the remaining TTL</td></tr>
 *   <tr><td>refreshing</td><td>not found, denied, policy</td><td>negative; the value and its
 *       previous versions wiped</td></tr>
 *   <tr><td>fresh, serving-stale</td><td>expiry (and stale window) passed</td><td>absent: wiped by
 *       the schedule at that time</td></tr>
 *   <tr><td>negative, backing-off</td><td>its time passed</td><td>absent</td></tr>
 *   <tr><td>any</td><td>{@code refresh} or {@code warmUp}</td><td>as loading, except that a
 *       backing-off ref answers with its failure and no call, and a servable value survives a
 *       failure other than not-found or denied</td></tr>
 *   <tr><td>any</td><td>{@code invalidate}, {@code revoke}, {@code close}</td><td>absent
 *       (revoked): value and previous versions wiped, generation bumped</td></tr>
 * </table>
 * A previous version stays resolvable ({@code resolveAll}) until its grace window ends; a warning
 * goes to listeners and the audit sink {@code graceWarning} (1 h) before that.
 */
package io.secretsdk.internal;
