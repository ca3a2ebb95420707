package io.secretsdk.vault;

import static io.secretsdk.vault.VaultHarness.CTX;
import static io.secretsdk.vault.VaultHarness.ref;
import static io.secretsdk.vault.VaultHarness.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import mockwebserver3.MockWebServer;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
final class VaultTlsTest {
  private static final String READ = "{\"data\":{\"data\":{\"k\":\"tls-ok\"},\"metadata\":{\"version\":1}}}";

  @TempDir Path dir;
  private final MockWebServer server = new MockWebServer();
  private VaultHarness h;
  private HeldCertificate serverRoot;
  private HeldCertificate clientRoot;
  private HeldCertificate serverCert;

  @BeforeEach
  void setUp() {
    serverRoot = new HeldCertificate.Builder().certificateAuthority(0).commonName("test vault root").build();
    clientRoot = new HeldCertificate.Builder().certificateAuthority(0).commonName("test client root").build();
    serverCert = new HeldCertificate.Builder().commonName("vault").addSubjectAlternativeName("localhost")
        .addSubjectAlternativeName("127.0.0.1").signedBy(serverRoot).build();
  }

  @AfterEach
  void tearDown() {
    if (h != null) {
      h.close();
    }
    server.close();
  }

  private void start(boolean requireClientCert) throws Exception {
    HandshakeCertificates certs = new HandshakeCertificates.Builder()
        .heldCertificate(serverCert, serverRoot.certificate())
        .addTrustedCertificate(clientRoot.certificate())
        .build();
    server.useHttps(certs.sslSocketFactory());
    if (requireClientCert) {
      server.requireClientAuth();
    }
    server.start();
    h = new VaultHarness(server).lookupSelf(3600, true);
    h.vault.on("GET", "secret/data/app", "kv-v2-read", 200, READ);
  }

  private Path write(String name, String pem) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, pem);
    return p;
  }

  @Test
  void fetch_customCa_trustsServer() throws Exception {
    start(false);
    Path ca = write("ca.pem", serverRoot.certificatePem());
    VaultSecretProvider vault = h.provider(h.options().caCertificate(ca).build());

    assertThat(text(h.fetch(vault, ref("vault://secret/app#k"), CTX).value())).isEqualTo("tls-ok");
    assertThat(h.address()).startsWith("https://");
  }

  @Test
  void fetch_caDirectoryLikeVaultCapath_trustsServer() throws Exception {
    start(false);
    Path caDir = Files.createDirectory(dir.resolve("cas"));
    Files.writeString(caDir.resolve("other.crt"), clientRoot.certificatePem());
    Files.writeString(caDir.resolve("vault-root.pem"), serverRoot.certificatePem());
    Files.writeString(caDir.resolve("README"), "not a certificate");
    VaultOptions options = VaultSecretProviderFactory.options(io.secretsdk.spi.ProviderSettings.of(java.util.Map.of(),
        java.util.Map.of("VAULT_ADDR", h.address(), "VAULT_TOKEN", VaultHarness.CANARY_TOKEN, "VAULT_CAPATH", caDir.toString())::get));
    VaultSecretProvider vault = h.provider(options.toBuilder().ticker(h.ticker).mount("secret", MountKind.KV_V2).build());

    assertThat(text(h.fetch(vault, ref("vault://secret/app#k"), CTX).value())).isEqualTo("tls-ok");
  }

  @Test
  void fetch_untrustedServer_failsVerification() throws Exception {
    start(false);
    Path otherCa = write("other.pem", clientRoot.certificatePem());
    VaultSecretProvider vault = h.provider(h.options().caCertificate(otherCa).build());

    Throwable t = h.check(catchThrowable(() -> h.fetch(vault, ref("vault://secret/app#k"), CTX)));

    assertThat(t).isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("SSL");
    assertThat(h.vault.requests()).isEmpty();
  }

  @Test
  void fetch_systemTrustStore_doesNotTrustTestCa() throws Exception {
    start(false);
    VaultSecretProvider vault = h.provider(h.options().build());

    assertThatThrownBy(() -> h.fetch(vault, ref("vault://secret/app#k"), CTX)).isInstanceOf(ProviderUnavailableException.class);
  }

  @Test
  void fetch_mutualTlsWithPkcs8Key_presentsClientCertificate() throws Exception {
    start(true);
    HeldCertificate client = new HeldCertificate.Builder().commonName("runner").signedBy(clientRoot).build();
    VaultSecretProvider vault = h.provider(h.options()
        .caCertificate(write("ca.pem", serverRoot.certificatePem()))
        .clientCertificate(write("client.pem", client.certificatePem()), write("client.key", client.privateKeyPkcs8Pem()))
        .build());

    assertThat(text(h.fetch(vault, ref("vault://secret/app#k"), CTX).value())).isEqualTo("tls-ok");
    assertThat(h.vault.requests().get(0).getHandshake().peerPrincipal().getName()).contains("CN=runner");
  }

  @Test
  void fetch_mutualTlsWithPkcs1RsaKey_presentsClientCertificate() throws Exception {
    start(true);
    HeldCertificate client = new HeldCertificate.Builder().rsa2048().commonName("runner-rsa").signedBy(clientRoot).build();
    VaultSecretProvider vault = h.provider(h.options()
        .caCertificate(write("ca.pem", serverRoot.certificatePem()))
        .clientCertificate(write("client.pem", client.certificatePem()), write("client.key", client.privateKeyPkcs1Pem()))
        .build());

    assertThat(text(h.fetch(vault, ref("vault://secret/app#k"), CTX).value())).isEqualTo("tls-ok");
  }

  @Test
  void fetch_clientCertificateRequiredButAbsent_fails() throws Exception {
    start(true);
    VaultSecretProvider vault = h.provider(h.options().caCertificate(write("ca.pem", serverRoot.certificatePem())).build());

    assertThatThrownBy(() -> h.fetch(vault, ref("vault://secret/app#k"), CTX)).isInstanceOf(ProviderUnavailableException.class);
  }

  @Test
  void create_unusableTlsFiles_throwConfigExceptionNamingVariable() throws Exception {
    start(false);
    Path notPem = write("junk.pem", "not a certificate");
    Path cert = write("client.pem", serverCert.certificatePem());
    Path encrypted = write("enc.key", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");

    assertThatThrownBy(() -> VaultSecretProvider.create(h.options().caCertificate(notPem).build()))
        .isInstanceOf(SecretConfigException.class).hasMessageContaining("VAULT_CACERT");
    assertThatThrownBy(() -> VaultSecretProvider.create(h.options().caCertificate(dir.resolve("absent.pem")).build()))
        .isInstanceOf(SecretConfigException.class).hasMessageContaining("cannot read");
    assertThatThrownBy(() -> VaultSecretProvider.create(h.options().clientCertificate(cert, encrypted).build()))
        .isInstanceOf(SecretConfigException.class).hasMessageContaining("encrypted");
    assertThatThrownBy(() -> VaultSecretProvider.create(h.options().clientCertificate(cert, notPem).build()))
        .isInstanceOf(SecretConfigException.class).hasMessageContaining("VAULT_CLIENT_KEY");
  }
}
