package io.secretsdk.vault.internal;

import io.secretsdk.SecretConfigException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Builds the JDK TLS objects from PEM files: a trust manager for a CA bundle ({@code VAULT_CACERT},
 * replacing the system trust store as the {@code vault} CLI does) and a key manager for a client
 * certificate ({@code VAULT_CLIENT_CERT} + {@code VAULT_CLIENT_KEY}). Certificate verification and
 * host-name checks are never turned off.
 */
public final class TlsSupport {
  private static final Pattern PEM_KEY = Pattern.compile(
      "-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
  private static final int MAX_PEM_BYTES = 1024 * 1024;

  private TlsSupport() {}

  /** The socket factory and trust manager to hand to OkHttp. */
  public static final class Material {
    public final SSLContext context;
    public final X509TrustManager trustManager;

    Material(SSLContext context, X509TrustManager trustManager) {
      this.context = context;
      this.trustManager = trustManager;
    }
  }

  /**
   * Builds TLS material, or returns {@code null} when neither a CA nor a client certificate is given
   * (OkHttp's defaults, the system trust store, then apply).
   *
   * @throws SecretConfigException naming the file that is missing or unusable
   */
  public static Material build(Path caPem, Path clientCertPem, Path clientKeyPem) {
    if (caPem == null && clientCertPem == null) {
      return null;
    }
    try {
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      if (caPem != null) {
        List<X509Certificate> cas = certificates(caPem, "VAULT_CACERT");
        KeyStore ts = KeyStore.getInstance(KeyStore.getDefaultType());
        ts.load(null, null);
        for (int i = 0; i < cas.size(); i++) {
          ts.setCertificateEntry("ca-" + i, cas.get(i));
        }
        tmf.init(ts);
      } else {
        tmf.init((KeyStore) null);
      }
      X509TrustManager tm = null;
      for (TrustManager t : tmf.getTrustManagers()) {
        if (t instanceof X509TrustManager) {
          tm = (X509TrustManager) t;
        }
      }
      if (tm == null) {
        throw new SecretConfigException(caPem, 0, "VAULT_CACERT", "no X.509 trust manager available");
      }
      KeyManager[] kms = null;
      if (clientCertPem != null) {
        List<X509Certificate> chain = certificates(clientCertPem, "VAULT_CLIENT_CERT");
        PrivateKey key = privateKey(clientKeyPem);
        char[] password = new char[24];
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < password.length; i++) {
          password[i] = (char) ('a' + random.nextInt(26));
        }
        try {
          KeyStore ks = KeyStore.getInstance("PKCS12");
          ks.load(null, null);
          ks.setKeyEntry("client", key, password, chain.toArray(new Certificate[0]));
          KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
          kmf.init(ks, password);
          kms = kmf.getKeyManagers();
        } catch (GeneralSecurityException e) {
          throw new SecretConfigException(clientKeyPem, 0, "VAULT_CLIENT_KEY",
              "the private key does not match the client certificate or is unsupported");
        } finally {
          Arrays.fill(password, '\0');
        }
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kms, new TrustManager[] {tm}, null);
      return new Material(ctx, tm);
    } catch (GeneralSecurityException | IOException e) {
      throw new SecretConfigException(caPem != null ? caPem : clientCertPem, 0, "tls",
          "cannot set up TLS: " + e.getClass().getSimpleName());
    }
  }

  private static byte[] read(Path file, String field) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] b = in.readNBytes(MAX_PEM_BYTES + 1);
      if (b.length > MAX_PEM_BYTES) {
        throw new SecretConfigException(file, 0, field, "file is larger than 1 MiB");
      }
      return b;
    } catch (IOException e) {
      throw new SecretConfigException(file, 0, field, "cannot read file: " + e.getClass().getSimpleName());
    }
  }

  private static List<X509Certificate> certificates(Path file, String field) {
    if (Files.isDirectory(file)) {
      // VAULT_CAPATH: every *.pem, *.crt and *.cer file in the directory
      List<X509Certificate> all = new ArrayList<>();
      try (java.util.stream.Stream<Path> files = Files.list(file)) {
        for (Path f : (Iterable<Path>) files.sorted()::iterator) {
          String n = f.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
          if (Files.isRegularFile(f) && (n.endsWith(".pem") || n.endsWith(".crt") || n.endsWith(".cer"))) {
            all.addAll(certificates(f, field));
          }
        }
      } catch (IOException e) {
        throw new SecretConfigException(file, 0, field, "cannot list directory: " + e.getClass().getSimpleName());
      }
      if (all.isEmpty()) {
        throw new SecretConfigException(file, 0, field, "no *.pem, *.crt or *.cer certificate in the directory");
      }
      return all;
    }
    byte[] pem = read(file, field);
    try {
      Collection<? extends Certificate> certs =
          CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem));
      List<X509Certificate> out = new ArrayList<>();
      for (Certificate c : certs) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new SecretConfigException(file, 0, field, "no PEM certificate found");
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw new SecretConfigException(file, 0, field, "not a PEM certificate file");
    }
  }

  private static PrivateKey privateKey(Path file) {
    byte[] raw = read(file, "VAULT_CLIENT_KEY");
    String text = new String(raw, StandardCharsets.US_ASCII);
    Arrays.fill(raw, (byte) 0);
    Matcher m = PEM_KEY.matcher(text);
    if (!m.find()) {
      throw new SecretConfigException(file, 0, "VAULT_CLIENT_KEY", "no PEM private key found");
    }
    String type = m.group(1);
    if (type.startsWith("ENCRYPTED")) {
      throw new SecretConfigException(file, 0, "VAULT_CLIENT_KEY", "encrypted private keys are not supported");
    }
    if (type.startsWith("EC ")) {
      throw new SecretConfigException(file, 0, "VAULT_CLIENT_KEY",
          "SEC1 'EC PRIVATE KEY' is not supported; convert with 'openssl pkcs8 -topk8 -nocrypt'");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(m.group(2));
    } catch (IllegalArgumentException e) {
      throw new SecretConfigException(file, 0, "VAULT_CLIENT_KEY", "private key is not valid base64");
    }
    byte[] pkcs8 = type.startsWith("RSA ") ? wrapPkcs1(der) : der;
    try {
      PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(pkcs8);
      for (String alg : new String[] {"RSA", "EC", "Ed25519", "Ed448"}) {
        try {
          return KeyFactory.getInstance(alg).generatePrivate(spec);
        } catch (GeneralSecurityException e) {
          // try the next algorithm
        }
      }
      throw new SecretConfigException(file, 0, "VAULT_CLIENT_KEY", "unsupported private key algorithm");
    } finally {
      Arrays.fill(der, (byte) 0);
      Arrays.fill(pkcs8, (byte) 0);
    }
  }

  /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo. */
  private static byte[] wrapPkcs1(byte[] pkcs1) {
    byte[] algId = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    byte[] version = {0x02, 0x01, 0x00};
    ByteArrayOutputStream octet = new ByteArrayOutputStream();
    octet.write(0x04);
    writeLength(octet, pkcs1.length);
    octet.writeBytes(pkcs1);
    byte[] octetBytes = octet.toByteArray();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x30);
    writeLength(out, version.length + algId.length + octetBytes.length);
    out.writeBytes(version);
    out.writeBytes(algId);
    out.writeBytes(octetBytes);
    Arrays.fill(octetBytes, (byte) 0);
    return out.toByteArray();
  }

  private static void writeLength(ByteArrayOutputStream out, int len) {
    if (len < 0x80) {
      out.write(len);
    } else if (len < 0x100) {
      out.write(0x81);
      out.write(len);
    } else if (len < 0x10000) {
      out.write(0x82);
      out.write(len >> 8);
      out.write(len & 0xff);
    } else {
      out.write(0x83);
      out.write(len >> 16);
      out.write((len >> 8) & 0xff);
      out.write(len & 0xff);
    }
  }
}
