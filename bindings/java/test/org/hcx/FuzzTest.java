package org.hcx;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A bounded fuzz run across the JNI boundary: random bytes, random strings (lone surrogates,
 * NULs, huge code points), mutated codes, pictures, trust lists, roots, keys and claims into
 * every method, and nulls. Every call must return a well-formed verdict or throw HcxException
 * (or NullPointerException for a null); nothing may crash the JVM. Then the same work again
 * must not grow the process's resident memory (a leak across the boundary would).
 * Usage: FuzzTest FIXTURES_DIR ITERATIONS SEED SECONDS
 */
public final class FuzzTest {
    private static Random random;
    private static int bad;

    private static byte[] mutate(byte[] seed) {
        byte[] out;
        switch (random.nextInt(4)) {
            case 0:
                out = new byte[random.nextInt(600)];
                random.nextBytes(out);
                return out;
            case 1:
                out = Arrays.copyOf(seed, seed.length);
                for (int k = 0; k < 1 + random.nextInt(4) && out.length > 0; k++) {
                    out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
                }
                return random.nextInt(3) == 0 ? Arrays.copyOf(out, random.nextInt(out.length + 1)) : out;
            default:
                return Arrays.copyOf(seed, random.nextInt(seed.length + 1));
        }
    }

    private static String mutateText(String seed) {
        if (random.nextInt(4) == 0) {
            char[] cs = new char[random.nextInt(300)];
            for (int i = 0; i < cs.length; i++) {
                cs[i] = (char) random.nextInt(0x10000); // lone surrogates, NULs and all
            }
            return new String(cs);
        }
        return new String(mutate(seed.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    private static void wellFormed(String what, Verdict v) {
        boolean ok = v.json().startsWith("{") && v.json().endsWith("}")
                && (v.isValid() ? v.json().endsWith("\"valid\":true}") : v.json().endsWith("\"valid\":false}") && v.code() != null);
        if (!ok) {
            bad++;
            System.err.println("FAIL " + what + ": " + v.json());
        }
    }

    private static void round(Verifier v, byte[] code, byte[] png, byte[] trust, String root, String key, long now, int iterations) {
        String text = new String(code, StandardCharsets.UTF_8);
        for (int i = 0; i < iterations; i++) {
            long at = now + random.nextInt(200000) - 100000;
            try {
                switch (i % 7) {
                    case 0:
                    case 1:
                        wellFormed("verify", v.verify(mutateText(text), at));
                        break;
                    case 2:
                        wellFormed("verifyChunks", v.verifyChunks(Arrays.asList(mutateText(text), mutateText("shc:/1/2/0123")), at));
                        break;
                    case 3: {
                        byte[] image = random.nextBoolean() ? mutate(png) : Arrays.copyOf(png, png.length);
                        if (image.length == png.length) {
                            for (int k = 0; k < 8; k++) {
                                image[random.nextInt(image.length)] ^= (byte) random.nextInt(256);
                            }
                        }
                        wellFormed("verifyImage", v.verifyImage(image, at));
                        break;
                    }
                    case 4:
                        for (Verdict x : v.verifyMany(Arrays.asList(mutateText(text), mutateText(text), text), at)) {
                            wellFormed("verifyMany", x);
                        }
                        break;
                    case 5:
                        // Random status options too: negative ages and mutated issuer ids.
                        StatusPolicy status = new StatusPolicy().maxAgeSeconds(random.nextInt(5) - 2)
                                .minSequence(mutateText("dingtalk"), random.nextLong());
                        if (random.nextBoolean()) {
                            status.rejectMissing();
                        }
                        if (random.nextBoolean()) {
                            status.acceptStale();
                        }
                        try (Verifier w = new Verifier(Collections.singletonList(mutate(trust)), Collections.singletonList(mutateText(root)),
                                random.nextInt(3) - 1, random.nextInt(3) - 1, at, 300, status)) {
                            wellFormed("a fuzzed verifier", w.verify(text, at));
                        } catch (HcxException expected) {
                            if (expected.code() == null || !expected.json().startsWith("{")) {
                                bad++;
                            }
                        }
                        break;
                    default:
                        try {
                            Hcx.issue(random.nextBoolean() ? key : mutateText(key), mutateText("{\"status\":\"green\",\"subject\":{\"name\":\"A\"}}"),
                                    mutateText("dingtalk"), at, at + random.nextInt(100000) - 1000, random.nextBoolean() ? null : at);
                        } catch (HcxException expected) {
                            if (expected.code() == null) {
                                bad++;
                            }
                        }
                        try {
                            Hcx.decode(mutateText(text));
                        } catch (HcxException expected) {
                            if (expected.code() == null) {
                                bad++;
                            }
                        }
                        break;
                }
            } catch (NullPointerException | IllegalStateException e) {
                bad++;
                System.err.println("FAIL unexpected " + e);
            }
            if (i % 50 == 0) {
                try {
                    v.verify(null, now);
                    bad++;
                } catch (NullPointerException expected) {
                    // Nulls are refused in Java, before the boundary.
                }
                try {
                    v.verifyMany(Arrays.asList(text, null), now);
                    bad++;
                } catch (NullPointerException expected) {
                    // As above.
                }
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Path fixtures = Paths.get(args[0]);
        int iterations = Integer.parseInt(args[1]);
        random = new Random(Long.parseLong(args[2]));
        long deadline = System.nanoTime() + Long.parseLong(args[3]) * 1_000_000_000L;
        byte[] code = new String(Files.readAllBytes(fixtures.resolve("samples/reference-code.txt")), StandardCharsets.UTF_8).trim()
                .getBytes(StandardCharsets.UTF_8);
        byte[] png = Files.readAllBytes(fixtures.resolve("images/qr-reference-ecc-m.png"));
        byte[] trust = Files.readAllBytes(fixtures.resolve("trust/main.json"));
        String root = new String(Files.readAllBytes(fixtures.resolve("keys/root-1.pub.pem")), StandardCharsets.UTF_8);
        String key = new String(Files.readAllBytes(fixtures.resolve("keys/dingtalk-1.pem")), StandardCharsets.UTF_8);
        long now = 1795251600L;
        List<Long> live = new ArrayList<>();
        int rounds = 0;
        try (Verifier v = new Verifier(trust, root, now, 300)) {
            // Round 0 warms up (the library's lazily made statics, rayon's pool); from then on
            // the bytes the library holds between calls must stay put.
            while (rounds < 4 && (rounds < 2 || System.nanoTime() < deadline)) {
                round(v, code, png, trust, root, key, now, iterations);
                live.add(LeakCheck.liveBytes());
                rounds++;
            }
        }
        long growth = live.get(live.size() - 1) - live.get(0);
        System.out.println("fuzz (Java): " + rounds + " rounds x " + iterations + " calls, " + bad
                + " bad answers; bytes the library holds after each round " + live + " (growth after warm-up " + growth + ")");
        // A leak of even 8 bytes a call would hold iterations * 8 more bytes a round.
        boolean leaks = growth >= (long) iterations * 8;
        if (leaks) {
            System.err.println("FAIL the native library holds more memory after each round: " + live);
        }
        System.exit(bad == 0 && !leaks ? 0 : 1);
    }
}
