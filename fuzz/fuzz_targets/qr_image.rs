//! Image bytes (PNG/JPEG) → every code in the picture; also raw grayscale frames. The symbols
//! API (version, level, segments: a hand-written parser of the decoded data) must find the
//! same texts.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;

fn texts(symbols: Result<Vec<hcx_qr::Symbol>, hcx_qr::Error>) -> Option<Vec<String>> {
    symbols.ok().map(|s| s.into_iter().map(|s| s.text).collect())
}

fuzz_target!(|data: &[u8]| {
    let plain = hcx_qr::decode_image(data);
    if let Ok(texts) = &plain {
        assert!(!texts.is_empty() && texts.len() <= hcx_qr::MAX_CODES);
    }
    assert_eq!(texts(hcx_qr::decode_image_symbols(data)), plain.ok());
    // A small raw frame: the first byte picks the width, the rest are pixels.
    if let Some((&w, luma)) = data.split_first() {
        let width = u32::from(w.max(1));
        let height = u32::try_from(luma.len()).unwrap_or(u32::MAX) / width;
        if let Some(frame) = luma.get(..(width * height) as usize) {
            let plain = hcx_qr::decode_luma(width, height, frame).ok();
            assert_eq!(texts(hcx_qr::decode_luma_symbols(width, height, frame)), plain);
        }
    }
});
