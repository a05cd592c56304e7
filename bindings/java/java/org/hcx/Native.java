package org.hcx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The native methods (libhcx_jni, Rust) and the two encodings across the boundary: lists go
 * down as frames (a 4-byte big-endian length, then the bytes), and every answer comes back as
 * {@code code NUL reason NUL text} in UTF-8 (code and reason empty on success).
 */
final class Native {
    static {
        // -Dhcx.library=/path/to/libhcx_jni.so for a library outside java.library.path;
        // otherwise the platform's lookup (on Android: the APK's jniLibs/<abi>/libhcx_jni.so).
        String path = System.getProperty("hcx.library");
        if (path != null) {
            System.load(path);
        } else {
            System.loadLibrary("hcx_jni");
        }
    }

    private Native() {}

    static native byte[] newVerifier(byte[] inputs, byte[] roots, int threshold, long minSequence, long now, long skewSeconds,
            long statusMaxAge, boolean rejectMissingStatus, boolean acceptStaleStatus, byte[] statusFloors);

    static native void freeVerifier(long handle);

    static native byte[] verifyText(long handle, byte[] text, long at);

    static native byte[] verifyChunks(long handle, byte[] chunks, long at);

    static native byte[] verifyImage(long handle, byte[] image, long at);

    static native byte[] verifyMany(long handle, byte[] texts, long at);

    static native byte[] decode(byte[] text);

    static native byte[] issue(byte[] privateKeyPem, byte[] claimsJson, byte[] issuer, long issuedAt, long expiresAt, boolean hasNotBefore, long notBefore);

    static native byte[] keygen();

    static native byte[] publicKey(byte[] pem);

    /** UTF-8 of a string (a lone surrogate becomes '?', as Java always encodes it). */
    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Frames a list of byte arrays. */
    static byte[] frames(List<byte[]> items) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] item : items) {
            int n = item.length;
            out.write(n >>> 24);
            out.write(n >>> 16);
            out.write(n >>> 8);
            out.write(n);
            out.write(item, 0, n);
        }
        return out.toByteArray();
    }

    /** Frames a list of strings, as UTF-8. */
    static byte[] textFrames(List<String> texts) {
        List<byte[]> items = new ArrayList<>(texts.size());
        for (String t : texts) {
            items.add(utf8(t));
        }
        return frames(items);
    }

    /** Reads the answers in {@code bytes[from, to)}: one, or several each ending with '\n'. */
    static List<Verdict> answers(byte[] bytes, boolean lines) {
        List<Verdict> out = new ArrayList<>();
        int i = 0;
        while (i < bytes.length) {
            int code = indexOf(bytes, (byte) 0, i, bytes.length);
            int reason = indexOf(bytes, (byte) 0, code + 1, bytes.length);
            int end = lines ? indexOf(bytes, (byte) '\n', reason + 1, bytes.length) : bytes.length;
            if (code < 0 || reason < 0 || end < 0) {
                throw new IllegalStateException("hcx: a malformed answer from the native library");
            }
            out.add(new Verdict(
                    string(bytes, i, code), string(bytes, code + 1, reason), string(bytes, reason + 1, end)));
            i = lines ? end + 1 : end;
        }
        return out;
    }

    /** The one answer of a call. */
    static Verdict answer(byte[] bytes) {
        List<Verdict> all = answers(bytes, false);
        if (all.size() != 1) {
            throw new IllegalStateException("hcx: a malformed answer from the native library");
        }
        return all.get(0);
    }

    /** The text of a successful answer, or the failure as an exception. */
    static String textOrThrow(byte[] bytes) throws HcxException {
        Verdict v = answer(bytes);
        if (!v.isValid()) {
            throw new HcxException(v.code(), v.reason(), v.json());
        }
        return v.json();
    }

    private static String string(byte[] bytes, int from, int to) {
        return from == to ? null : new String(bytes, from, to - from, StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] bytes, byte b, int from, int to) {
        if (from < 0) {
            return -1;
        }
        for (int i = from; i < to; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
