package org.hcx;

/**
 * A failure with hcx's stable code ({@code "trust_list_expired"}, {@code "invalid_key"}, …) and
 * precise reason, and its SPEC §9 error JSON.
 */
public final class HcxException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String code;
    private final String reason;
    private final String json;

    HcxException(String code, String reason, String json) {
        super(reason == null ? code : code + " (" + reason + "): " + json);
        this.code = code;
        this.reason = reason;
        this.json = json;
    }

    /** The stable code (SPEC §8/§9). */
    public String code() {
        return code;
    }

    /** The precise reason, or null when the failure has none. */
    public String reason() {
        return reason;
    }

    /** The SPEC §9 error JSON. */
    public String json() {
        return json;
    }
}
