package org.hcx;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The Java binding's tests (bindings/java/test.sh runs them with {@code java -ea}): every case of
 * spec/fixtures/cases through {@link Verifier}, asserting the exact outcome as
 * tests/conformance.rs does; verifyMany and verifyChunks agreeing with verify; the failures as
 * exceptions with code and reason; one verifier shared by threads; close; issuing.
 * Usage: ConformanceTest FIXTURES_DIR
 */
public final class ConformanceTest {
    private static int checks;
    private static final List<String> failures = new ArrayList<>();
    private static Path fixtures;
    private static final long NOW = 1795251600L; // 2026-11-21T09:00:00Z

    private static void check(boolean ok, String what) {
        checks++;
        if (!ok) {
            failures.add(what);
            System.err.println("FAIL " + what);
        }
    }

    private static byte[] read(String rel) throws IOException {
        return Files.readAllBytes(fixtures.resolve(rel));
    }

    private static String text(String rel) throws IOException {
        return new String(read(rel), StandardCharsets.UTF_8);
    }

    /** The outcome field {@code key} of a verdict, in the fixtures' vocabulary. */
    private static Object field(Object verdict, String key) {
        Object valid = Json.get(verdict, "valid");
        if (key.equals("valid")) {
            return valid;
        }
        if (Boolean.TRUE.equals(valid)) {
            if (key.equals("issuer")) {
                return Json.get(Json.get(verdict, "issuer"), "id");
            }
            return Arrays.asList("key_id", "issued_at", "expires_at", "claims", "not_before", "status_list").contains(key)
                    ? Json.get(verdict, key) : null;
        }
        if (key.equals("error")) {
            return Json.get(Json.get(verdict, "error"), "code");
        }
        if (key.equals("reason")) {
            return Json.get(Json.get(verdict, "error"), "reason");
        }
        return null;
    }

    /**
     * Whether a verdict's {@code status_list} is what a case expects: the outcome and sequence,
     * and {@code not_covered} / {@code stale} when present (the verdict also names the list's
     * issuer and dates), each exactly, as tests/conformance.rs compares them. An expected field
     * this runner does not know fails rather than passes unread.
     */
    @SuppressWarnings("unchecked")
    private static boolean sameStatusList(Object got, Object expected) {
        List<String> fields = Arrays.asList("outcome", "sequence", "not_covered", "stale");
        if (!(expected instanceof Map) || !fields.containsAll(((Map<String, Object>) expected).keySet())) {
            return false;
        }
        for (String f : fields) {
            Object g = Json.get(got, f);
            Object e = Json.get(expected, f);
            if (g == Json.NULL) {
                g = null;
            }
            if (g == null ? e != null : !g.equals(e)) {
                return false;
            }
        }
        return true;
    }

    /** The status policy a case asks for (SPEC §14), spelt as tests/conformance.rs reads it. */
    @SuppressWarnings("unchecked")
    private static StatusPolicy statusPolicy(Map<String, Object> c) {
        StatusPolicy policy = new StatusPolicy();
        Object p = c.get("status_policy");
        if (p != null) {
            Object age = Json.get(p, "max_age_seconds");
            if (age instanceof Double) {
                policy.maxAgeSeconds(((Double) age).longValue());
            }
            Object missing = Json.get(p, "when_missing");
            if ("reject".equals(missing)) {
                policy.rejectMissing();
            } else if (missing != null && !"accept".equals(missing)) {
                throw new IllegalArgumentException("when_missing " + missing);
            }
            Object stale = Json.get(p, "when_stale");
            if ("accept".equals(stale)) {
                policy.acceptStale();
            } else if (stale != null && !"reject".equals(stale)) {
                throw new IllegalArgumentException("when_stale " + stale);
            }
        }
        Object floors = c.get("status_min_sequence");
        if (floors != null) {
            for (Map.Entry<String, Object> f : ((Map<String, Object>) floors).entrySet()) {
                policy.minSequence(f.getKey(), ((Double) f.getValue()).longValue());
            }
        }
        return policy;
    }

    private static void checkOutcome(String name, Map<String, Object> expected, String code, String reason, String json) {
        Object verdict;
        try {
            verdict = Json.parse(json);
        } catch (IllegalArgumentException e) {
            check(false, name + ": not JSON: " + json);
            return;
        }
        for (Map.Entry<String, Object> e : expected.entrySet()) {
            Object got = field(verdict, e.getKey());
            boolean same = got == null ? e.getValue() == Json.NULL
                    : e.getKey().equals("status_list") ? sameStatusList(got, e.getValue()) : got.equals(e.getValue());
            check(same, name + ": field " + e.getKey() + " differs; verdict " + json);
        }
        if (Boolean.TRUE.equals(Json.get(verdict, "valid"))) {
            for (String k : Arrays.asList("valid", "issuer", "key_id", "issued_at", "expires_at", "claims", "not_before", "status_list")) {
                Object got = field(verdict, k);
                if (got != null && got != Json.NULL) {
                    check(expected.containsKey(k), name + ": unexpected " + k + " in " + json);
                }
            }
            check(code == null && reason == null, name + ": valid but code " + code);
        } else {
            check(code != null && code.equals(Json.get(Json.get(verdict, "error"), "code")), name + ": code " + code + " vs " + json);
            check(reason == null ? Json.get(Json.get(verdict, "error"), "reason") == null
                    : reason.equals(Json.get(Json.get(verdict, "error"), "reason")), name + ": reason " + reason + " vs " + json);
        }
    }

    @SuppressWarnings("unchecked")
    private static boolean runCase(Path file) throws IOException {
        int before = failures.size();
        String fileName = file.getFileName().toString();
        Map<String, Object> c = (Map<String, Object>) Json.parse(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
        check(fileName.equals(c.get("name") + ".json"), fileName + ": file name and case name differ");
        List<String> roots = new ArrayList<>();
        for (Object r : (List<Object>) c.get("roots")) {
            roots.add(text((String) r));
        }
        Object threshold = c.get("threshold");
        Object minSequence = c.get("min_sequence");
        long at = Instant.parse((String) c.get("at")).getEpochSecond();
        long skew = ((Double) c.get("skew_seconds")).longValue();
        // Trust inputs: the trust list, then the case's status lists.
        List<byte[]> trust = new ArrayList<>();
        trust.add(read((String) c.get("trust_list")));
        Object lists = c.get("status_lists");
        if (lists != null) {
            for (Object l : (List<Object>) lists) {
                trust.add(read((String) l));
            }
        }
        Map<String, Object> expected = (Map<String, Object>) c.get("expected");
        Map<String, Object> input = (Map<String, Object>) c.get("input");
        Verifier v;
        try {
            v = new Verifier(trust, roots,
                    threshold instanceof Double ? ((Double) threshold).intValue() : 1,
                    minSequence instanceof Double ? ((Double) minSequence).longValue() : 0, at, skew, statusPolicy(c));
        } catch (HcxException e) {
            checkOutcome(fileName, expected, e.code(), e.reason(), e.json());
            return failures.size() == before;
        }
        try (Verifier verifier = v) {
            if (input.get("text") instanceof String) {
                String code = (String) input.get("text");
                Verdict verdict = verifier.verify(code, at);
                checkOutcome(fileName, expected, verdict.code(), verdict.reason(), verdict.json());
                List<Verdict> many = verifier.verifyMany(Arrays.asList(code, code), at);
                check(many.size() == 2 && many.get(0).json().equals(verdict.json()) && many.get(1).json().equals(verdict.json())
                        && same(many.get(1), verdict), fileName + ": verifyMany differs");
                Verdict chunked = verifier.verifyChunks(Collections.singletonList(code), at);
                check(chunked.json().equals(verdict.json()) && same(chunked, verdict), fileName + ": verifyChunks differs");
            } else if (input.get("qr_image") instanceof String) {
                Verdict verdict = verifier.verifyImage(read((String) input.get("qr_image")), at);
                checkOutcome(fileName, expected, verdict.code(), verdict.reason(), verdict.json());
            } else {
                check(false, fileName + ": the case has no input");
            }
        }
        return failures.size() == before;
    }

    private static boolean same(Verdict a, Verdict b) {
        return String.valueOf(a.code()).equals(String.valueOf(b.code())) && String.valueOf(a.reason()).equals(String.valueOf(b.reason()));
    }

    private static void conformance() throws IOException {
        List<Path> cases;
        try (Stream<Path> s = Files.list(fixtures.resolve("cases"))) {
            cases = s.filter(p -> p.toString().endsWith(".json")).sorted().collect(Collectors.toList());
        }
        check(cases.size() >= 60, "only " + cases.size() + " fixtures");
        int passed = 0;
        for (Path p : cases) {
            passed += runCase(p) ? 1 : 0;
        }
        System.out.println("conformance (Java): " + passed + " of " + cases.size() + " cases pass");
    }

    private static Verifier mainVerifier() throws Exception {
        return new Verifier(read("trust/main.json"), text("keys/root-1.pub.pem"), NOW, 300);
    }

    private static void contract() throws Exception {
        String code = text("samples/reference-code.txt").trim();
        // Trust that cannot be used is an exception with the code and reason.
        try {
            new Verifier(read("trust/main.json"), text("keys/root-1.pub.pem"), NOW + 400L * 86400, 0).close();
            check(false, "an expired trust list built a verifier");
        } catch (HcxException e) {
            check("trust_list_expired".equals(e.code()) && "trust_list_expired".equals(e.reason())
                    && e.json().contains("\"valid\":false"), "expired trust list: " + e.code() + " " + e.reason());
        }
        try {
            new Verifier(read("trust/main.json"), "not a key", NOW, 0).close();
            check(false, "a bad root built a verifier");
        } catch (HcxException e) {
            check("invalid_key".equals(e.code()), "bad root: " + e.code());
        }
        // A status policy out of range is an exception, not a verifier.
        try {
            new Verifier(Collections.singletonList(read("trust/main.json")), Collections.singletonList(text("keys/root-1.pub.pem")),
                    1, 0, NOW, 0, new StatusPolicy().maxAgeSeconds(-5)).close();
            check(false, "a negative status max age built a verifier");
        } catch (HcxException e) {
            check("invalid_input".equals(e.code()) && "invalid_input".equals(e.reason()), "negative max age: " + e.code() + " " + e.reason());
        }
        // A status floor for an issuer id with a lone surrogate (sent as '?'): accepted, harmless.
        try (Verifier floors = new Verifier(Collections.singletonList(read("trust/main.json")),
                Collections.singletonList(text("keys/root-1.pub.pem")), 1, 0, NOW, 300,
                new StatusPolicy().minSequence("\ud800", Long.MAX_VALUE).minSequence("", -1L).rejectMissing().acceptStale())) {
            Verdict missing = floors.verify(code, NOW);
            check("status_stale".equals(missing.code()) && "status_missing".equals(missing.reason()),
                    "rejectMissing without status data: " + missing);
        }
        // A JWK root is the same root.
        try (Verifier pem = mainVerifier();
             Verifier jwk = new Verifier(read("trust/main.json"),
                     "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"fSvWFtcX7rvsosl3leU_Po-4Zeo89aeQ6HO0CNmfKhA\"}", NOW, 300)) {
            check(pem.verify(code, NOW).json().equals(jwk.verify(code, NOW).json()) && pem.verify(code, NOW).isValid(), "JWK root");
        }
        Verifier v = mainVerifier();
        Verdict ok = v.verify(code, NOW);
        check(ok.isValid() && ok.code() == null && ok.json().startsWith("{\"claims\":{"), "reference code: " + ok);
        Verdict late = v.verify(code, NOW + 2 * 86400);
        check("expired".equals(late.code()) && "expired".equals(late.reason()), "late: " + late);
        try {
            late.requireValid();
            check(false, "requireValid passed a rejection");
        } catch (HcxException e) {
            check("expired".equals(e.code()) && e.json().equals(late.json()), "requireValid's exception");
        }
        // A lone surrogate is encoded as '?' by Java: a text, judged malformed, not a crash.
        Verdict surrogate = v.verify("HCX1:\ud800", NOW);
        check("malformed".equals(surrogate.code()), "lone surrogate: " + surrogate);
        Verdict garbage = v.verifyImage(new byte[] {1, 2, 3}, NOW);
        check(!garbage.isValid() && garbage.code() != null && garbage.json().contains("\"code\":\"" + garbage.code() + "\""),
                "garbage image: " + garbage);
        try {
            v.verify(null, NOW);
            check(false, "verify(null)");
        } catch (NullPointerException expected) {
            checks++;
        }
        // Many, on all cores, in order.
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            texts.add(i % 3 == 2 ? "HCX1:" + i : code);
        }
        List<Verdict> many = v.verifyMany(texts, NOW);
        boolean inOrder = many.size() == texts.size();
        for (int i = 0; inOrder && i < texts.size(); i++) {
            inOrder = many.get(i).isValid() == (i % 3 != 2);
        }
        check(inOrder, "verifyMany of 600 in order");
        check(v.verifyMany(Collections.<String>emptyList(), NOW).isEmpty(), "verifyMany of nothing");
        // Threads share one verifier.
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            results.add(pool.submit(() -> {
                for (int i = 0; i < 200; i++) {
                    if (!v.verify(code, NOW).json().equals(ok.json())) {
                        return false;
                    }
                }
                return true;
            }));
        }
        for (Future<Boolean> r : results) {
            check(r.get(), "a thread saw another verdict");
        }
        pool.shutdown();
        // Closed is closed.
        v.close();
        v.close();
        try {
            v.verify(code, NOW);
            check(false, "verify after close");
        } catch (IllegalStateException expected) {
            checks++;
        }
        System.out.println("contract (Java): exceptions, JWK roots, threads, verifyMany, close");
    }

    private static void issuing() throws Exception {
        String key = Hcx.keygen();
        check(key.contains("BEGIN PRIVATE KEY"), "keygen");
        check(Hcx.publicKey(key).contains("BEGIN PUBLIC KEY"), "publicKey");
        String claims = "{\"status\":\"green\",\"subject\":{\"name\":\"\u5f20\u4e09\"}}";
        String code = Hcx.issue(text("keys/dingtalk-1.pem"), text("samples/reference-claims.json"), "dingtalk", NOW - 3600, NOW + 86400, null);
        check(code.startsWith("HCX1:"), "issue");
        try (Verifier v = mainVerifier()) {
            Verdict verdict = v.verify(code, NOW);
            check(verdict.isValid(), "the issued code verifies: " + verdict);
        }
        String decoded = Hcx.decode(Hcx.issue(key, claims, "dingtalk", NOW, NOW + 86400, NOW + 60));
        check(decoded.contains("\"verified\":false") && decoded.contains("\"not_before\":\"2026-11-21T09:01:00Z\""), "decode: " + decoded);
        try {
            Hcx.issue(key, "{}", "dingtalk", NOW, NOW + 1, null);
            check(false, "issued bad claims");
        } catch (HcxException e) {
            check("invalid_claims".equals(e.code()), "bad claims: " + e.code());
        }
        try {
            Hcx.decode("HCX1:??");
            check(false, "decoded garbage");
        } catch (HcxException e) {
            check("malformed".equals(e.code()) && e.reason() != null, "decode garbage: " + e.code());
        }
        try {
            Hcx.publicKey("nope");
            check(false, "publicKey of nothing");
        } catch (HcxException e) {
            check("invalid_key".equals(e.code()), "publicKey: " + e.code());
        }
    }

    public static void main(String[] args) throws Exception {
        fixtures = Paths.get(args[0]);
        conformance();
        contract();
        issuing();
        System.out.println("Java binding checks: " + (checks - failures.size()) + " passed, " + failures.size() + " failed");
        System.exit(failures.isEmpty() ? 0 : 1);
    }
}
