//! The page's entry points (`wasm-bindgen`), called by `index.html`:
//! [`start`] the viewer in a canvas, [`open_trace`] hands it a trace's
//! bytes, [`probe`] tells the page's script (and its tests) what it shows.
//! Everything else is the `nasviz` crate's `app::web` front end.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::prelude::*;

/// Starts the viewer in `<canvas id=canvas_id>`; `query` is the page's
/// URL query (`?backend=webgl2&run=ID&step=N&paused=1&trace=URL`).
#[wasm_bindgen]
pub fn start(canvas_id: &str, query: &str) -> Result<(), JsValue> {
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&format!("nasviz panicked: {info}").into());
    }));
    let opts = nasviz::app::web::PageOptions::from_query(canvas_id, query);
    nasviz::app::web::start(opts).map_err(|e| JsValue::from_str(&e))
}

/// Opens a trace from its bytes (`name`: the file's name): replacing the
/// runs on show, or beside them when `replace` is false.
#[wasm_bindgen]
pub fn open_trace(name: String, bytes: Vec<u8>, replace: bool) -> Result<(), JsValue> {
    nasviz::app::web::open_trace(name, bytes, replace).map_err(|e| JsValue::from_str(&e))
}

/// The viewer's state as JSON.
#[wasm_bindgen]
pub fn probe() -> String {
    nasviz::app::web::probe()
}
