package org.hcx;

/**
 * The verdict on one code: valid, or rejected with a stable code and a precise reason. Its
 * JSON is the SPEC §9 object {@code hcx verify --json} prints, byte for byte.
 */
public final class Verdict {
    private final String code;
    private final String reason;
    private final String json;

    Verdict(String code, String reason, String json) {
        this.code = code;
        this.reason = reason;
        this.json = json == null ? "" : json;
    }

    /** Whether every check passed. */
    public boolean isValid() {
        return code == null;
    }

    /** The stable code of a rejection ({@code "expired"}, {@code "bad_signature"}, …), or null when valid. */
    public String code() {
        return code;
    }

    /** The precise reason of a rejection ({@code "iat_outside_key_window"}, …), or null. */
    public String reason() {
        return reason;
    }

    /** The verdict as SPEC §9 JSON: {@code {"claims":{…},…,"valid":true}} or {@code {"error":{…},"valid":false}}. */
    public String json() {
        return json;
    }

    /** This verdict if valid; otherwise its rejection as an exception. */
    public Verdict requireValid() throws HcxException {
        if (!isValid()) {
            throw new HcxException(code, reason, json);
        }
        return this;
    }

    @Override
    public String toString() {
        return json;
    }
}
