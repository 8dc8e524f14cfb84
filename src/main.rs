//! The `conform` binary.

// A run allocates per request (templates rendered, headers, results) on
// several threads at once; glibc's allocator spent a third of a run's CPU
// time in its arenas and their locks (`bash bench/run.sh`, perf).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    conform::main()
}
