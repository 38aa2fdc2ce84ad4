#if canImport(Glibc)
    internal import CMalloc
#endif

/// Keeps glibc's allocator from handing freed memory back to the kernel after every burst.
///
/// Under load the service's worker threads allocate and free per request; with glibc's defaults each free of a
/// thread arena's top chunk ends in `madvise(DONTNEED)` and the next request page-faults it back in. Measured on
/// `bench/serve.sh`: half the service's CPU was page faults and madvise; with these settings inbound throughput
/// doubled. The price is holding up to the trim threshold of freed memory.
enum MemoryTuning {
    static func applyForServers() {
        #if canImport(Glibc)
            _ = mallopt(M_TRIM_THRESHOLD, 512 << 20)
            _ = mallopt(M_TOP_PAD, 64 << 20)
            _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
        #endif
    }
}
