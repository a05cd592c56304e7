//! Image bytes (PNG/JPEG) → every code in the picture; also raw grayscale frames.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(texts) = hcx_qr::decode_image(data) {
        assert!(!texts.is_empty() && texts.len() <= hcx_qr::MAX_CODES);
    }
    // A small raw frame: the first byte picks the width, the rest are pixels.
    if let Some((&w, luma)) = data.split_first() {
        let width = u32::from(w.max(1));
        let height = u32::try_from(luma.len()).unwrap_or(u32::MAX) / width;
        if let Some(frame) = luma.get(..(width * height) as usize) {
            let _ = hcx_qr::decode_luma(width, height, frame);
        }
    }
});
