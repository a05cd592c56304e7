package org.hcx;

/** The bytes the native library holds, from a `leak-check` build of the glue (tests only). */
final class LeakCheck {
    private LeakCheck() {}

    static native long liveBytes();
}
