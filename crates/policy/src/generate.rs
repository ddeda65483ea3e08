//! Seeded worlds of any size, shared by tests and benchmarks.
//! Placeholder replaced below.
