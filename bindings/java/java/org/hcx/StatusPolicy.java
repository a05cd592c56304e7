package org.hcx;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a {@link Verifier} uses the status lists among its trust inputs (SPEC §14). A new policy
 * is the default: status data older than 48 hours is stale and refused ({@code status_stale}),
 * a code whose issuer has published no status data is judged without it.
 */
public final class StatusPolicy {
    private long maxAgeSeconds;
    private boolean rejectMissing;
    private boolean acceptStale;
    private final Map<String, Long> minSequences = new LinkedHashMap<>();

    /** The default policy. */
    public StatusPolicy() {}

    /** Status data older than this (seconds since the newest list was issued) is stale; 0: the default. */
    public StatusPolicy maxAgeSeconds(long seconds) {
        this.maxAgeSeconds = seconds;
        return this;
    }

    /** Refuses a code whose issuer has no status data with {@code status_stale} (reason {@code status_missing}). */
    public StatusPolicy rejectMissing() {
        this.rejectMissing = true;
        return this;
    }

    /** Uses stale status data anyway; the verdict's {@code status_list} says {@code "stale": true}. */
    public StatusPolicy acceptStale() {
        this.acceptStale = true;
        return this;
    }

    /**
     * The highest sequence of {@code issuer}'s status lists accepted before (kept by the app
     * across restarts): older lists of that issuer are a rollback ({@code status_invalid}).
     */
    public StatusPolicy minSequence(String issuer, long sequence) {
        minSequences.put(Objects.requireNonNull(issuer, "issuer"), sequence);
        return this;
    }

    long maxAgeSeconds() {
        return maxAgeSeconds;
    }

    boolean rejectsMissing() {
        return rejectMissing;
    }

    boolean acceptsStale() {
        return acceptStale;
    }

    /** The floors as frames: each an 8-byte big-endian sequence, then the issuer id in UTF-8. */
    byte[] floorFrames() {
        List<byte[]> frames = new ArrayList<>(minSequences.size());
        for (Map.Entry<String, Long> floor : minSequences.entrySet()) {
            byte[] issuer = Native.utf8(floor.getKey());
            byte[] frame = new byte[8 + issuer.length];
            long sequence = floor.getValue();
            for (int i = 0; i < 8; i++) {
                frame[i] = (byte) (sequence >>> (56 - 8 * i));
            }
            System.arraycopy(issuer, 0, frame, 8, issuer.length);
            frames.add(frame);
        }
        return Native.frames(frames);
    }
}
