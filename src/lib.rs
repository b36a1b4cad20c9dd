//! nasviz: view and steer Neural Architecture Search runs.
//!
//! The crate is layered, data flowing one way (see `ARCHITECTURE.md`):
//! [`arch`] (search spaces) and [`table`] (tabular benchmarks) feed
//! [`trace`] (runs and trials), [`search`] and [`analysis`]; [`layout`] and
//! [`scene`] turn a run at a step into plain drawing data, which [`render`]
//! draws with wgpu ([`export`] writes PNGs).
//!
//! ```
//! use nasviz::arch::nb101::Cell;
//!
//! // input -> maxpool3x3 -> output, plus the skip edge input -> output
//! let cell = Cell::new(
//!     &[vec![0, 1, 1], vec![0, 0, 1], vec![0, 0, 0]],
//!     &["input", "maxpool3x3", "output"],
//! )?;
//! // NAS-Bench-101's module hash of the pruned cell
//! assert_eq!(cell.hash()?.to_string().len(), 32);
//! # Ok::<(), nasviz::arch::ArchError>(())
//! ```

pub mod analysis;
pub mod app;
pub mod arch;
#[cfg(target_arch = "wasm32")]
pub mod embedded;
pub mod export;
pub mod fmt;
pub mod fsutil;
pub mod info;
pub mod layout;
pub mod render;
pub mod rng;
pub mod scene;
pub mod search;
pub mod table;
#[doc(hidden)]
pub mod testdata;
pub mod trace;
pub mod viewer;
