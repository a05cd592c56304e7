package org.hcx;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny JSON reader for the tests only (the JDK has none, and the tests take nothing from
 * Maven): objects become maps, arrays lists, numbers doubles. Equality of the results is
 * JSON equality (maps compare as maps).
 */
final class Json {
    private final String s;
    private int i;

    private Json(String s) {
        this.s = s;
    }

    static Object parse(String text) {
        Json j = new Json(text);
        Object v = j.value(0);
        j.ws();
        if (j.i != text.length()) {
            throw new IllegalArgumentException("trailing characters at " + j.i);
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    static Object get(Object obj, String key) {
        return obj instanceof Map ? ((Map<String, Object>) obj).get(key) : null;
    }

    private void ws() {
        while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
    }

    private IllegalArgumentException bad() {
        return new IllegalArgumentException("not JSON at " + i);
    }

    private Object value(int depth) {
        if (depth > 64) {
            throw bad();
        }
        ws();
        if (i >= s.length()) {
            throw bad();
        }
        char c = s.charAt(i);
        if (c == '{') {
            i++;
            Map<String, Object> m = new LinkedHashMap<>();
            ws();
            if (s.startsWith("}", i)) {
                i++;
                return m;
            }
            while (true) {
                ws();
                if (!s.startsWith("\"", i)) {
                    throw bad();
                }
                i++;
                String k = string();
                ws();
                if (!s.startsWith(":", i)) {
                    throw bad();
                }
                i++;
                m.put(k, value(depth + 1));
                ws();
                if (s.startsWith(",", i)) {
                    i++;
                } else if (s.startsWith("}", i)) {
                    i++;
                    return m;
                } else {
                    throw bad();
                }
            }
        }
        if (c == '[') {
            i++;
            List<Object> l = new ArrayList<>();
            ws();
            if (s.startsWith("]", i)) {
                i++;
                return l;
            }
            while (true) {
                l.add(value(depth + 1));
                ws();
                if (s.startsWith(",", i)) {
                    i++;
                } else if (s.startsWith("]", i)) {
                    i++;
                    return l;
                } else {
                    throw bad();
                }
            }
        }
        if (c == '"') {
            i++;
            return string();
        }
        if (s.startsWith("null", i)) {
            i += 4;
            return NULL;
        }
        if (s.startsWith("true", i)) {
            i += 4;
            return Boolean.TRUE;
        }
        if (s.startsWith("false", i)) {
            i += 5;
            return Boolean.FALSE;
        }
        int start = i;
        while (i < s.length() && "0123456789+-.eE".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        if (start == i) {
            throw bad();
        }
        return Double.valueOf(s.substring(start, i));
    }

    private String string() {
        StringBuilder b = new StringBuilder();
        while (i < s.length()) {
            char c = s.charAt(i++);
            if (c == '"') {
                return b.toString();
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (i >= s.length()) {
                break;
            }
            char e = s.charAt(i++);
            switch (e) {
                case '"': b.append('"'); break;
                case '\\': b.append('\\'); break;
                case '/': b.append('/'); break;
                case 'b': b.append('\b'); break;
                case 'f': b.append('\f'); break;
                case 'n': b.append('\n'); break;
                case 'r': b.append('\r'); break;
                case 't': b.append('\t'); break;
                case 'u':
                    if (i + 4 > s.length()) {
                        throw bad();
                    }
                    b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    i += 4;
                    break;
                default: throw bad();
            }
        }
        throw bad();
    }

    /** JSON null, distinct from "absent" (Java null). */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };
}
