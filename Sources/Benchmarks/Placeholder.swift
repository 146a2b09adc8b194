// Benchmarks: placeholder until the first benchmark lands.
