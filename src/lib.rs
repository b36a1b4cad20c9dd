pub mod arch;
pub mod info;
pub mod perf;
pub mod rng;
pub mod table;
