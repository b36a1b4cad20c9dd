pub mod arch;
pub mod fsutil;
pub mod info;
pub mod perf;
pub mod rng;
pub mod table;
