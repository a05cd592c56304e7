package org.hcx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Verifies codes of every supported format (hcx, EU DCC, SMART Health Card, ICAO VDS-NC)
 * against trust inputs, offline. Thread-safe: share one verifier across threads. Close it
 * (try-with-resources) to free its native memory; {@code close} waits for running calls.
 */
public final class Verifier implements AutoCloseable {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private long handle;

    /**
     * Builds a verifier.
     *
     * @param trustInputs trust inputs of any kind, each detected by content: at most one signed
     *     hcx trust list, X.509 certificates, a JWKS, a DCC signer list, an SHC revocation list
     * @param roots the trust-list root keys, each read as the CLI reads {@code --root}: PEM
     *     (public or private) or an Ed25519 JWK
     * @param threshold how many distinct roots must have signed the hcx trust list
     * @param minSequence the lowest trust-list sequence still accepted (0: any)
     * @param now when the trust inputs are checked, Unix seconds
     * @param skewSeconds the clock skew every verification allows
     * @throws HcxException with code {@code trust_list_*}, {@code invalid_key} or {@code usage}
     *     when the trust cannot be used
     */
    public Verifier(List<byte[]> trustInputs, List<String> roots, int threshold, long minSequence, long now, long skewSeconds)
            throws HcxException {
        this(trustInputs, roots, threshold, minSequence, now, skewSeconds, new StatusPolicy());
    }

    /**
     * Builds a verifier that uses the status lists among its trust inputs as {@code status}
     * says (SPEC §14); the other arguments as in the constructor without it.
     *
     * @throws HcxException as that constructor, and with code {@code invalid_input} when the
     *     status policy is out of range
     */
    public Verifier(List<byte[]> trustInputs, List<String> roots, int threshold, long minSequence, long now, long skewSeconds,
            StatusPolicy status) throws HcxException {
        Objects.requireNonNull(status, "status");
        List<byte[]> inputs = new ArrayList<>();
        for (byte[] input : Objects.requireNonNull(trustInputs, "trustInputs")) {
            inputs.add(Objects.requireNonNull(input, "a trust input"));
        }
        for (String root : Objects.requireNonNull(roots, "roots")) {
            Objects.requireNonNull(root, "a root");
        }
        String h = Native.textOrThrow(Native.newVerifier(
                Native.frames(inputs), Native.textFrames(roots), threshold, minSequence, now, skewSeconds,
                status.maxAgeSeconds(), status.rejectsMissing(), status.acceptsStale(), status.floorFrames()));
        this.handle = Long.parseLong(h);
    }

    /** One hcx trust list and one root, threshold 1, any sequence. */
    public Verifier(byte[] trustList, String rootPem, long now, long skewSeconds) throws HcxException {
        this(Arrays.asList(trustList), Arrays.asList(rootPem), 1, 0, now, skewSeconds);
    }

    /** Verifies one scanned text of any supported format at {@code at} (Unix seconds). */
    public Verdict verify(String text, long at) {
        byte[] bytes = Native.utf8(Objects.requireNonNull(text, "text"));
        lock.readLock().lock();
        try {
            return Native.answer(Native.verifyText(live(), bytes, at));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Verifies a code given as several texts, in any order: a SMART Health Card's {@code shc:/K/N/} chunks. */
    public Verdict verifyChunks(List<String> chunks, long at) {
        byte[] framed = Native.textFrames(nonNull(chunks, "chunks"));
        lock.readLock().lock();
        try {
            return Native.answer(Native.verifyChunks(live(), framed, at));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Verifies the health code in a PNG or JPEG picture. */
    public Verdict verifyImage(byte[] image, long at) {
        Objects.requireNonNull(image, "image");
        lock.readLock().lock();
        try {
            return Native.answer(Native.verifyImage(live(), image, at));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Verifies many texts at once, on all cores; the verdicts are in input order. */
    public List<Verdict> verifyMany(List<String> texts, long at) {
        byte[] framed = Native.textFrames(nonNull(texts, "texts"));
        lock.readLock().lock();
        try {
            List<Verdict> out = Native.answers(Native.verifyMany(live(), framed, at), true);
            if (out.size() != texts.size()) {
                throw new IllegalStateException("hcx: " + out.size() + " verdicts for " + texts.size() + " texts");
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Frees the native verifier, after any running call; later calls throw IllegalStateException. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (handle != 0) {
                Native.freeVerifier(handle);
                handle = 0;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private long live() {
        if (handle == 0) {
            throw new IllegalStateException("hcx: the verifier is closed");
        }
        return handle;
    }

    private static List<String> nonNull(List<String> texts, String what) {
        for (String t : Objects.requireNonNull(texts, what)) {
            Objects.requireNonNull(t, "an item of " + what);
        }
        return texts;
    }
}
