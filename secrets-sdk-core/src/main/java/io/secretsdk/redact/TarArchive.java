package io.secretsdk.redact;

import java.nio.charset.StandardCharsets;

/**
 * The members of a tar archive held in memory (POSIX ustar, pax and GNU formats, as
 * {@code tar -czf} writes them inside a {@code .tar.gz}), for the {@link LeakScanner}: regular
 * files only, named by their full path (ustar prefix, GNU long names, pax {@code path}).
 */
final class TarArchive {
  private static final int BLOCK = 512;

  private TarArchive() {}

  /** Receives a regular member: its path and its data, {@code tar[from, to)}. */
  @FunctionalInterface
  interface Member {
    void accept(String path, int from, int to);
  }

  /** A ustar, pax or GNU tar: the {@code ustar} magic at offset 257 of the first header. */
  static boolean isTar(byte[] b) {
    return b.length >= BLOCK && b[257] == 'u' && b[258] == 's' && b[259] == 't' && b[260] == 'a'
        && b[261] == 'r' && (b[262] == 0 || b[262] == ' ') && checksumMatches(b, 0);
  }

  /**
   * Hands each regular member to {@code sink}, in order.
   *
   * @return {@code null} when the archive was read to its end, else what is wrong with it (the
   *     members before the damage, and what there is of a truncated one, were handed over)
   */
  static String read(byte[] tar, Member sink) {
    String longName = null;
    int pos = 0;
    while (pos + BLOCK <= tar.length) {
      if (isZeros(tar, pos)) {
        return null; // end-of-archive blocks
      }
      if (!checksumMatches(tar, pos)) {
        return "bad header checksum at offset " + pos;
      }
      long size = number(tar, pos + 124, 12);
      if (size < 0) {
        return "bad member size at offset " + pos;
      }
      int from = pos + BLOCK;
      long end = from + size;
      int to = (int) Math.min(end, tar.length);
      byte type = tar[pos + 156];
      String path = longName != null ? longName : headerPath(tar, pos);
      longName = null;
      if (type == 'L') {
        longName = cString(tar, from, to);
      } else if (type == 'x') {
        longName = paxPath(tar, from, to);
      } else if (type == '0' || type == 0 || type == '7') {
        sink.accept(path, from, to);
      }
      if (end > tar.length) {
        return "member " + path + " truncated";
      }
      pos = (int) (from + (size + BLOCK - 1) / BLOCK * BLOCK);
    }
    return pos >= tar.length ? null : "truncated header at offset " + pos;
  }

  private static boolean isZeros(byte[] b, int pos) {
    for (int i = pos; i < pos + BLOCK; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** The header's checksum field equals the sum of its bytes, the field counted as spaces. */
  private static boolean checksumMatches(byte[] b, int pos) {
    long stored = number(b, pos + 148, 8);
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) {
      sum += i >= 148 && i < 156 ? ' ' : b[pos + i] & 0xFF;
    }
    return stored == sum;
  }

  /** An octal field (NUL- or space-terminated), or GNU base-256 when the top bit is set; -1 if bad. */
  private static long number(byte[] b, int off, int len) {
    if ((b[off] & 0x80) != 0) {
      long v = b[off] & 0x7F;
      for (int i = off + 1; i < off + len; i++) {
        if (v > (Long.MAX_VALUE >> 8)) {
          return -1;
        }
        v = (v << 8) | (b[i] & 0xFF);
      }
      return v;
    }
    long v = 0;
    int i = off;
    while (i < off + len && b[i] == ' ') {
      i++;
    }
    for (; i < off + len && b[i] != 0 && b[i] != ' '; i++) {
      if (b[i] < '0' || b[i] > '7' || v > (Long.MAX_VALUE >> 3)) {
        return -1;
      }
      v = (v << 3) | (b[i] - '0');
    }
    return v;
  }

  /** The name field, after the ustar prefix field when the header is POSIX ustar. */
  private static String headerPath(byte[] b, int pos) {
    String name = cString(b, pos, pos + 100);
    boolean posix = b[pos + 262] == 0;
    String prefix = posix ? cString(b, pos + 345, pos + 500) : "";
    return prefix.isEmpty() ? name : prefix + "/" + name;
  }

  private static String cString(byte[] b, int from, int to) {
    int end = from;
    while (end < to && b[end] != 0) {
      end++;
    }
    return new String(b, from, end - from, StandardCharsets.UTF_8);
  }

  /** The {@code path} record of pax extended headers ({@code "<len> path=<value>\n"}), or null. */
  private static String paxPath(byte[] b, int from, int to) {
    int i = from;
    while (i < to) {
      int space = i;
      while (space < to && b[space] != ' ') {
        space++;
      }
      int len;
      try {
        len = Integer.parseInt(new String(b, i, space - i, StandardCharsets.US_ASCII));
      } catch (NumberFormatException e) {
        return null;
      }
      int recordEnd = i + len;
      if (len <= 0 || recordEnd > to || space + 1 > recordEnd - 1) {
        return null;
      }
      String record = new String(b, space + 1, recordEnd - space - 2, StandardCharsets.UTF_8);
      if (record.startsWith("path=")) {
        return record.substring(5);
      }
      i = recordEnd;
    }
    return null;
  }
}
