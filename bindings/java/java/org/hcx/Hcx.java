package org.hcx;

import java.util.Objects;

/** Reading, issuing and keys; verifying is {@link Verifier}'s. */
public final class Hcx {
    private Hcx() {}

    /**
     * Reads a code of any supported format WITHOUT verifying it, for display: JSON with
     * {@code "verified":false} and a warning.
     */
    public static String decode(String text) throws HcxException {
        return Native.textOrThrow(Native.decode(Native.utf8(Objects.requireNonNull(text, "text"))));
    }

    /**
     * Issues an hcx code ({@code HCX1:…}): signs the claims (JSON, SPEC §4) with the issuer's
     * Ed25519 private key (PKCS#8 PEM). Times are Unix seconds; {@code notBefore} may be null.
     */
    public static String issue(String privateKeyPem, String claimsJson, String issuer, long issuedAt, long expiresAt, Long notBefore)
            throws HcxException {
        return Native.textOrThrow(Native.issue(
                Native.utf8(Objects.requireNonNull(privateKeyPem, "privateKeyPem")),
                Native.utf8(Objects.requireNonNull(claimsJson, "claimsJson")),
                Native.utf8(Objects.requireNonNull(issuer, "issuer")),
                issuedAt, expiresAt, notBefore != null, notBefore == null ? 0 : notBefore));
    }

    /** A new Ed25519 private key, PKCS#8 PEM. */
    public static String keygen() throws HcxException {
        return Native.textOrThrow(Native.keygen());
    }

    /** The public key (SPKI PEM) of a private (PKCS#8) or public (SPKI) key PEM. */
    public static String publicKey(String pem) throws HcxException {
        return Native.textOrThrow(Native.publicKey(Native.utf8(Objects.requireNonNull(pem, "pem"))));
    }
}
