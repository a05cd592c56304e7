package org.hcx;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;

/**
 * A single verify through JNI ({@link Verifier#verify}: UTF-8, the lock, the native call, the
 * verdict JSON back into a Java string) against the facade's verify_text called from Rust in
 * the same process (facadeNanos, built only with the glue's `bench` feature), interleaved
 * round by round. Usage: Bench FIXTURES_DIR ROUNDS N
 */
public final class Bench {
    private Bench() {}

    static native long facadeNanos(long handle, byte[] text, long at, int iterations);

    public static void main(String[] args) throws Exception {
        Path fixtures = Paths.get(args[0]);
        int rounds = Integer.parseInt(args[1]);
        int n = Integer.parseInt(args[2]);
        byte[] trust = Files.readAllBytes(fixtures.resolve("trust/main.json"));
        String root = new String(Files.readAllBytes(fixtures.resolve("keys/root-1.pub.pem")), StandardCharsets.UTF_8);
        String code = new String(Files.readAllBytes(fixtures.resolve("samples/reference-code.txt")), StandardCharsets.UTF_8).trim();
        byte[] codeBytes = code.getBytes(StandardCharsets.UTF_8);
        long at = 1795251600L;
        // The baseline's own native verifier, built as Verifier builds its own.
        long handle = Long.parseLong(Native.textOrThrow(Native.newVerifier(
                Native.frames(Arrays.asList(trust)), Native.textFrames(Arrays.asList(root)), 1, 0, at, 300,
                0, false, false, new byte[0])));
        try (Verifier v = new Verifier(trust, root, at, 300)) {
            // Warm up: the JIT, and both verifiers' key tables (built on use).
            for (int i = 0; i < 5000; i++) {
                if (!v.verify(code, at).isValid()) {
                    throw new IllegalStateException("the reference code does not verify");
                }
            }
            facadeNanos(handle, codeBytes, at, 5000);
            double[] ratios = new double[rounds];
            double jniTotal = 0;
            double facadeTotal = 0;
            int sink = 0;
            for (int r = 0; r < rounds; r++) {
                long jni = 0;
                long facade = 0;
                for (int pass = 0; pass < 2; pass++) {
                    if ((pass == 0) == (r % 2 == 0)) {
                        long t0 = System.nanoTime();
                        for (int i = 0; i < n; i++) {
                            sink += v.verify(code, at).json().length();
                        }
                        jni = System.nanoTime() - t0;
                    } else {
                        facade = facadeNanos(handle, codeBytes, at, n);
                    }
                }
                ratios[r] = (double) jni / facade;
                jniTotal += jni;
                facadeTotal += facade;
            }
            Arrays.sort(ratios);
            System.out.printf("Java Verifier.verify through JNI: %.1f us/call; facade verify_text from Rust: %.1f us/call (%d)%n",
                    jniTotal / rounds / n / 1000, facadeTotal / rounds / n / 1000, sink % 2);
            System.out.printf("JNI / facade verify_text: median %.3f (range %.3f-%.3f), %d rounds x %d calls%n",
                    ratios[rounds / 2], ratios[0], ratios[rounds - 1], rounds, n);
        } finally {
            Native.freeVerifier(handle);
        }
    }
}
